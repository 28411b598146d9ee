import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import type { SimpleGit } from 'simple-git';
import { stringify } from 'yaml';
import { isApprovalFresh } from '../context/recency.js';
import { VersionOverrideError } from '../domain/bump.js';
import { changelogHasVersion, prependChangelog } from '../domain/changelog.js';
import type { RepoConfig } from '../config/types.js';
import type { ActivityDeps } from './deps.js';
import { commitInfo, isAncestor, lastReleaseTag, openGit, resolveCommit } from './git.js';
import { planRelease, type ReleasePlan } from './plan.js';
import { readReports, signedReports, writeFileAtomically } from './reports.js';
import { repoOrFail, workingCopy } from './working-copy.js';

export interface Preflight {
  sha: string;
  tree: string;
  branch: string;
  /** The remote branch as fetched, or null when it does not exist yet. */
  remoteSha: string | null;
  lastRelease: { tag: string; version: string; sha: string } | null;
  pendingCommits: number;
  approval: { fresh: boolean; reason: string; report: string | null };
  /** Reports in context/ not yet committed (QA runs, deployments): the release commit takes them in. */
  untrackedReports: string[];
}

export interface ReleaseFilesInput {
  repoId: string;
  sourceSha: string;
  version: string;
  tag: string;
  releasedAt: string;
  changelogEntry: string;
  /** Reports in context/ (file names) committed with the release: the approving QA report first. */
  evidence: string[];
}

export const RELEASE_FILES = ['CHANGELOG.md', 'context/release-number', 'config/version.yml'] as const;

export function releaseCommitMessage(tag: string): string {
  return `chore(release): ${tag}`;
}

function fail(type: string, message: string): never {
  throw ApplicationFailure.nonRetryable(message, type);
}

