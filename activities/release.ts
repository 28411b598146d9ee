import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import type { SimpleGit } from 'simple-git';
import { stringify } from 'yaml';
import { isApprovalFresh } from '../context/recency.js';
import { branchOf } from '../domain/branches.js';
import { ShipgateError } from '../domain/errors.js';
import { changelogHasVersion, prependChangelog } from '../domain/changelog.js';
import { RELEASE_TRAILER } from '../domain/commits.js';
import type { RepoConfig } from '../config/types.js';
import type { ActivityDeps } from './deps.js';
import { activityFailure } from './failure.js';
import {
  commitInfo,
  commitsInRange,
  gitWithInput,
  isAncestor,
  parseCommit,
  parseStatus,
  readObjects,
  rejectedRefs,
  remoteBranchAndLastRelease,
  releasesOnBranch,
  resolveCommit,
} from './git.js';
import { planRelease, type ReleasePlan } from './plan.js';
import { readReports, signedReports, writeFileAtomically } from './reports.js';
import { openWorkingCopy } from './working-copy.js';

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
  /** The configured branch released (`branches`); default the release branch. */
  branch?: string;
  sourceSha: string;
  version: string;
  tag: string;
  releasedAt: string;
  changelogEntry: string;
  /** Reports in context/ (file names) committed with the release: the approving QA report first. */
  evidence: string[];
}

export const RELEASE_FILES = ['CHANGELOG.md', 'context/release-number', 'config/version.yml'] as const;

/** The subject of shipgate's release commit: what the steps compare a HEAD's subject with. */
export function releaseCommitSubject(tag: string): string {
  return `chore(release): ${tag}`;
}

/**
 * The whole message of the release commit. The analysis knows its own release commits by the
 * trailer (a person may write `chore(release): …` too, and `chore(release)!: …` is a breaking
 * change); older release commits have no trailer and read as the chore they are.
 */
export function releaseCommitMessage(tag: string): string {
  return `${releaseCommitSubject(tag)}\n\n${RELEASE_TRAILER}: ${tag}\n`;
}

