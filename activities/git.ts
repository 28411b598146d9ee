import { spawn } from 'node:child_process';
import { execa } from 'execa';
import { simpleGit, type SimpleGit } from 'simple-git';
import semver from 'semver';
import type { RepoConfig } from '../config/types.js';
import { branchOf, findBranch, maintenanceBounds, type ReleaseBranch } from '../domain/branches.js';
import type { RawCommit } from '../domain/commits.js';

/**
 * git's output is read NUL-separated (`-z`, `%x00`): NUL is the one character no message, name
 * or path can hold (git prints each field up to its first NUL), so commit text can imitate no
 * separator. Any other separator could be typed into a commit message and forge commits.
 */
const NUL = '\0';
const OBJECT_ID = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
/** A tag's name, its object, and for an annotated tag the object it names (`for-each-ref` fields). */
const TAG_LISTING = '--format=%(refname)%00%(objectname)%00%(objecttype)%00%(*objectname)%00%(*objecttype)';

/** Identity for commits and tags shipgate makes; a repository's own config does not matter. */
export function gitIdentity(env: NodeJS.ProcessEnv = process.env): { name: string; email: string } {
  return { name: env.SHIPGATE_GIT_NAME || 'shipgate', email: env.SHIPGATE_GIT_EMAIL || 'shipgate@localhost' };
}

// The folder each handle from `openGit` works in, for the reads that stream git's output themselves.
const workDirs = new WeakMap<SimpleGit, string>();

export function openGit(dir: string): SimpleGit {
  const { name, email } = gitIdentity();
  const git = simpleGit({
    baseDir: dir,
    maxConcurrentProcesses: 4,
    config: [`user.name=${name}`, `user.email=${email}`, 'core.quotePath=false'],
  });
  workDirs.set(git, dir);
  return git;
}

async function workDirOf(git: SimpleGit): Promise<string> {
  return workDirs.get(git) ?? (await git.revparse(['--show-toplevel'])).trim();
}

export interface CommitInfo {
  sha: string;
  tree: string;
  committedAtMs: number;
}

export async function commitInfo(git: SimpleGit, ref: string): Promise<CommitInfo> {
  const out = await git.raw(['show', '-s', '--format=%H%x00%T%x00%ct', ref, '--']);
  const [sha, tree, ct] = out.trim().split(NUL);
  if (!sha || !tree || !ct) throw new Error(`cannot read commit ${ref}`);
  return { sha, tree, committedAtMs: Number(ct) * 1000 };
}

