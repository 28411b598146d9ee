import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';

export const HISTORY_TAG = 'v1.0.0';
const FILE = 'CHANGES.txt';
const IDENT = 'Bench Author <bench@example.test>';
const EPOCH = 1_700_000_000;
/** Reverts name commits of earlier chunks, whose SHAs the marks file of those chunks tells. */
const CHUNKS = 4;

export interface HistoryRepo {
  dir: string;
  head: string;
  commits: number;
  /** How many of each kind the generator wrote, for the report. */
  mix: Record<string, number>;
  cleanup(): Promise<void>;
}

/** A small deterministic PRNG, so that every run benchmarks the same histories. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SCOPES = ['api', 'cli', 'core', 'deploy', 'ui', 'db', 'auth', 'config', 'release', 'health'];
const VERBS = ['add', 'handle', 'support', 'remove', 'rename', 'speed up', 'validate', 'document', 'log', 'retry'];
const THINGS = [
  'the tag list',
  'empty bodies',
  'merge commits',
  'the health probe',
  'config reload',
  'long subjects',
  'unicode names',
  'the changelog',
  'stale reports',
  'timeouts',
];
// Cumulative weights of a plausible mix; reverts are drawn separately.
const TYPES: Array<[string, number]> = [
  ['feat', 0.25],
  ['fix', 0.55],
  ['docs', 0.67],
  ['chore', 0.8],
  ['perf', 0.85],
  ['refactor', 0.92],
  ['test', 0.97],
  ['ci', 1],
];

interface Generated {
  message: string;
  kind: string;
  /** A header a later revert can name. */
  header: string | null;
}

export function generator(random: () => number) {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  return (index: number, revertable: ReadonlyArray<{ sha: string; header: string }>): Generated => {
    if (revertable.length > 0 && random() < 0.02) {
      const target = pick(revertable);
      // git's own revert format half the time, a Conventional `revert:` header otherwise.
      const message =
        random() < 0.5
          ? `Revert "${target.header}"\n\nThis reverts commit ${target.sha}.\n`
          : `revert: ${target.header}\n\nThis reverts commit ${target.sha.slice(0, 12)}.\n`;
      return { message, kind: 'revert', header: null };
    }
    const roll = random();
    const type = (TYPES.find(([, weight]) => roll < weight) ?? TYPES[0])?.[0] ?? 'feat';
    const scope = random() < 0.7 ? `(${pick(SCOPES)})` : '';
    const bang = random() < 0.01 ? '!' : '';
    const header = `${type}${scope}${bang}: ${pick(VERBS)} ${pick(THINGS)} (#${index})`;
    const body: string[] = [];
    if (random() < 0.4)
      body.push(
        `The ${pick(THINGS)} path did not ${pick(VERBS)} ${pick(THINGS)}.\nThis keeps it working when the input is large.`,
      );
    const breakingFooter = random() < 0.01;
    if (breakingFooter) body.push(`BREAKING CHANGE: ${pick(THINGS)} now needs an explicit setting`);
    if (random() < 0.15)
      body.push(`Refs #${Math.floor(random() * 5000)}\nReviewed-by: Reviewer <reviewer@example.test>`);
    const kind = bang ? `${type}!` : breakingFooter ? 'BREAKING CHANGE footer' : type;
    return { message: `${header}\n${body.length ? `\n${body.join('\n\n')}\n` : ''}`, kind, header };
  };
}

function data(text: string): string {
  return `data ${Buffer.byteLength(text)}\n${text}\n`;
}

function commitCommand(mark: number, from: number | null, message: string, content: string): string {
  const when = `${EPOCH + mark * 60} +0000`;
  return [
    'commit refs/heads/main\n',
    `mark :${mark}\n`,
    `author ${IDENT} ${when}\n`,
    `committer ${IDENT} ${when}\n`,
    data(message),
    from !== null ? `from :${from}\n` : '',
    `M 100644 inline ${FILE}\n`,
    data(content),
    '\n',
  ].join('');
}

async function fastImport(dir: string, stream: string, marks: string, first: boolean): Promise<void> {
  const args = ['fast-import', '--quiet', `--export-marks=${marks}`, ...(first ? [] : [`--import-marks=${marks}`])];
  await execa('git', args, { cwd: dir, input: stream });
}

async function readMarks(file: string): Promise<Map<number, string>> {
  const marks = new Map<number, string>();
  for (const line of (await readFile(file, 'utf8')).split('\n')) {
    const [mark, sha] = line.split(' ');
    if (mark && sha) marks.set(Number(mark.slice(1)), sha);
  }
  return marks;
}

/**
 * A repository whose `main` has a release tag `v1.0.0` followed by `commits` Conventional
 * Commits, each touching one file: mixed types and scopes, some `!` headers, some BREAKING
 * CHANGE footers, trailers, and ~2 % reverts of earlier commits. Built with `git fast-import`
 * in a few chunks, so that reverts can name the real SHAs of the chunks before them.
 */
export async function createHistoryRepo(commits: number, seed = 42): Promise<HistoryRepo> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'shipgate-bench-history-'));
  try {
    return await build(root, commits, seed);
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
}

async function build(root: string, commits: number, seed: number): Promise<HistoryRepo> {
  const dir = path.join(root, 'repo');
  const marks = path.join(root, 'marks');
  await execa('git', ['init', '--quiet', '--initial-branch', 'main', dir]);
  // Only read as configuration: it makes the changelog render commit and compare links.
  await execa('git', ['remote', 'add', 'origin', 'https://github.com/acme/webshop.git'], { cwd: dir });

  const next = generator(mulberry32(seed));
  const mix: Record<string, number> = {};
  const revertable: Array<{ sha: string; header: string }> = [];
  const headers = new Map<number, string>();
  const perChunk = Math.ceil(commits / CHUNKS);
  let mark = 1;

  let stream = commitCommand(mark, null, 'chore: initial commit\n', 'initial\n');
  stream += `tag ${HISTORY_TAG}\nfrom :1\ntagger ${IDENT} ${EPOCH} +0000\n${data('1.0.0')}`;
  for (let chunk = 0; chunk < CHUNKS && mark <= commits; chunk += 1) {
    const parts: string[] = [];
    const end = Math.min(commits + 1, mark + perChunk);
    for (let first = true; mark < end; first = false) {
      const generated = next(mark, revertable);
      mix[generated.kind] = (mix[generated.kind] ?? 0) + 1;
      mark += 1;
      if (generated.header) headers.set(mark, generated.header);
      parts.push(commitCommand(mark, first ? mark - 1 : null, generated.message, `change ${mark}\n`));
    }
    await fastImport(dir, stream + parts.join(''), marks, chunk === 0);
    stream = '';
    const known = await readMarks(marks);
    for (const [m, header] of headers) {
      const sha = known.get(m);
      if (sha) revertable.push({ sha, header });
    }
    headers.clear();
  }
  await execa('git', ['reset', '--quiet', '--hard', 'main'], { cwd: dir });
  // As if pushed: only tags the remote's release branch has count as releases.
  await execa('git', ['update-ref', 'refs/remotes/origin/main', 'main'], { cwd: dir });
  const head = (await execa('git', ['rev-parse', 'HEAD'], { cwd: dir })).stdout.trim();
  const counted = Number(
    (await execa('git', ['rev-list', '--count', `${HISTORY_TAG}..HEAD`], { cwd: dir })).stdout.trim(),
  );
  if (counted !== commits)
    throw new Error(`the synthetic history has ${counted} commits since ${HISTORY_TAG}, expected ${commits}`);
  return { dir, head, commits, mix, cleanup: () => rm(root, { recursive: true, force: true }) };
}