export function createReleaseActivities(deps: ActivityDeps) {
  /** Where the remote has the release branch and the tag's commit, in one `ls-remote`. */
  async function remoteRelease(
    git: SimpleGit,
    repo: RepoConfig,
    tag: string,
  ): Promise<{ branch: string | null; tag: string | null }> {
    const out = await git.raw(['ls-remote', '--', repo.remote, `refs/heads/${repo.branch}`, `refs/tags/${tag}^{}`]);
    const refs = new Map(
      out
        .split('\n')
        .filter(Boolean)
        .map((line) => [line.split('\t')[1] ?? '', line.split(/\s+/)[0] ?? ''] as const),
    );
    return { branch: refs.get(`refs/heads/${repo.branch}`) || null, tag: refs.get(`refs/tags/${tag}^{}`) || null };
  }

  async function remoteBranchSha(git: SimpleGit, repo: RepoConfig): Promise<string | null> {
    const out = await git.raw(['ls-remote', '--', repo.remote, `refs/heads/${repo.branch}`]);
    return out.split(/\s+/)[0] || null;
  }

  return {
    /**
     * Clean tree, release branch, not behind the remote, approval. With `plan`, it also plans the
     * version (as `planVersion` does) from the same reads: the last release and the commits since
     * it are what the approval is checked against anyway, and the tags were fetched just now.
     */
    async preflight(input: {
      repoId: string;
      branch?: string;
      plan?: { override?: string; releasedAt: string };
    }): Promise<Preflight & { plan?: ReleasePlan }> {
      const { repo, dir, git } = await openWorkingCopy(deps, input.repoId, { fetch: true, branch: input.branch });
      if (repo.source.kind === 'url') {
        // A clone of a url repository is a cache: whatever a run that moved to another worker left
        // here (a release commit, its files, a tag never pushed) is not this release's to trip on.
        await git.raw(['checkout', '--force', '-B', repo.branch, `refs/remotes/${repo.remote}/${repo.branch}`]);
        await dropStaleLocalState(git, repo);
      }
      // One status answers the tree, the branch and HEAD's commit (`# branch.head`, `# branch.oid`).
      const status = parseStatus(await git.raw(['status', '--porcelain=v2', '--branch', '--untracked-files=all']));
      const untracked = await signedReports(
        dir,
        status.entries
          .filter((line) => /^\?\? context\/[^/]+\.md$/.test(line))
          .map((line) => line.slice('?? context/'.length)),
        deps.reportKeys,
      );
      const dirty = status.entries.filter((line) => !(line.startsWith('?? context/') && line.endsWith('.md')));
      if (dirty.length > 0) {
        throw activityFailure(
          'SHIPGATE_DIRTY_WORK_TREE',
          `the work tree of "${repo.id}" is not clean (only untracked reports in context/ are allowed):\n${dirty.slice(0, 10).join('\n')}`,
        );
      }
      const branch = status.branch;
      if (branch !== repo.branch) {
        throw activityFailure(
          'SHIPGATE_WRONG_BRANCH',
          `the work tree of "${repo.id}" is on ${branch ? `branch ${branch}` : 'a detached HEAD'}, not on ${branchOf(repo).kind === 'release' ? 'the release branch' : 'branch'} ${repo.branch}${input.branch ? ', which this release was asked for' : ''}`,
        );
      }
      // A clone was fetched as it was opened; a configured path fetches its release branch here.
      if (repo.source.kind === 'path') {
        await fetchReleaseBranch(git, repo, { force: false });
      }
      const headSha = status.head;
      if (!headSha) throw activityFailure('SHIPGATE_REPO_UNAVAILABLE', `repository "${repo.id}" has no commit yet`);
      const remoteRef = `refs/remotes/${repo.remote}/${repo.branch}`;
      // Asked by name, so the SHAs come later with the tags: one process for "not behind", one for both.
      const ahead = await isAncestor(dir, remoteRef, 'HEAD').catch(async (error: unknown) => {
        if ((await resolveCommit(git, remoteRef)) === null) return null;
        throw error;
      });
      if (ahead === false) {
        const remoteSha = (await resolveCommit(git, remoteRef)) ?? '?';
        const behind = await isAncestor(dir, headSha, remoteSha);
        throw activityFailure(
          'SHIPGATE_BRANCH_BEHIND',
          `${repo.branch} at ${headSha.slice(0, 7)} is ${behind ? 'behind' : 'diverged from'} ${repo.remote}/${repo.branch} at ${remoteSha.slice(0, 7)}; ${behind ? 'pull' : 'reconcile'} before releasing`,
        );
      }
      // The remote branch is an ancestor of HEAD (or absent): a tag reachable from it is the last release.
      // A prerelease or maintenance branch not pushed yet measures from the release branch it was cut from.
      const { remoteSha, lastRelease, line } =
        ahead !== null
          ? await remoteBranchAndLastRelease(git, repo)
          : branchOf(repo).kind === 'release'
            ? { remoteSha: null, lastRelease: null, line: undefined }
            : await releasesOnBranch(git, headSha, repo).then((l) => ({
                remoteSha: null,
                lastRelease: l.last,
                line: l,
              }));
      const commits = await commitsInRange(git, lastRelease?.sha ?? null, headSha);
      const pending = commits.map((c) => ({ sha: c.sha, committedAtMs: Date.parse(c.committedAt) }));
      const newestCommit = commits[0];
      const head =
        newestCommit?.sha === headSha
          ? { sha: headSha, tree: newestCommit.tree, committedAtMs: Date.parse(newestCommit.committedAt) }
          : await commitInfo(git, 'HEAD');
      const listing = await readReports(dir, deps.reportKeys);
      const newest = listing.signed[0] ?? null;
      const verdict = isApprovalFresh({ report: newest, head, pending });
      // Named: foreign reports that would have been the newest, and untracked ones left out of the commit.
      const firstSigned = listing.reports.findIndex((r) => r.signature.ok);
      const shadowing = listing.reports.slice(0, firstSigned === -1 ? undefined : firstSigned);
      const foreign = new Map([
        ...shadowing.map((r) => [r.name, r.signature.ok ? '' : r.signature.reason] as const),
        ...untracked.foreign.map((f) => [f.name, f.reason] as const),
      ]);
      const named = [...foreign].slice(0, 5).map(([name, why]) => `${name} (${why})`);
      const ignored =
        foreign.size === 0
          ? ''
          : `; ignored as foreign, never approval nor evidence: ${named.join(', ')}${foreign.size > named.length ? ` and ${foreign.size - named.length} more` : ''}`;
      return {
        sha: head.sha,
        tree: head.tree,
        branch,
        remoteSha,
        lastRelease,
        pendingCommits: pending.length,
        approval: { ...verdict, reason: `${verdict.reason}${ignored}`, report: newest?.name ?? null },
        untrackedReports: untracked.signed,
        ...(input.plan
          ? {
              plan: await plan(
                git,
                repo,
                head.sha,
                input.plan,
                { previous: lastRelease, commits, line },
                { fetched: true },
              ),
            }
          : {}),
      };
    },

    async planVersion(input: {
      repoId: string;
      branch?: string;
      sha: string;
      override?: string;
      releasedAt: string;
    }): Promise<ReleasePlan> {
      const { repo, git } = await openWorkingCopy(deps, input.repoId, { fetch: false, branch: input.branch });
      return plan(git, repo, input.sha, input, undefined, { fetched: false });
    },

    /** Writes the version files and the changelog entry; each write is skipped when already done. */
    async writeReleaseFiles(input: ReleaseFilesInput): Promise<{ written: string[] }> {
      const { repo, dir, git } = await openWorkingCopy(deps, input.repoId, { fetch: false, branch: input.branch });
      const head = (await git.revparse(['HEAD'])).trim();
      if (head !== input.sourceSha) {
        const subject = (await git.raw(['show', '-s', '--format=%s', 'HEAD'])).trim();
        if (subject === releaseCommitSubject(input.tag)) return { written: [] };
        throw activityFailure(
          'SHIPGATE_HEAD_MOVED',
          `HEAD moved to ${head.slice(0, 7)} during the release of ${input.sourceSha.slice(0, 7)}`,
        );
      }
      return { written: await writeFiles(dir, repo, input) };
    },

    /** One commit with the release files and the QA evidence; a retry finds the commit already made. */
    async commitRelease(input: ReleaseFilesInput): Promise<{ releaseCommit: string }> {
      const { dir, git } = await openWorkingCopy(deps, input.repoId, { fetch: false, branch: input.branch });
      const releaseSubject = releaseCommitSubject(input.tag);
      const head = await commitInfo(git, 'HEAD');
      if (head.sha !== input.sourceSha) {
        const [subject, parent] = (await git.raw(['show', '-s', '--format=%s%n%P', 'HEAD'])).trim().split('\n');
        if (subject === releaseSubject && parent === input.sourceSha) return { releaseCommit: head.sha };
        throw activityFailure(
          'SHIPGATE_HEAD_MOVED',
          `HEAD moved to ${head.sha.slice(0, 7)} during the release of ${input.sourceSha.slice(0, 7)}`,
        );
      }
      await commitFiles(dir, git, input);
      return { releaseCommit: (await git.revparse(['HEAD'])).trim() };
    },

    /**
     * The release files, the release commit and its annotated tag in one step (four git processes),
     * safe to run again after a crash at any point: a release commit of the source commit already
     * at HEAD is adopted (the files are in it), and a tag already on that commit is kept.
     */
    async commitAndTagRelease(
      input: ReleaseFilesInput,
    ): Promise<{ written: string[]; releaseCommit: string; committed: boolean; tagged: boolean }> {
      const { repo, dir, git } = await openWorkingCopy(deps, input.repoId, { fetch: false, branch: input.branch });
      const releaseSubject = releaseCommitSubject(input.tag);
      const [headObject, taggedObject] = await readObjects(dir, ['HEAD', `refs/tags/${input.tag}^{commit}`]);
      if (!headObject) throw activityFailure('SHIPGATE_REPO_UNAVAILABLE', `repository "${repo.id}" has no HEAD`);
      const head = parseCommit(headObject);
      let releaseCommit: string;
      let written: string[] = [];
      if (head.sha === input.sourceSha) {
        written = await writeFiles(dir, repo, input);
        releaseCommit = await commitFiles(dir, git, input);
      } else if (head.subject === releaseSubject && head.parents.join(' ') === input.sourceSha) {
        releaseCommit = head.sha;
      } else {
        throw activityFailure(
          'SHIPGATE_HEAD_MOVED',
          `HEAD moved to ${head.sha.slice(0, 7)} during the release of ${input.sourceSha.slice(0, 7)}`,
        );
      }
      const committed = releaseCommit !== head.sha;
      const tagged = taggedObject?.sha ?? null;
      if (tagged === releaseCommit) return { written, releaseCommit, committed, tagged: false };
      if (tagged)
        throw activityFailure(
          'SHIPGATE_TAG_EXISTS',
          `tag ${input.tag} already exists on ${tagged.slice(0, 7)}, not on the release commit ${releaseCommit.slice(0, 7)}`,
        );
      await createTag(dir, input.tag, releaseCommit, input.changelogEntry);
      return { written, releaseCommit, committed, tagged: true };
    },

    /** An annotated tag whose message is the changelog entry; an existing tag on the same commit is kept. */
    async tagRelease(input: {
      repoId: string;
      branch?: string;
      tag: string;
      releaseCommit: string;
      message: string;
    }): Promise<{ created: boolean }> {
      const { dir, git } = await openWorkingCopy(deps, input.repoId, { fetch: false, branch: input.branch });
      const existing = await resolveCommit(git, `refs/tags/${input.tag}`);
      if (existing === input.releaseCommit) return { created: false };
      if (existing)
        throw activityFailure(
          'SHIPGATE_TAG_EXISTS',
          `tag ${input.tag} already exists on ${existing.slice(0, 7)}, not on the release commit ${input.releaseCommit.slice(0, 7)}`,
        );
      await createTag(dir, input.tag, input.releaseCommit, input.message);
      return { created: true };
    },

    /**
     * Pushes branch and tag in one atomic push, leased on the remote branch as pre-flight saw it.
     * A refusal is final (someone pushed since, a hook or a protected branch said no): nothing is
     * pushed, the local release is undone and the run fails. Anything else, such as a remote that
     * does not answer, is retried; when the retries run out the workflow undoes the release.
     */
    async pushRelease(input: {
      repoId: string;
      branch?: string;
      tag: string;
      releaseCommit: string;
      sourceSha: string;
      expectedRemoteSha: string | null;
    }): Promise<{ pushed: boolean }> {
      // `repo.branch` is the branch released: the lease, the push of refs/heads/<branch> and the answer are its.
      const { repo, dir, git } = await openWorkingCopy(deps, input.repoId, { fetch: true, branch: input.branch });
      // Pushed first and asked after: the lease refuses a remote that moved, and only a push that
      // failed asks the remote why (already pushed by an attempt whose answer was lost, moved, refused).
      const lease = `--force-with-lease=refs/heads/${repo.branch}:${input.expectedRemoteSha ?? ''}`;
      const push = await execa(
        'git',
        [
          'push',
          '--atomic',
          '--porcelain',
          lease,
          '--',
          repo.remote,
          `${input.releaseCommit}:refs/heads/${repo.branch}`,
          `refs/tags/${input.tag}:refs/tags/${input.tag}`,
        ],
        { cwd: dir, reject: false },
      );
      if (push.exitCode !== 0) {
        const { branch: after, tag: remoteTag } = await remoteRelease(git, repo, input.tag).catch(() => {
          // A remote that does not answer the push does not answer the question either: retried.
          throw activityFailure(
            'SHIPGATE_PUSH_FAILED',
            `push to ${repo.remote} failed: ${(push.stderr || push.stdout).trim()}`,
          );
        });
        if (after === input.releaseCommit && remoteTag === input.releaseCommit) return { pushed: false };
        if (after !== input.expectedRemoteSha && after !== input.releaseCommit) {
          await undoLocalRelease(git, dir, input);
          throw activityFailure(
            'SHIPGATE_REMOTE_MOVED',
            `remote-moved: ${repo.remote}/${repo.branch} moved from ${input.expectedRemoteSha?.slice(0, 7) ?? '(none)'} to ${after?.slice(0, 7) ?? '(none)'} during the release; the local release commit and tag were undone and nothing was pushed`,
          );
        }
        const refused = rejectedRefs(push.stdout);
        const remoteSaid = push.stderr
          .split('\n')
          .filter((line) => line.startsWith('remote:'))
          .slice(0, 10);
        if (refused.length > 0) {
          await undoLocalRelease(git, dir, input);
          throw activityFailure(
            'SHIPGATE_PUSH_REJECTED',
            [
              `${repo.remote} refused the push of ${repo.branch} and ${input.tag}: ${refused.map((r) => `${r.ref} ${r.reason}`).join('; ')}; the local release commit and tag were undone and nothing was pushed`,
              ...remoteSaid,
            ].join('\n'),
          );
        }
        throw activityFailure(
          'SHIPGATE_PUSH_FAILED',
          `push to ${repo.remote} failed: ${(push.stderr || push.stdout).trim()}`,
        );
      }
      // git updated refs/remotes/<remote>/<branch> itself, as it does for a pushed branch its fetch refspec maps.
      // Both refs `=` (up to date): an attempt whose answer was lost had pushed them already.
      const flags = push.stdout
        .split('\n')
        .filter((line) => /^.\t[^\t]+:[^\t]+\t/.test(line))
        .map((line) => line[0]);
      return { pushed: !(flags.length > 0 && flags.every((flag) => flag === '=')) };
    },

    /**
     * Takes over a release whose worker was lost, on this worker's own clone at the SHAs the
     * workflow holds. When the remote already has the tag on a release commit of `sourceSha`
     * (the lost worker pushed before it died), that commit is the release: `adopted`. Otherwise
     * the clone is made clean at `sourceSha` for the release steps to run again, and `missing`
     * names the evidence (reports in context/) that stayed on the lost worker.
     */
    async resumeRelease(input: {
      repoId: string;
      branch?: string;
      sourceSha: string;
      tag: string | null;
      evidence: string[];
    }): Promise<{ adopted: string | null; missing: string[]; reason: string }> {
      // Not fetched as it opens: the fetch just below brings exactly the branch and the tags it needs.
      const { repo, dir, git } = await openWorkingCopy(deps, input.repoId, { fetch: false, branch: input.branch });
      if (repo.source.kind !== 'url')
        throw activityFailure(
          'SHIPGATE_REPO_UNAVAILABLE',
          `repository "${repo.id}" is a path on another worker's host; its release cannot move to this worker`,
        );
      await fetchReleaseBranch(git, repo, { force: true });
      if ((await resolveCommit(git, input.sourceSha)) !== input.sourceSha) {
        throw activityFailure(
          'SHIPGATE_REPO_UNAVAILABLE',
          `commit ${input.sourceSha} does not exist on ${repo.remote} of repository "${repo.id}"`,
        );
      }
      await dropStaleLocalState(git, repo);
      if (input.tag) {
        const tagged = await resolveCommit(git, `refs/tags/${input.tag}`);
        if (tagged) {
          const [subject, parent] = (await git.raw(['show', '-s', '--format=%s%n%P', tagged, '--'])).trim().split('\n');
          if (subject === releaseCommitSubject(input.tag) && parent === input.sourceSha) {
            await git.raw(['checkout', '--quiet', '--force', '--detach', tagged]);
            return {
              adopted: tagged,
              missing: [],
              reason: `${repo.remote} has ${input.tag} on the release commit ${tagged.slice(0, 7)} of ${input.sourceSha.slice(0, 7)}: adopted`,
            };
          }
        }
      }
      await git.raw(['checkout', '--quiet', '--force', '--detach', input.sourceSha]);
      const missing: string[] = [];
      for (const name of input.evidence) {
        if (
          !(await readFile(path.join(dir, 'context', name)).then(
            () => true,
            () => false,
          ))
        )
          missing.push(name);
      }
      return {
        adopted: null,
        missing,
        reason: `clean at ${input.sourceSha.slice(0, 7)}${missing.length ? `; not here: ${missing.map((m) => `context/${m}`).join(', ')}` : ''}`,
      };
    },

    /**
     * The compensation of a release that cannot finish: back to the source commit with no release
     * commit, no local tag and no release files, the reports kept. Safe to call at any point and
     * more than once; it never touches a commit that is not this release's own.
     */
    async undoRelease(input: {
      repoId: string;
      branch?: string;
      tag: string;
      sourceSha: string;
    }): Promise<{ undone: boolean; reason: string }> {
      const { repo, dir, git } = await openWorkingCopy(deps, input.repoId, { fetch: false, branch: input.branch });
      const head = await commitInfo(git, 'HEAD');
      const [subject, parent] = (await git.raw(['show', '-s', '--format=%s%n%P', 'HEAD'])).trim().split('\n');
      const releaseCommit =
        head.sha !== input.sourceSha && subject === releaseCommitSubject(input.tag) && parent === input.sourceSha
          ? head.sha
          : null;
      if (head.sha !== input.sourceSha && !releaseCommit) {
        return {
          undone: false,
          reason: `HEAD is ${head.sha.slice(0, 7)}, neither the source commit nor its release commit: left as it is`,
        };
      }
      if (releaseCommit) {
        // A push whose answer was lost may have landed: then the release is out and undoing it would
        // strand it the other way. An unreachable remote counts as not pushed; if it was, the next
        // pre-flight finds the branch behind its remote and asks for a pull, which loses nothing.
        const remoteNow = await remoteBranchSha(git, repo).catch(() => null);
        if (remoteNow === releaseCommit)
          return {
            undone: false,
            reason: `${repo.remote}/${repo.branch} has the release commit ${releaseCommit.slice(0, 7)}: kept`,
          };
        await undoLocalRelease(git, dir, { tag: input.tag, releaseCommit, sourceSha: input.sourceSha });
        return {
          undone: true,
          reason: `release commit ${releaseCommit.slice(0, 7)} and tag ${input.tag} undone; back at ${input.sourceSha.slice(0, 7)}`,
        };
      }
      const tracked = new Set(
        (await git.raw(['ls-tree', '-r', '--name-only', input.sourceSha, '--', ...RELEASE_FILES]))
          .split('\n')
          .filter(Boolean),
      );
      for (const file of RELEASE_FILES) {
        if (tracked.has(file)) await git.raw(['checkout', input.sourceSha, '--', file]);
        else await rm(path.join(dir, file), { force: true });
      }
      return {
        undone: true,
        reason: `no release commit was made; release files restored at ${input.sourceSha.slice(0, 7)}`,
      };
    },
  };
}