/** A commit and the remote release branch's commit (null when it has none), read by the caller. */
export interface KnownRefs {
  target: string;
  published: string | null;
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
export async function lastReleaseTag(
  git: SimpleGit,
  ref: string,
  repo: RepoLine,
  /** The commits of `ref` and of the remote branch, when the caller has just read them. */
  known?: KnownRefs,
): Promise<{ tag: string; version: string; sha: string } | null> {
  const line = lineOf(repo);
  if (line.kind !== 'release') return (await branchReleasesAt(git, ref, repo, line, known)).last;
  const published = known ? known.published : await resolveCommit(git, `refs/remotes/${repo.remote}/${repo.branch}`);
  const target = known ? known.target : await resolveCommit(git, ref);
  if (!published || !target) return null;
  // A tag reachable from both is reachable from one of their merge bases: one listing, no per-tag walk.
  const bases = (await git.raw(['merge-base', '--all', target, published]).catch(() => ''))
    .split('\n')
    .map((b) => b.trim())
    .filter(Boolean);
  if (bases.length === 0) return null;
  return highestReleaseTag(git, bases, repo);
}

/** A repository's settings as one branch sees them (`onBranch`); without `branches`, the release branch. */
export type RepoLine = Pick<RepoConfig, 'tagFormat' | 'remote' | 'branch'> & Partial<Pick<RepoConfig, 'branches'>>;

function lineOf(repo: RepoLine): ReleaseBranch {
  // Without branches, branchOf answers the release branch of that name.
  return branchOf({ branch: repo.branch, branches: repo.branches ?? [] });
}

/**
 * What a prerelease or maintenance branch's next version is decided from (`nextOnBranch`): its
 * last release, the highest stable version it reaches, and for a maintenance branch the lowest
 * stable release above its last one that it does not reach (another line's).
 */
export interface BranchReleases {
  last: ReleaseTag | null;
  latestStable: string | null;
  ceiling: string | null;
}

/**
 * `BranchReleases` of `ref` on a prerelease or maintenance branch. A tag counts when both `ref`
 * and the remote's branch reach it, as on the release branch (`lastReleaseTag`); a branch not
 * pushed yet is measured against the remote's release branch, which it was cut from.
 */
async function branchReleasesAt(
  git: SimpleGit,
  ref: string,
  repo: RepoLine,
  line: ReleaseBranch,
  known?: KnownRefs,
): Promise<BranchReleases> {
  const none: BranchReleases = { last: null, latestStable: null, ceiling: null };
  const releaseBranch = repo.branches ? (findBranch(repo.branches)?.name ?? repo.branch) : repo.branch;
  // The branch's remote ref, the release branch's and `ref` in one `cat-file --batch`.
  const [own, fromRelease, at] = await readObjects(await workDirOf(git), [
    `refs/remotes/${repo.remote}/${repo.branch}^{commit}`,
    `refs/remotes/${repo.remote}/${releaseBranch}^{commit}`,
    `${ref}^{commit}`,
  ]);
  const published = (known ? known.published : (own?.sha ?? null)) ?? fromRelease?.sha ?? null;
  const target = known ? known.target : (at?.sha ?? null);
  if (!published || !target) return none;
  const bases = (await git.raw(['merge-base', '--all', target, published]).catch(() => ''))
    .split('\n')
    .map((b) => b.trim())
    .filter(Boolean);
  if (bases.length === 0) return none;
  return branchReleases(git, bases, line, repo.tagFormat);
}

/** `BranchReleases` of `ref` on the branch `repo` is seen from (`onBranch`); the release branch's last release only. */
export async function releasesOnBranch(
  git: SimpleGit,
  ref: string,
  repo: RepoLine,
  known?: KnownRefs,
): Promise<BranchReleases> {
  const line = lineOf(repo);
  if (line.kind === 'release')
    return { last: await lastReleaseTag(git, ref, repo, known), latestStable: null, ceiling: null };
  return branchReleasesAt(git, ref, repo, line, known);
}

/**
 * `BranchReleases` of the tags reachable from any of `commits`: one `for-each-ref --merged`
 * (one walk) names them; a maintenance branch also lists every tag (no walk) for the ones it
 * does not reach.
 */
async function branchReleases(
  git: SimpleGit,
  commits: string[],
  line: ReleaseBranch,
  tagFormat: string,
): Promise<BranchReleases> {
  const [prefix = '', suffix = ''] = tagFormat.split('${version}');
  const pattern = `refs/tags/${prefix}*${suffix}`;
  const [reachableOut, allOut] = await Promise.all([
    git.raw(['for-each-ref', ...commits.flatMap((commit) => ['--merged', commit]), TAG_LISTING, pattern]),
    line.kind === 'maintenance' ? git.raw(['for-each-ref', '--format=%(refname)', pattern]) : Promise.resolve(''),
  ]);
  const versionOf = (ref: string): string | null => {
    if (!ref.startsWith('refs/tags/')) return null;
    const tag = ref.slice('refs/tags/'.length);
    if (!tag.startsWith(prefix) || !tag.endsWith(suffix)) return null;
    return semver.valid(tag.slice(prefix.length, tag.length - suffix.length));
  };
  const inRange = (version: string) =>
    line.range === null || (semver.gte(version, line.range.min) && semver.lt(version, line.range.max));
  const reachable = new Set<string>();
  let last: { tag: string; version: string; sha: string | null } | null = null;
  let latestStable: string | null = null;
  for (const entry of reachableOut.split('\n').filter(Boolean)) {
    const [ref = '', object = '', type = '', peeled = '', peeledType = ''] = entry.split(NUL);
    const version = versionOf(ref);
    if (!version) continue;
    reachable.add(ref);
    const pre = semver.prerelease(version);
    if (pre === null && (latestStable === null || semver.gt(version, latestStable))) latestStable = version;
    // A prerelease branch counts its own prereleases (`-beta.N`), never another channel's.
    const counts =
      line.kind === 'prerelease' ? pre === null || pre[0] === line.prerelease : pre === null && inRange(version);
    if (!counts) continue;
    const sha = type === 'commit' ? object : peeledType === 'commit' ? peeled : null;
    if (!last || semver.gt(version, last.version)) last = { tag: ref.slice('refs/tags/'.length), version, sha };
  }
  let ceiling: string | null = null;
  if (line.kind === 'maintenance') {
    const floor = last?.version ?? line.range?.min ?? '0.0.0';
    for (const ref of allOut.split('\n').filter(Boolean)) {
      if (reachable.has(ref)) continue;
      const version = versionOf(ref);
      if (!version || semver.prerelease(version) || !semver.gt(version, floor)) continue;
      if (ceiling === null || semver.lt(version, ceiling)) ceiling = version;
    }
    if (ceiling !== null && line.range && semver.gte(ceiling, maintenanceBounds(line, null).max)) ceiling = null;
  }
  if (!last) return { last: null, latestStable, ceiling };
  const sha = last.sha ?? (await git.raw(['rev-list', '-n', '1', `refs/tags/${last.tag}`])).trim();
  return { last: { tag: last.tag, version: last.version, sha }, latestStable, ceiling };
}

/**
 * The highest stable version tag reachable from any of `commits`, with the commit it names: one
 * `for-each-ref`, which prints each tag's commit beside its name (`*objectname` for an annotated
 * tag), so no second process resolves the winner.
 */
async function highestReleaseTag(
  git: SimpleGit,
  commits: string[],
  repo: Pick<RepoConfig, 'tagFormat'>,
): Promise<{ tag: string; version: string; sha: string } | null> {
  const [prefix = '', suffix = ''] = repo.tagFormat.split('${version}');
  const out = await git.raw([
    'for-each-ref',
    ...commits.flatMap((commit) => ['--merged', commit]),
    TAG_LISTING,
    `refs/tags/${prefix}*${suffix}`,
  ]);
  return bestOf(git, out, prefix, suffix);
}

/** Picks the highest stable version from `for-each-ref` lines (see `highestReleaseTag`). */
async function bestOf(
  git: SimpleGit,
  listing: string,
  prefix: string,
  suffix: string,
): Promise<{ tag: string; version: string; sha: string } | null> {
  let best: { tag: string; version: string; sha: string | null } | null = null;
  for (const line of listing.split('\n').filter(Boolean)) {
    const [ref = '', object = '', type = '', peeled = '', peeledType = ''] = line.split(NUL);
    if (!ref.startsWith('refs/tags/')) continue;
    const tag = ref.slice('refs/tags/'.length);
    if (!tag.startsWith(prefix) || !tag.endsWith(suffix)) continue;
    const version = semver.valid(tag.slice(prefix.length, tag.length - suffix.length));
    if (!version || semver.prerelease(version)) continue;
    // A tag of a tag peels one level here; such a rare one is resolved on its own below.
    const sha = type === 'commit' ? object : peeledType === 'commit' ? peeled : null;
    if (!best || semver.gt(version, best.version)) best = { tag, version, sha };
  }
  if (!best) return null;
  const sha = best.sha ?? (await git.raw(['rev-list', '-n', '1', `refs/tags/${best.tag}`])).trim();
  return { tag: best.tag, version: best.version, sha };
}

/**
 * What pre-flight needs of the remote's release branch in one `for-each-ref`: where it is, and the
 * last release on it. `merged` is the remote branch itself, which pre-flight has already found to
 * be an ancestor of HEAD, so a tag reachable from it is reachable from both (see `lastReleaseTag`).
 */
export async function remoteBranchAndLastRelease(
  git: SimpleGit,
  repo: RepoLine,
): Promise<{
  remoteSha: string;
  lastRelease: { tag: string; version: string; sha: string } | null;
  /** A prerelease or maintenance branch's reads for `nextOnBranch`; absent on the release branch. */
  line?: BranchReleases;
}> {
  const [prefix = '', suffix = ''] = repo.tagFormat.split('${version}');
  const branchRef = `refs/remotes/${repo.remote}/${repo.branch}`;
  const line = lineOf(repo);
  if (line.kind !== 'release') {
    const [remoteSha, releases] = await Promise.all([
      resolveCommit(git, branchRef),
      branchReleases(git, [branchRef], line, repo.tagFormat),
    ]);
    if (!remoteSha) throw new Error(`cannot read ${branchRef}`);
    return { remoteSha, lastRelease: releases.last, line: releases };
  }
  const out = await git.raw([
    'for-each-ref',
    '--merged',
    branchRef,
    TAG_LISTING,
    branchRef,
    `refs/tags/${prefix}*${suffix}`,
  ]);
  const branchLine = out.split('\n').find((line) => line.split(NUL)[0] === branchRef);
  const remoteSha = branchLine?.split(NUL)[1] ?? '';
  if (!OBJECT_ID.test(remoteSha)) throw new Error(`cannot read ${branchRef}`);
  return { remoteSha, lastRelease: await bestOf(git, out, prefix, suffix) };
}

/**
 * `git status --porcelain=v2 --branch`: the branch (null when detached), HEAD's commit (null
 * before the first one) and the entries written as the short format writes them (`?? path`,
 * ` M path`), for messages that read as `git status --short`.
 */
export function parseStatus(out: string): { branch: string | null; head: string | null; entries: string[] } {
  let branch: string | null = null;
  let head: string | null = null;
  const entries: string[] = [];
  for (const line of out.split('\n')) {
    if (!line) continue;
    if (line.startsWith('# ')) {
      const [, key = '', value = ''] = line.split(' ');
      if (key === 'branch.head' && value !== '(detached)') branch = value;
      if (key === 'branch.oid' && value !== '(initial)') head = value;
      continue;
    }
    const words = line.split(' ');
    const xy = (words[1] ?? '').replace(/\./g, ' ');
    // Fields before the path: 8 for a change, 9 for a rename or copy, 10 for a conflict.
    if (line.startsWith('1 ')) entries.push(`${xy} ${words.slice(8).join(' ')}`);
    else if (line.startsWith('2 ')) {
      const [to = '', from = ''] = words.slice(9).join(' ').split('\t');
      entries.push(`${xy} ${from} -> ${to}`);
    } else if (line.startsWith('u ')) entries.push(`${xy} ${words.slice(10).join(' ')}`);
    else if (line.startsWith('? ')) entries.push(`?? ${line.slice(2)}`);
    else entries.push(line);
  }
  return { branch, head, entries };
}

/** One object as `git cat-file --batch` prints it. */
export interface GitObject {
  sha: string;
  type: string;
  body: string;
}

/**
 * Reads several revisions in one `git cat-file --batch`: null for each one that names nothing
 * (a tag not made yet, a remote branch not pushed yet), where `rev-parse` of several refs fails whole.
 */
export async function readObjects(dir: string, revisions: string[]): Promise<(GitObject | null)[]> {
  if (revisions.some((r) => r.includes('\n') || r === ''))
    throw new Error(`cannot read ${JSON.stringify(revisions)}: a revision per line`);
  const result = await execa('git', ['cat-file', '--batch'], {
    cwd: dir,
    input: `${revisions.join('\n')}\n`,
    encoding: 'buffer',
    // The last object's body may end in a newline of its own; the sizes say where each ends.
    stripFinalNewline: false,
    reject: false,
  });
  if (result.exitCode !== 0) throw new Error(`git cat-file failed: ${Buffer.from(result.stderr).toString().trim()}`);
  const out = Buffer.from(result.stdout);
  const objects: (GitObject | null)[] = [];
  let at = 0;
  for (const revision of revisions) {
    const end = out.indexOf(10, at);
    if (end < 0) throw new Error(`git cat-file ended early at ${revision}`);
    const header = out.subarray(at, end).toString();
    at = end + 1;
    const [sha = '', type = '', size = ''] = header.split(' ');
    if (!OBJECT_ID.test(sha) || !/^\d+$/.test(size)) {
      objects.push(null);
      continue;
    }
    const length = Number(size);
    objects.push({ sha, type, body: out.subarray(at, at + length).toString('utf8') });
    at += length + 1;
  }
  return objects;
}

/** A commit object's fields as `git show -s --format=%H %T %P %ct %s` would print them. */
export function parseCommit(object: GitObject): CommitInfo & { parents: string[]; subject: string } {
  const split = object.body.indexOf('\n\n');
  const headers = (split < 0 ? object.body : object.body.slice(0, split)).split('\n');
  const message = split < 0 ? '' : object.body.slice(split + 2);
  const field = (name: string) => headers.filter((h) => h.startsWith(`${name} `)).map((h) => h.slice(name.length + 1));
  const committer = field('committer')[0] ?? '';
  const ct = committer.split(' ').at(-2) ?? '0';
  // %s: the first paragraph, its lines joined by spaces.
  const subject = (message.split(/\n\s*\n/)[0] ?? '').trim().split('\n').join(' ');
  return {
    sha: object.sha,
    tree: field('tree')[0] ?? '',
    parents: field('parent'),
    committedAtMs: Number(ct) * 1000,
    subject,
  };
}

/**
 * Runs git with `input` on its stdin: a tag or commit message goes through here, never as one
 * argument, because Linux caps a single argument at 128 KiB and a changelog entry can be longer.
 */
export async function gitWithInput(dir: string, args: string[], input: string): Promise<string> {
  const { name, email } = gitIdentity();
  const result = await execa('git', ['-c', `user.name=${name}`, '-c', `user.email=${email}`, ...args], {
    cwd: dir,
    input,
    reject: false,
  });
  if (result.exitCode !== 0) throw new Error(`git ${args[0]} failed: ${(result.stderr || result.stdout).trim()}`);
  return result.stdout;
}

const LOG_FIELDS = ['%H', '%P', '%cI', '%an', '%ae', '%T', '%B'] as const;

/** A commit of `commitsInRange`, with its tree (pre-flight reads HEAD's from the same log). */
export type LoggedCommit = RawCommit & { tree: string };

/** Commits in `from..to` (everything up to `to` when there is no `from`), newest first. */
export async function commitsInRange(git: SimpleGit, from: string | null, to: string): Promise<LoggedCommit[]> {
  const range = from ? `${from}..${to}` : to;
  // A repository's `log.showSignature` would print gpg's lines amid the records.
  const out = await git.raw(['log', '-z', '--no-show-signature', `--format=${LOG_FIELDS.join('%x00')}`, range, '--']);
  const fields = out.split(NUL);
  const commits: LoggedCommit[] = [];
  // Each commit is exactly LOG_FIELDS.length fields, and `-z` ends each with a NUL: a last, empty one remains.
  for (let i = 0; i + LOG_FIELDS.length <= fields.length; i += LOG_FIELDS.length) {
    const [sha = '', parents = '', committedAt = '', author = '', email = '', tree = '', message = ''] = fields.slice(
      i,
      i + LOG_FIELDS.length,
    );
    const parentList = parents.split(' ').filter(Boolean);
    if (!OBJECT_ID.test(sha) || !parentList.every((parent) => OBJECT_ID.test(parent))) {
      throw new Error(`cannot read the log of ${range}: unexpected output at commit ${commits.length + 1}`);
    }
    commits.push({ ...splitMessage(sha, parentList, committedAt, author, email, message), tree });
  }
  return commits;
}

/** A release as `lastReleaseTag` names it. */
export type ReleaseTag = NonNullable<Awaited<ReturnType<typeof lastReleaseTag>>>;

/** Where `readSinceLastRelease` hands each commit as git writes it; `restart` when it reads the log again. */
export interface CommitSink {
  add(commit: RawCommit): Promise<void> | void;
  restart(): void;
}

/**
 * The last release before `target` (as `lastReleaseTag` decides it) and every commit since it,
 * newest first, from one `git log` streamed into `sink` while git still writes it.
 *
 * The tags come from `for-each-ref`, which reads refs and walks nothing. The highest stable
 * version among them is the last release whenever both `target` and the remote's release branch
 * reach it, which is the usual case; the log of `<tag>..target` then answers the first half
 * itself: with `--boundary` it also names the commits just outside the range, and a commit is
 * one of those exactly when it is a proper ancestor of `target`. Only when that tag turns out
 * not to count (never pushed, or on a branch `target` does not have) is the old answer asked
 * for (`lastReleaseTag`, a second walk) and the log read again.
 */
export async function readSinceLastRelease(
  git: SimpleGit,
  target: string,
  repo: RepoLine,
  sink: CommitSink,
): Promise<{ previous: ReleaseTag | null; commits: RawCommit[]; line?: BranchReleases }> {
  const dir = await workDirOf(git);
  const branch = lineOf(repo);
  if (branch.kind !== 'release') {
    // A prerelease or maintenance branch: its own tag rules (`branchReleasesAt`), then one log.
    const line = await branchReleasesAt(git, target, repo, branch);
    const from = line.last?.sha ?? null;
    const commits = from === target ? [] : await streamCommits(dir, target, from, sink);
    return { previous: line.last, commits, line };
  }
  const publishedRef = `refs/remotes/${repo.remote}/${repo.branch}`;
  const { published, highest } = await releaseRefs(git, publishedRef, repo.tagFormat);
  if (!published || !highest) return { previous: null, commits: await streamCommits(dir, target, null, sink) };

  const sha = highest.sha ?? (await resolveCommit(git, `refs/tags/${highest.tag}`));
  if (sha) {
    // Asked beside the log, and only when the log cannot answer it; a failure here leaves it to lastReleaseTag.
    const onPublished =
      sha === published || published === target ? null : isAncestor(dir, sha, published).catch(() => false);
    const boundary = new Set<string>();
    const commits = sha === target ? [] : await streamCommits(dir, target, sha, sink, boundary);
    const reached = sha === target || boundary.has(sha);
    const merged = onPublished === null ? sha === published || reached : await onPublished;
    if (reached && merged) return { previous: { tag: highest.tag, version: highest.version, sha }, commits };
    sink.restart();
  }
  const previous = await lastReleaseTag(git, target, repo);
  return { previous, commits: await streamCommits(dir, target, previous?.sha ?? null, sink) };
}

/**
 * The remote's release branch, and the tag of the highest stable version under the format
 * (the first in refname order among equal versions, as `git tag --list` lists them), with its
 * commit when git names it here (a lightweight tag, or an annotated tag of a commit).
 */
async function releaseRefs(
  git: SimpleGit,
  publishedRef: string,
  tagFormat: string,
): Promise<{ published: string | null; highest: { tag: string; version: string; sha: string | null } | null }> {
  const [prefix = '', suffix = ''] = tagFormat.split('${version}');
  const out = await git.raw([
    'for-each-ref',
    '--format=%(refname)%00%(objecttype)%00%(objectname)%00%(*objecttype)%00%(*objectname)',
    'refs/tags/',
    publishedRef,
  ]);
  let published: string | null = null;
  let highest: { tag: string; version: string; sha: string | null } | null = null;
  for (const line of out.split('\n')) {
    const [ref = '', type = '', object = '', peeledType = '', peeled = ''] = line.split(NUL);
    if (ref === publishedRef) {
      published = type === 'commit' ? object : null;
      continue;
    }
    if (!ref.startsWith('refs/tags/')) continue;
    const tag = ref.slice('refs/tags/'.length);
    if (!tag.startsWith(prefix) || !tag.endsWith(suffix)) continue;
    const version = semver.valid(tag.slice(prefix.length, tag.length - suffix.length));
    if (!version || semver.prerelease(version)) continue;
    // A tag of a tree or blob is no release; a tag of a tag is peeled by rev-parse later.
    const sha = type === 'commit' ? object : peeledType === 'commit' ? peeled : peeledType === 'tag' ? null : undefined;
    if (sha === undefined) continue;
    if (!highest || semver.gt(version, highest.version)) highest = { tag, version, sha };
  }
  return { published, highest };
}

// The plan needs no tree: the stream leaves it out of what it reads.
const STREAM_FIELDS = ['%m', '%H', '%P', '%cI', '%an', '%ae', '%B'] as const;

/**
 * `git log -z` of `from..to` (all of `to` without `from`) read as it streams, each commit handed
 * to `sink`; with `boundary`, the commits just outside the range go there instead.
 */
async function streamCommits(
  dir: string,
  to: string,
  from: string | null,
  sink: CommitSink,
  boundary?: Set<string>,
): Promise<RawCommit[]> {
  const range = from ? `${from}..${to}` : to;
  const args = ['log', '-z', '--no-show-signature', `--format=${STREAM_FIELDS.join('%x00')}`];
  if (boundary) args.push('--boundary');
  const child = spawn('git', [...args, range, '--'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < 4096) stderr += chunk;
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stderr }));
  });
  const commits: RawCommit[] = [];
  const fields: string[] = [];
  let rest = '';
  try {
    child.stdout.setEncoding('utf8');
    for await (const chunk of child.stdout as AsyncIterable<string>) {
      const parts = (rest + chunk).split(NUL);
      rest = parts.pop() ?? '';
      for (const part of parts) {
        fields.push(part);
        if (fields.length < STREAM_FIELDS.length) continue;
        const [mark = '', sha = '', parents = '', committedAt = '', author = '', email = '', message = ''] = fields;
        fields.length = 0;
        const parentList = parents === '' ? [] : parents.split(' ');
        if (!OBJECT_ID.test(sha) || !parentList.every((parent) => OBJECT_ID.test(parent))) {
          throw new Error(`cannot read the log of ${range}: unexpected output at commit ${commits.length + 1}`);
        }
        if (mark === '-') {
          boundary?.add(sha);
          continue;
        }
        const commit = splitMessage(sha, parentList, committedAt, author, email, message);
        commits.push(commit);
        const pause = sink.add(commit);
        if (pause) await pause;
      }
    }
  } catch (error) {
    child.kill();
    await exited.catch(() => undefined);
    throw error;
  }
  const { code, stderr } = await exited;
  if (code !== 0) throw new Error(`git log ${range} failed: ${stderr.trim() || `exit code ${code}`}`);
  if (rest !== '' || fields.length > 0)
    throw new Error(`cannot read the log of ${range}: it ends inside commit ${commits.length + 1}`);
  return commits;
}

