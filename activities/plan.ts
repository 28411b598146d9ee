import { setImmediate } from 'node:timers/promises';
import type { SimpleGit } from 'simple-git';
import type { RepoConfig } from '../config/types.js';
import { nextVersion, tagName } from '../domain/bump.js';
import { renderChangelogEntry } from '../domain/changelog.js';
import { commitAnalyser, type CommitEntry } from '../domain/commits.js';
import { readSinceLastRelease } from './git.js';

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
  input: { sha: string; override?: string; date: string },
): Promise<ReleasePlan> {
  // Asked beside the log: one more git process, which need not wait for it.
  const repoUrl = remoteUrlOf(git, repo.remote);
  // Commits are classified as git writes them; each full slice of text yields the event loop.
  const analyser = commitAnalyser();
  const { previous, commits } = await readSinceLastRelease(git, input.sha, repo, {
    add: (commit) => (analyser.add(commit) ? setImmediate() : undefined),
    restart: () => analyser.restart(),
  });
  const analysis = analyser.finish();
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
  const changelogEntry = renderChangelogEntry({
    version: next.version,
    date: input.date,
    analysis,
    previousTag: previous?.tag ?? null,
    tag,
    repoUrl: await repoUrl,
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