/** The version plan of `sha`, refused when its tag exists; the commit list shortened for history. */
async function plan(
  git: SimpleGit,
  repo: RepoConfig,
  sha: string,
  input: { override?: string; releasedAt: string },
  known: Parameters<typeof planRelease>[2]['known'],
  tags: { fetched: boolean },
): Promise<ReleasePlan> {
  let planned: ReleasePlan;
  try {
    planned = await planRelease(git, repo, {
      sha,
      override: input.override,
      date: input.releasedAt.slice(0, 10),
      known,
    });
  } catch (error) {
    // An override that cannot be honoured (SHIPGATE_INVALID_VERSION), a version outside the
    // branch's range (SHIPGATE_VERSION_OUT_OF_RANGE): final, and before anything is written.
    if (error instanceof ShipgateError) throw activityFailure(error.code, error.message);
    throw error;
  }
  // Checked before anything is written: a tag found only at the tag step would leave a release commit behind.
  if (planned.tag) await refuseExistingTag(git, repo, planned.tag, tags);
  return { ...planned, commits: planned.commits.slice(0, 200) };
}

/**
 * Fails the planned tag when it exists here or on the remote, wherever it points. When the tags
 * were fetched in this same step (`fetched`), every tag of the remote is here too, so the remote
 * is asked only about a tag that exists here, for the message.
 */