/** The subject is the first line and the body the rest (blank lines between them dropped). */
function splitMessage(
  sha: string,
  parents: string[],
  committedAt: string,
  author: string,
  email: string,
  text: string,
): RawCommit {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 10) end -= 1;
  const message = end === text.length ? text : text.slice(0, end);
  const eol = message.indexOf('\n');
  const subject = eol === -1 ? message : message.slice(0, eol);
  const body = eol === -1 ? '' : message.slice(eol + 1).replace(/^\n+/, '');
  return { sha, parents, subject, body, committedAt, author, email };
}

// One `--raw` entry: `:<mode> <mode> <object> <object> <status>`, then one path, or two for a rename or copy.
const RAW_ENTRY = /^:\d{6} \d{6} [0-9a-f]+ [0-9a-f]+ ([A-Z])\d*$/;

export async function changedFilesByCommit(
  git: SimpleGit,
  from: string | null,
  to: string,
): Promise<Map<string, string[]>> {
  const range = from ? `${from}..${to}` : to;
  // `--raw` rather than `--name-only`: with -z a path may be anything but NUL, so only its place after an entry says it is a path.
  const tokens = (
    await git.raw([
      'log',
      '-z',
      '--no-show-signature',
      '--no-merges',
      '--format=%H',
      '--raw',
      '--no-abbrev',
      range,
      '--',
    ])
  ).split(NUL);
  const files = new Map<string, string[]>();
  let current: string[] | null = null;
  for (let i = 0; i < tokens.length; i += 1) {
    // git puts a newline between a commit's header and its first entry.
    const token = (tokens[i] ?? '').replace(/^\n/, '');
    const entry = RAW_ENTRY.exec(token);
    if (entry && current) {
      const paths = entry[1] === 'R' || entry[1] === 'C' ? 2 : 1;
      current.push(tokens[i + paths] ?? '');
      i += paths;
    } else if (OBJECT_ID.test(token)) {
      current = [];
      files.set(token, current);
    } else if (token !== '' || i !== tokens.length - 1) {
      throw new Error(`cannot read the changed files of ${range}: unexpected output after ${files.size} commits`);
    }
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
  return porcelain
    .split('\n')
    .filter((line) => line.startsWith('!\t'))
    .map((line) => {
      const [, refs = '', summary = ''] = line.split('\t');
      return { ref: refs.split(':').pop() ?? refs, reason: summary.trim() };
    });
}

/**
 * The last release before `sha` and every commit since it, with its commit time: what a QA
 * report must be newer than to approve `sha`.
 */
export async function pendingSinceLastRelease(
  git: SimpleGit,
  sha: string,
  repo: RepoLine,
  known?: KnownRefs,
): Promise<{
  lastRelease: Awaited<ReturnType<typeof lastReleaseTag>>;
  pending: { sha: string; committedAtMs: number }[];
}> {
  const lastRelease = await lastReleaseTag(git, sha, repo, known);
  const log = await git.raw(['log', '--format=%H %ct', lastRelease ? `${lastRelease.sha}..${sha}` : sha, '--']);
  const pending = log
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [commit = '', ct = '0'] = line.split(' ');
      return { sha: commit, committedAtMs: Number(ct) * 1000 };
    });
  return { lastRelease, pending };
}
