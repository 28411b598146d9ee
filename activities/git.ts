import { execa } from 'execa';
import { simpleGit, type SimpleGit } from 'simple-git';
import semver from 'semver';
import type { RepoConfig } from '../config/types.js';
import type { RawCommit } from '../domain/commits.js';

const FIELD = '\x1f';
const RECORD = '\x1e';

/** Identity for commits and tags shipgate makes; a repository's own config does not matter. */
export function gitIdentity(env: NodeJS.ProcessEnv = process.env): { name: string; email: string } {
  return { name: env.SHIPGATE_GIT_NAME || 'shipgate', email: env.SHIPGATE_GIT_EMAIL || 'shipgate@localhost' };
}

export function openGit(dir: string): SimpleGit {
  const { name, email } = gitIdentity();
  return simpleGit({ baseDir: dir, maxConcurrentProcesses: 4, config: [`user.name=${name}`, `user.email=${email}`, 'core.quotePath=false'] });
}

export interface CommitInfo {
  sha: string;
  tree: string;
  committedAtMs: number;
}

export async function commitInfo(git: SimpleGit, ref: string): Promise<CommitInfo> {
  const out = await git.raw(['show', '-s', `--format=%H${FIELD}%T${FIELD}%ct`, ref, '--']);
  const [sha, tree, ct] = out.trim().split(FIELD);
  if (!sha || !tree || !ct) throw new Error(`cannot read commit ${ref}`);
  return { sha, tree, committedAtMs: Number(ct) * 1000 };
}

/**
 * The last release reachable from `ref`: the highest stable version among the tags that fit the
 * tag format and whose commit the remote's release branch has, as last fetched.
 *
 * A prerelease is never the last release: until release channels exist, a beta or a release
 * candidate is a step towards its stable version, so its commits still belong to that version's
 * entry and its bump. A tag the remote's release branch does not have is a release that was never
 * published (a refused or abandoned push): counting it would plan from a version nobody can get.
 * The remote-tracking branch answers that without a network call, so the dry-run plan, QA's base,
 * the release and the deployment's previous version all read the same answer from the same refs.
 */
export async function lastReleaseTag(git: SimpleGit, ref: string, repo: Pick<RepoConfig, 'tagFormat' | 'remote' | 'branch'>): Promise<{ tag: string; version: string; sha: string } | null> {
  const published = await resolveCommit(git, `refs/remotes/${repo.remote}/${repo.branch}`);
  const target = await resolveCommit(git, ref);
  if (!published || !target) return null;
  // A tag reachable from both is reachable from one of their merge bases: one listing, no per-tag walk.
  const bases = (await git.raw(['merge-base', '--all', target, published]).catch(() => '')).split('\n').map((b) => b.trim()).filter(Boolean);
  if (bases.length === 0) return null;
  const [prefix = '', suffix = ''] = repo.tagFormat.split('${version}');
  const out = await git.raw(['tag', ...bases.flatMap((base) => ['--merged', base]), '--list', `${prefix}*${suffix}`]);
  let best: { tag: string; version: string } | null = null;
  for (const tag of out.split('\n').map((t) => t.trim()).filter(Boolean)) {
    if (!tag.startsWith(prefix) || !tag.endsWith(suffix)) continue;
    const version = semver.valid(tag.slice(prefix.length, tag.length - suffix.length));
    if (!version || semver.prerelease(version)) continue;
    if (!best || semver.gt(version, best.version)) best = { tag, version };
  }
  if (!best) return null;
  const sha = (await git.raw(['rev-list', '-n', '1', `refs/tags/${best.tag}`])).trim();
  return { ...best, sha };
}

/**
 * Runs git with `input` on its stdin: a tag or commit message goes through here, never as one
 * argument, because Linux caps a single argument at 128 KiB and a changelog entry can be longer.
 */
export async function gitWithInput(dir: string, args: string[], input: string): Promise<string> {
  const { name, email } = gitIdentity();
  const result = await execa('git', ['-c', `user.name=${name}`, '-c', `user.email=${email}`, ...args], { cwd: dir, input, reject: false });
  if (result.exitCode !== 0) throw new Error(`git ${args[0]} failed: ${(result.stderr || result.stdout).trim()}`);
  return result.stdout;
}

/** Commits in `from..to` (everything up to `to` when there is no `from`), newest first. */
export async function commitsInRange(git: SimpleGit, from: string | null, to: string): Promise<RawCommit[]> {
  const range = from ? `${from}..${to}` : to;
  const out = await git.raw(['log', `--format=%H${FIELD}%P${FIELD}%cI${FIELD}%an${FIELD}%B${RECORD}`, range, '--']);
  const commits: RawCommit[] = [];
  for (const record of out.split(RECORD)) {
    const trimmed = record.replace(/^\n/, '');
    if (!trimmed) continue;
    const [sha, parents, committedAt, author, message = ''] = trimmed.split(FIELD);
    if (!sha || committedAt === undefined) continue;
    const [subject = '', ...rest] = message.replace(/\n+$/, '').split('\n');
    commits.push({
      sha,
      parents: parents ? parents.split(' ').filter(Boolean) : [],
      subject,
      body: rest.join('\n').replace(/^\n+/, ''),
      committedAt,
      author: author ?? '',
    });
  }
  return commits;
}

export async function changedFilesByCommit(git: SimpleGit, from: string | null, to: string): Promise<Map<string, string[]>> {
  const range = from ? `${from}..${to}` : to;
  const out = await git.raw(['log', '--no-merges', `--format=${RECORD}%H`, '--name-only', range, '--']);
  const files = new Map<string, string[]>();
  for (const block of out.split(RECORD)) {
    const [sha, ...names] = block.split('\n').map((l) => l.trim()).filter(Boolean);
    if (sha) files.set(sha, names);
  }
  return files;
}

/** `git diff -U0` of `from..to`; with no `from`, against the empty tree (everything is new). */
export async function diffU0(git: SimpleGit, from: string | null, to: string): Promise<string> {
  const base = from ?? (await git.raw(['hash-object', '-t', 'tree', '/dev/null'])).trim();
  return git.raw(['diff', '-U0', '--no-color', '--no-ext-diff', '--find-renames', base, to, '--']);
}

/** simple-git resolves a command that fails silently, so exit-code questions go through execa. */
export async function isAncestor(dir: string, ancestor: string, descendant: string): Promise<boolean> {
  const result = await execa('git', ['merge-base', '--is-ancestor', ancestor, descendant], { cwd: dir, reject: false });
  if (result.exitCode === 0) return true;
  if (result.exitCode === 1) return false;
  throw new Error(`git merge-base failed: ${result.stderr.trim()}`);
}

/** The commit a ref names, or null when there is no such commit. */
export async function resolveCommit(git: SimpleGit, ref: string): Promise<string | null> {
  const out = await git.raw(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).catch(() => '');
  return out.trim() || null;
}

/**
 * The refs a `git push --porcelain` says were refused (`!` lines): a hook, a protected branch, a
 * non-fast-forward or a stale lease. A push that fails without one never reached a verdict.
 */
export function rejectedRefs(porcelain: string): { ref: string; reason: string }[] {
  return porcelain.split('\n').filter((line) => line.startsWith('!\t')).map((line) => {
    const [, refs = '', summary = ''] = line.split('\t');
    return { ref: refs.split(':').pop() ?? refs, reason: summary.trim() };
  });
}