async function refuseExistingTag(
  git: SimpleGit,
  repo: RepoConfig,
  tag: string,
  { fetched }: { fetched: boolean },
): Promise<void> {
  const local = await resolveCommit(git, `refs/tags/${tag}`);
  if (fetched && !local) return;
  let remote: string | null;
  try {
    const out = await git.raw(['ls-remote', '--tags', '--', repo.remote, `refs/tags/${tag}`, `refs/tags/${tag}^{}`]);
    const lines = out.split('\n').filter(Boolean);
    remote = (lines.find((l) => l.endsWith('^{}')) ?? lines[0])?.split(/\s+/)[0] ?? null;
  } catch (error) {
    throw activityFailure(
      'SHIPGATE_REMOTE_UNREACHABLE',
      `cannot list the tags of ${repo.remote}: ${(error as Error).message.trim()}`,
    );
  }
  if (!local && !remote) return;
  const where = [local && `here on ${local.slice(0, 7)}`, remote && `on ${repo.remote} on ${remote.slice(0, 7)}`]
    .filter(Boolean)
    .join(' and ');
  const stranded =
    !remote &&
    local &&
    (await git.raw(['show', '-s', '--format=%s', local, '--'])).trim() === releaseCommitSubject(tag);
  const hint = stranded
    ? `a release that was never pushed: undo it with git tag --delete ${tag} && git reset --hard ${local.slice(0, 7)}^ (its reports go too; QA runs again), then release again`
    : 'delete the tag if it is not a release, or release another version';
  throw activityFailure('SHIPGATE_TAG_EXISTS', `tag ${tag} already exists ${where}; nothing was written; ${hint}`);
}

