import { execa } from 'execa';
import { simpleGit, type SimpleGit } from 'simple-git';
import semver from 'semver';
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

/** The highest release tag reachable from `ref` whose name fits the tag format. */
export async function lastReleaseTag(git: SimpleGit, ref: string, tagFormat: string): Promise<{ tag: string; version: string; sha: string } | null> {
  const [prefix = '', suffix = ''] = tagFormat.split('${version}');
  const out = await git.raw(['tag', '--merged', ref, '--list', `${prefix}*${suffix}`]);
  let best: { tag: string; version: string } | null = null;
  for (const tag of out.split('\n').map((t) => t.trim()).filter(Boolean)) {
    if (!tag.startsWith(prefix) || !tag.endsWith(suffix)) continue;
    const version = semver.valid(tag.slice(prefix.length, tag.length - suffix.length));
    if (version && (!best || semver.gt(version, best.version))) best = { tag, version };
  }
  if (!best) return null;
  const sha = (await git.raw(['rev-list', '-n', '1', `refs/tags/${best.tag}`])).trim();
  return { ...best, sha };
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