export function createReleaseActivities(deps: ActivityDeps) {
  async function open(repoId: string): Promise<{ repo: RepoConfig; dir: string; git: SimpleGit }> {
    const repo = repoOrFail(deps.config, repoId);
    const dir = await workingCopy(deps.config, repo);
    return { repo, dir, git: openGit(dir) };
  }

  async function remoteBranchSha(git: SimpleGit, repo: RepoConfig): Promise<string | null> {
    const out = await git.raw(['ls-remote', '--', repo.remote, `refs/heads/${repo.branch}`]);
    return out.split(/\s+/)[0] || null;
  }

  return {
    async preflight(input: { repoId: string }): Promise<Preflight> {
      const { repo, dir, git } = await open(input.repoId);
      if (repo.source.kind === 'url') {
        await git.raw(['checkout', '--force', '-B', repo.branch, `refs/remotes/${repo.remote}/${repo.branch}`]);
      }
      const status = await git.raw(['status', '--porcelain', '--untracked-files=all']);
      const untracked = await signedReports(dir, status.split('\n').filter((line) => /^\?\? context\/[^/]+\.md$/.test(line)).map((line) => line.slice('?? context/'.length)), deps.reportKeys);
      const dirty = status.split('\n').filter((line) => line && !(line.startsWith('?? context/') && line.endsWith('.md')));
      if (dirty.length > 0) {
        fail('SHIPGATE_DIRTY_WORK_TREE', `the work tree of "${repo.id}" is not clean (only untracked reports in context/ are allowed):\n${dirty.slice(0, 10).join('\n')}`);
      }
      const branch = (await git.raw(['symbolic-ref', '--quiet', '--short', 'HEAD']).catch(() => '')).trim();
      if (branch !== repo.branch) {
        fail('SHIPGATE_WRONG_BRANCH', `the work tree of "${repo.id}" is on ${branch ? `branch ${branch}` : 'a detached HEAD'}, not on the release branch ${repo.branch}`);
      }
      try {
        await git.raw(['fetch', '--quiet', '--tags', '--', repo.remote, `+refs/heads/${repo.branch}:refs/remotes/${repo.remote}/${repo.branch}`]);
      } catch (error) {
        throw ApplicationFailure.retryable(`cannot fetch ${repo.remote}: ${(error as Error).message.trim()}`, 'SHIPGATE_REMOTE_UNREACHABLE');
      }
      const head = await commitInfo(git, 'HEAD');
      const remoteSha = await resolveCommit(git, `refs/remotes/${repo.remote}/${repo.branch}`);
      if (remoteSha && remoteSha !== head.sha && !(await isAncestor(dir, remoteSha, head.sha))) {
        const behind = await isAncestor(dir, head.sha, remoteSha);
        fail('SHIPGATE_BRANCH_BEHIND', `${repo.branch} at ${head.sha.slice(0, 7)} is ${behind ? 'behind' : 'diverged from'} ${repo.remote}/${repo.branch} at ${remoteSha.slice(0, 7)}; ${behind ? 'pull' : 'reconcile'} before releasing`);
      }
      const lastRelease = await lastReleaseTag(git, head.sha, repo.tagFormat);
      const log = await git.raw(['log', '--format=%H %ct', lastRelease ? `${lastRelease.sha}..${head.sha}` : head.sha, '--']);
      const pending = log.split('\n').filter(Boolean).map((line) => {
        const [sha = '', ct = '0'] = line.split(' ');
        return { sha, committedAtMs: Number(ct) * 1000 };
      });
      const listing = await readReports(dir, deps.reportKeys);
      const newest = listing.signed[0] ?? null;
      const verdict = isApprovalFresh({ report: newest, head, pending });
      // Named: foreign reports that would have been the newest, and untracked ones left out of the commit.
      const firstSigned = listing.reports.findIndex((r) => r.signature.ok);
      const shadowing = listing.reports.slice(0, firstSigned === -1 ? undefined : firstSigned);
      const foreign = new Map([...shadowing.map((r) => [r.name, r.signature.ok ? '' : r.signature.reason] as const), ...untracked.foreign.map((f) => [f.name, f.reason] as const)]);
      const named = [...foreign].slice(0, 5).map(([name, why]) => `${name} (${why})`);
      const ignored = foreign.size === 0 ? '' : `; ignored as foreign, never approval nor evidence: ${named.join(', ')}${foreign.size > named.length ? ` and ${foreign.size - named.length} more` : ''}`;
      return {
        sha: head.sha,
        tree: head.tree,
        branch,
        remoteSha,
        lastRelease,
        pendingCommits: pending.length,
        approval: { ...verdict, reason: `${verdict.reason}${ignored}`, report: newest?.name ?? null },
        untrackedReports: untracked.signed,
      };
    },

    async planVersion(input: { repoId: string; sha: string; override?: string; releasedAt: string }): Promise<ReleasePlan> {
      const { repo, git } = await open(input.repoId);
      try {
        const plan = await planRelease(git, repo, { sha: input.sha, override: input.override, date: input.releasedAt.slice(0, 10) });
        return { ...plan, commits: plan.commits.slice(0, 200) };
      } catch (error) {
        if (error instanceof VersionOverrideError) fail('SHIPGATE_INVALID_VERSION', error.message);
        throw error;
      }
    },

    /** Writes the version files and the changelog entry; each write is skipped when already done. */
    async writeReleaseFiles(input: ReleaseFilesInput): Promise<{ written: string[] }> {
      const { dir, git } = await open(input.repoId);
      const head = (await git.revparse(['HEAD'])).trim();
      if (head !== input.sourceSha) {
        const subject = (await git.raw(['show', '-s', '--format=%s', 'HEAD'])).trim();
        if (subject === releaseCommitMessage(input.tag)) return { written: [] };
        fail('SHIPGATE_HEAD_MOVED', `HEAD moved to ${head.slice(0, 7)} during the release of ${input.sourceSha.slice(0, 7)}`);
      }
      const written: string[] = [];
      const changelogFile = path.join(dir, 'CHANGELOG.md');
      const existing = await readFile(changelogFile, 'utf8').catch(() => null);
      if (existing === null || !changelogHasVersion(existing, input.version)) {
        await writeFileAtomically(dir, changelogFile, prependChangelog(existing, input.changelogEntry));
        written.push('CHANGELOG.md');
      }
      await writeFileAtomically(dir, path.join(dir, 'context', 'release-number'), `${input.version}\n`);
      await writeFileAtomically(dir, path.join(dir, 'config', 'version.yml'), stringify({
        version: input.version,
        released_at: input.releasedAt,
        git_sha: input.sourceSha,
        tag: input.tag,
      }));
      written.push('context/release-number', 'config/version.yml');
      return { written };
    },

    /** One commit with the release files and the QA evidence; a retry finds the commit already made. */
    async commitRelease(input: ReleaseFilesInput): Promise<{ releaseCommit: string }> {
      const { dir, git } = await open(input.repoId);
      const message = releaseCommitMessage(input.tag);
      const head = await commitInfo(git, 'HEAD');
      if (head.sha !== input.sourceSha) {
        const [subject, parent] = (await git.raw(['show', '-s', '--format=%s%n%P', 'HEAD'])).trim().split('\n');
        if (subject === message && parent === input.sourceSha) return { releaseCommit: head.sha };
        fail('SHIPGATE_HEAD_MOVED', `HEAD moved to ${head.sha.slice(0, 7)} during the release of ${input.sourceSha.slice(0, 7)}`);
      }
      const evidence = input.evidence.map((name) => `context/${name}`);
      for (const file of evidence) await readFile(path.join(dir, file)).catch(() => fail('SHIPGATE_REPO_UNAVAILABLE', `the report ${file} is missing from the work tree`));
      await git.raw(['add', '--', ...RELEASE_FILES, ...evidence]);
      await git.raw(['commit', '--quiet', '--no-verify', '-m', message, '--', ...RELEASE_FILES, ...evidence]);
      return { releaseCommit: (await git.revparse(['HEAD'])).trim() };
    },

    /** An annotated tag whose message is the changelog entry; an existing tag on the same commit is kept. */
    async tagRelease(input: { repoId: string; tag: string; releaseCommit: string; message: string }): Promise<{ created: boolean }> {
      const { git } = await open(input.repoId);
      const existing = await resolveCommit(git, `refs/tags/${input.tag}`);
      if (existing === input.releaseCommit) return { created: false };
      if (existing) fail('SHIPGATE_TAG_EXISTS', `tag ${input.tag} already exists on ${existing.slice(0, 7)}, not on the release commit ${input.releaseCommit.slice(0, 7)}`);
      // verbatim: the entry's Markdown headings start with '#', which git would strip as comments.
      await git.raw(['tag', '--annotate', '--cleanup=verbatim', '--message', input.message, '--', input.tag, input.releaseCommit]);
      return { created: true };
    },

    /**
     * Pushes branch and tag in one atomic push, leased on the remote branch as pre-flight saw it:
     * if anyone pushed since, nothing is pushed, the local release is undone, and the run fails.
     */
    async pushRelease(input: { repoId: string; tag: string; releaseCommit: string; sourceSha: string; expectedRemoteSha: string | null }): Promise<{ pushed: boolean }> {
      const { repo, dir, git } = await open(input.repoId);
      const remoteNow = await remoteBranchSha(git, repo);
      const remoteTag = (await git.raw(['ls-remote', '--', repo.remote, `refs/tags/${input.tag}^{}`])).split(/\s+/)[0] || null;
      if (remoteNow === input.releaseCommit && remoteTag === input.releaseCommit) return { pushed: false };
      if (remoteNow !== input.expectedRemoteSha) {
        await undoLocalRelease(git, dir, input);
        fail('SHIPGATE_REMOTE_MOVED', `remote-moved: ${repo.remote}/${repo.branch} moved from ${input.expectedRemoteSha?.slice(0, 7) ?? '(none)'} to ${remoteNow?.slice(0, 7) ?? '(none)'} during the release; the local release commit and tag were undone and nothing was pushed`);
      }
      const lease = `--force-with-lease=refs/heads/${repo.branch}:${input.expectedRemoteSha ?? ''}`;
      try {
        await git.raw(['push', '--atomic', '--porcelain', lease, '--', repo.remote, `${input.releaseCommit}:refs/heads/${repo.branch}`, `refs/tags/${input.tag}:refs/tags/${input.tag}`]);
      } catch (error) {
        const after = await remoteBranchSha(git, repo);
        if (after !== input.expectedRemoteSha && after !== input.releaseCommit) {
          await undoLocalRelease(git, dir, input);
          fail('SHIPGATE_REMOTE_MOVED', `remote-moved: ${repo.remote}/${repo.branch} moved from ${input.expectedRemoteSha?.slice(0, 7) ?? '(none)'} to ${after?.slice(0, 7) ?? '(none)'} during the push; the local release commit and tag were undone and nothing was pushed`);
        }
        throw ApplicationFailure.retryable(`push to ${repo.remote} failed: ${(error as Error).message.trim()}`, 'SHIPGATE_PUSH_FAILED');
      }
      await git.raw(['update-ref', `refs/remotes/${repo.remote}/${repo.branch}`, input.releaseCommit]).catch(() => undefined);
      return { pushed: true };
    },
  };
}

/** Back to the approved source commit, keeping the QA reports the release commit had taken in. */
async function undoLocalRelease(git: SimpleGit, dir: string, input: { tag: string; releaseCommit: string; sourceSha: string }): Promise<void> {
  const tagged = await resolveCommit(git, `refs/tags/${input.tag}`);
  if (tagged === input.releaseCommit) await git.raw(['tag', '--delete', '--', input.tag]);
  const head = (await git.revparse(['HEAD'])).trim();
  if (head !== input.releaseCommit) return;
  const files = (await git.raw(['diff', '--name-only', input.sourceSha, input.releaseCommit, '--', 'context/'])).split('\n').filter((f) => f.endsWith('.md'));
  const kept = await Promise.all(files.map(async (file) => ({ file, text: await git.show([`${input.releaseCommit}:${file}`]) })));
  await git.raw(['reset', '--quiet', '--hard', input.sourceSha]);
  for (const { file, text } of kept) await writeFileAtomically(dir, path.join(dir, file), text);
}

export type ReleaseActivities = ReturnType<typeof createReleaseActivities>;