/**
 * For a clone of a url repository: drops the local tags its remote does not have (as fetched)
 * and the release files no commit tracks, which a release that moved to another worker leaves
 * behind. Reports in context/ stay: each is signed evidence of a real QA run.
 */
async function dropStaleLocalState(git: SimpleGit, repo: RepoConfig): Promise<void> {
  let listing: string;
  try {
    listing = await git.raw(['ls-remote', '--tags', '--refs', '--', repo.remote]);
  } catch (error) {
    throw activityFailure(
      'SHIPGATE_REMOTE_UNREACHABLE',
      `cannot list the tags of ${repo.remote}: ${(error as Error).message.trim()}`,
    );
  }
  const remoteTags = new Set(
    listing
      .split('\n')
      .map((line) => line.split('\t')[1])
      .filter(Boolean),
  );
  const localTags = (await git.raw(['for-each-ref', '--format=%(refname)', 'refs/tags/'])).split('\n').filter(Boolean);
  const stale = localTags.filter((ref) => !remoteTags.has(ref)).map((ref) => ref.slice('refs/tags/'.length));
  if (stale.length > 0) await git.raw(['tag', '--delete', '--', ...stale]);
  await git.raw(['clean', '--quiet', '--force', '--', ...RELEASE_FILES]);
}

/** Back to the approved source commit, keeping the QA reports the release commit had taken in. */
async function undoLocalRelease(
  git: SimpleGit,
  dir: string,
  input: { tag: string; releaseCommit: string; sourceSha: string },
): Promise<void> {
  const tagged = await resolveCommit(git, `refs/tags/${input.tag}`);
  if (tagged === input.releaseCommit) await git.raw(['tag', '--delete', '--', input.tag]);
  const head = (await git.revparse(['HEAD'])).trim();
  if (head !== input.releaseCommit) return;
  const files = (await git.raw(['diff', '--name-only', input.sourceSha, input.releaseCommit, '--', 'context/']))
    .split('\n')
    .filter((f) => f.endsWith('.md'));
  const kept = await Promise.all(
    files.map(async (file) => ({ file, text: await git.show([`${input.releaseCommit}:${file}`]) })),
  );
  await git.raw(['reset', '--quiet', '--hard', input.sourceSha]);
  for (const { file, text } of kept) await writeFileAtomically(dir, path.join(dir, file), text);
}

