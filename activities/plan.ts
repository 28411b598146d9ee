import { setImmediate } from 'node:timers/promises';
import type { SimpleGit } from 'simple-git';
import type { RepoConfig } from '../config/types.js';
import { nextVersion, tagName } from '../domain/bump.js';
import { renderChangelogEntry } from '../domain/changelog.js';
import { analyseCommitsInSlices, type CommitEntry, type RawCommit } from '../domain/commits.js';
import { commitsInRange, lastReleaseTag } from './git.js';

type LastRelease = { tag: string; version: string; sha: string } | null;

interface PlanBasis {
  sha: string;
  previous: { tag: string; version: string; sha: string } | null;
  bump: string | null;
  reason: string;
  commitCount: number;
  commits: Pick<CommitEntry, 'shortSha' | 'type' | 'scope' | 'subject' | 'bump' | 'reason'>[];
}

/** A plan with a next version: its tag and changelog entry are always there with it. */
export interface PlannedRelease extends PlanBasis {
  version: string;
  tag: string;
  changelogEntry: string;
}

/** Nothing to release; `reason` says why. The nulls keep the shape recorded in run histories. */
export interface NothingToRelease extends PlanBasis {
  version: null;
  tag: null;
  changelogEntry: null;
}

export type ReleasePlan = PlannedRelease | NothingToRelease;

/**
 * What a release of `sha` would be: version, the reason per commit and the changelog entry,
 * exactly as the release writes them. Reads local refs and objects only; writes nothing.
 */
export async function planRelease(
  git: SimpleGit,
  repo: RepoConfig,
  input: {
    sha: string;
    override?: string;
    date: string;
    /** The last release and the commits since it, when the caller has just read them (pre-flight). */
    known?: { previous: LastRelease; commits: readonly RawCommit[] };
  },
): Promise<ReleasePlan> {
  const previous = input.known ? input.known.previous : await lastReleaseTag(git, input.sha, repo);
  const commits = input.known ? input.known.commits : await commitsInRange(git, previous?.sha ?? null, input.sha);
  const analysis = await analyseCommitsInSlices(commits, () => setImmediate());
  const next = nextVersion({
    current: previous?.version ?? null,
    currentTag: previous?.tag ?? null,
    bump: analysis.bump,
    commitCount: commits.length,
    initialVersion: repo.initialVersion,
    preMajor: repo.preMajor,
    override: input.override,
  });
  const basis: PlanBasis = {
    sha: input.sha,
    previous,
    bump: analysis.bump,
    reason: next.reason,
    commitCount: commits.length,
    commits: analysis.entries.map(({ shortSha, type, scope, subject, bump, reason }) => ({
      shortSha,
      type,
      scope,
      subject,
      bump,
      reason,
    })),
  };
  if (!next.version) return { ...basis, version: null, tag: null, changelogEntry: null };
  const tag = tagName(next.version, repo.tagFormat);
  const repoUrl = await remoteUrlOf(git, repo.remote);
  const changelogEntry = renderChangelogEntry({
    version: next.version,
    date: input.date,
    analysis,
    previousTag: previous?.tag ?? null,
    tag,
    repoUrl,
  });
  return { ...basis, version: next.version, tag, changelogEntry };
}

async function remoteUrlOf(git: SimpleGit, remote: string): Promise<string | null> {
  try {
    return (await git.raw(['remote', 'get-url', '--', remote])).trim() || null;
  } catch {
    return null;
  }
}