/** Writes the version files and the changelog entry (a changelog that has the version is kept); names what it wrote. */
async function writeFiles(dir: string, repo: RepoConfig, input: ReleaseFilesInput): Promise<string[]> {
  // The channel and branch beside the version: a deploy or a person reading the file knows a beta from a stable.
  const line = branchOf(repo);
  const written: string[] = [];
  const changelogFile = path.join(dir, 'CHANGELOG.md');
  const existing = await readFile(changelogFile, 'utf8').catch(() => null);
  if (existing === null || !changelogHasVersion(existing, input.version)) {
    await writeFileAtomically(dir, changelogFile, prependChangelog(existing, input.changelogEntry));
    written.push('CHANGELOG.md');
  }
  await writeFileAtomically(dir, path.join(dir, 'context', 'release-number'), `${input.version}\n`);
  await writeFileAtomically(
    dir,
    path.join(dir, 'config', 'version.yml'),
    stringify({
      version: input.version,
      released_at: input.releasedAt,
      git_sha: input.sourceSha,
      tag: input.tag,
      channel: line.channel,
      branch: line.name,
    }),
  );
  written.push('context/release-number', 'config/version.yml');
  return written;
}

/** The release commit of the release files and the evidence, on HEAD; answers its SHA. */
async function commitFiles(dir: string, git: SimpleGit, input: ReleaseFilesInput): Promise<string> {
  const evidence = input.evidence.map((name) => `context/${name}`);
  for (const file of evidence)
    await readFile(path.join(dir, file)).catch(() => {
      throw activityFailure('SHIPGATE_REPO_UNAVAILABLE', `the report ${file} is missing from the work tree`);
    });
  await git.raw(['add', '--', ...RELEASE_FILES, ...evidence]);
  // With core.abbrev=40 the summary line names the new commit in full: no rev-parse after it.
  const out = await gitWithInput(
    dir,
    ['-c', 'core.abbrev=40', 'commit', '--no-verify', '--file=-', '--', ...RELEASE_FILES, ...evidence],
    releaseCommitMessage(input.tag),
  );
  const named = /^\[[^\]\n]* ([0-9a-f]{40,64})\] /m.exec(out)?.[1];
  return named ?? (await git.revparse(['HEAD'])).trim();
}

/** An annotated tag whose message is the changelog entry. */
async function createTag(dir: string, tag: string, commit: string, message: string): Promise<void> {
  // verbatim: the entry's Markdown headings start with '#', which git would strip as comments.
  await gitWithInput(dir, ['tag', '--annotate', '--cleanup=verbatim', '--file=-', '--', tag, commit], message);
}

export type ReleaseActivities = ReturnType<typeof createReleaseActivities>;

/**
 * Fetches the release branch into its remote-tracking ref, with the remote's tags. `force` lets a
 * tag the remote moved replace the local one: a worker taking over a release must see the remote's.
 */
async function fetchReleaseBranch(
  git: SimpleGit,
  repo: Pick<RepoConfig, 'remote' | 'branch'>,
  { force }: { force: boolean },
): Promise<void> {
  const refspec = `+refs/heads/${repo.branch}:refs/remotes/${repo.remote}/${repo.branch}`;
  try {
    await git.raw(['fetch', '--quiet', ...(force ? ['--force'] : []), '--tags', '--', repo.remote, refspec]);
  } catch (error) {
    if (/couldn't find remote ref/i.test((error as Error).message)) {
      // A branch not on the remote yet (a new prerelease or maintenance line): its first release
      // pushes it, leased on its absence. The tags still come, and no stale tracking ref stays.
      await fetchBranchless(git, repo, force);
      return;
    }
    throw activityFailure(
      'SHIPGATE_REMOTE_UNREACHABLE',
      `cannot fetch ${repo.remote}: ${(error as Error).message.trim()}`,
    );
  }
}

async function fetchBranchless(
  git: SimpleGit,
  repo: Pick<RepoConfig, 'remote' | 'branch'>,
  force: boolean,
): Promise<void> {
  try {
    await git.raw(['fetch', '--quiet', ...(force ? ['--force'] : []), '--tags', '--', repo.remote]);
    await git.raw(['update-ref', '-d', `refs/remotes/${repo.remote}/${repo.branch}`]);
  } catch (error) {
    throw activityFailure(
      'SHIPGATE_REMOTE_UNREACHABLE',
      `cannot fetch ${repo.remote}: ${(error as Error).message.trim()}`,
    );
  }
}
