import { setImmediate } from 'node:timers/promises';
import type { SimpleGit } from 'simple-git';
import type { RepoConfig } from '../config/types.js';
import { tagName } from '../domain/bump.js';
import { branchOf, nextOnBranch, type ReleaseBranch } from '../domain/branches.js';
import { renderChangelogEntry } from '../domain/changelog.js';
import {
  analyseCommitsInSlices,
  commitAnalyser,
  type Bump,
  type CommitEntry,
  type RawCommit,
} from '../domain/commits.js';
import { planCursor } from '../vocabulary/plan-page.js';
import { readSinceLastRelease, type BranchReleases } from './git.js';

type LastRelease = { tag: string; version: string; sha: string } | null;

interface PlanBasis {
  sha: string;
  /** The line it was planned on (`branches`): its kind, channel and range (runs recorded before have none). */
  branch: ReleaseBranch;
  previous: { tag: string; version: string; sha: string } | null;
  bump: string | null;
  reason: string;
  commitCount: number;
  commits: Pick<CommitEntry, 'shortSha' | 'type' | 'scope' | 'subject' | 'bump' | 'reason'>[];
  /**
   * The author names and emails of the commits released (approvals refuse them, `notAuthor`), and
   * when the oldest was made (the lead time). Absent from plans recorded before they were.
   */
  authors?: string[];
  firstCommitAt?: string | null;
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
    /**
     * The last release and the commits since it, when the caller has just read them (pre-flight);
     * on a prerelease or maintenance branch, with the rest of what its version is decided from.
     */
    known?: { previous: LastRelease; commits: readonly RawCommit[]; line?: BranchReleases };
  },
): Promise<ReleasePlan> {
  // Asked beside the log: one more git process, which need not wait for it.
  const repoUrl = remoteUrlOf(git, repo.remote);
  const branch = branchOf(repo);
  const { previous, commits, analysis, line } = input.known
    ? {
        ...input.known,
        analysis: await analyseCommitsInSlices(input.known.commits, () => setImmediate(), repo.commits),
      }
    : await readAndAnalyse(git, repo, input.sha);
  // The release branch decides as it always did; the other kinds by their tags (see nextOnBranch).
  const next = nextOnBranch(branch, {
    last: previous,
    latestStable: line?.latestStable ?? null,
    ceiling: line?.ceiling ?? null,
    bump: analysis.bump,
    commitCount: commits.length,
    initialVersion: repo.initialVersion,
    preMajor: repo.preMajor,
    override: input.override,
  });
  const basis: PlanBasis = {
    sha: input.sha,
    branch,
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
    ...whoAndWhen(commits),
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
    preset: repo.commits.preset,
    sort: repo.changelog.sort,
  });
  return { ...basis, version: next.version, tag, changelogEntry };
}

/** How many commits of one type the plan has, and how many of them count towards the release. */
export interface TypeSummary {
  /** The Conventional Commits type, `revert`, or null for commits that are neither. */
  type: string | null;
  commits: number;
  releasing: number;
  /** The highest bump among them; null when none counts. */
  bump: Bump | null;
}

/**
 * A plan as the API answers it: everything but the commit list in full (version, reason, the
 * changelog entry, a summary per type), and one page of the commits. Ten thousand commits made
 * a 2 MB answer, near the payload a Temporal result may carry; a page keeps it small.
 * `page.next` is the cursor of the next page, null on the last: it names the commit this plan
 * was made at, so every page of one plan lists the same history.
 */
export interface PlanPage extends Omit<PlanBasis, 'commits'> {
  version: string | null;
  tag: string | null;
  /** The entry, cut at a line once it passes `PLAN_CHANGELOG_BYTES`; the release writes it whole. */
  changelogEntry: string | null;
  /** How many lines of the entry were left out of `changelogEntry` (0 when it is whole). */
  changelogLinesLeftOut: number;
  summary: TypeSummary[];
  commits: PlanBasis['commits'];
  page: { offset: number; limit: number; next: string | null };
}

/**
 * The part of the changelog entry a plan's answer carries. Ten thousand commits make an entry of
 * about 790 kB, which alone passes the size at which Temporal warns about a payload, and 25,000
 * would pass the 2 MB it refuses: the plan read would fail. A person reading a plan needs the
 * beginning; the summary per type and the commit pages say the rest.
 */
export const PLAN_CHANGELOG_BYTES = 64 * 1024;

/** The entry up to the last whole line within `limit` bytes, and how many lines were left out. */
export function changelogExcerpt(entry: string | null, limit = PLAN_CHANGELOG_BYTES) {
  if (entry === null || Buffer.byteLength(entry) <= limit) return { changelogEntry: entry, changelogLinesLeftOut: 0 };
  const lines = entry.split('\n');
  let bytes = 0;
  let kept = 0;
  while (kept < lines.length && bytes + Buffer.byteLength(lines[kept] ?? '') + 1 <= limit) {
    bytes += Buffer.byteLength(lines[kept] ?? '') + 1;
    kept += 1;
  }
  const leftOut = lines.slice(kept).filter((line) => line.trim() !== '').length;
  return { changelogEntry: `${lines.slice(0, kept).join('\n')}\n`, changelogLinesLeftOut: leftOut };
}

const BUMP_ORDER: Readonly<Record<Bump, number>> = { patch: 1, minor: 2, major: 3 };

/** The summary and the page `offset`..`offset + limit` of a plan. */
export function planPage(plan: ReleasePlan, page: { offset: number; limit: number }): PlanPage {
  // Who wrote the commits is for the promotion's approvals, not for a dry run's answer.
  const { commits, changelogEntry, authors: _authors, firstCommitAt: _firstCommitAt, ...rest } = plan;
  const byType = new Map<string | null, TypeSummary>();
  for (const commit of commits) {
    let summary = byType.get(commit.type);
    if (!summary) byType.set(commit.type, (summary = { type: commit.type, commits: 0, releasing: 0, bump: null }));
    summary.commits += 1;
    if (commit.bump === null) continue;
    summary.releasing += 1;
    if (summary.bump === null || BUMP_ORDER[commit.bump] > BUMP_ORDER[summary.bump]) summary.bump = commit.bump;
  }
  const end = page.offset + page.limit;
  return {
    ...rest,
    ...changelogExcerpt(changelogEntry),
    summary: [...byType.values()].sort((a, b) => b.commits - a.commits || String(a.type).localeCompare(String(b.type))),
    commits: commits.slice(page.offset, end),
    page: { ...page, next: end < commits.length ? planCursor(plan.sha, end) : null },
  };
}

/** The different author names and emails of `commits`, and the time of the oldest. */
function whoAndWhen(commits: readonly RawCommit[]): { authors: string[]; firstCommitAt: string | null } {
  const authors = new Set<string>();
  let first: { at: number; text: string } | null = null;
  for (const commit of commits) {
    if (commit.author) authors.add(commit.author);
    if (commit.email) authors.add(commit.email);
    const at = Date.parse(commit.committedAt);
    if (!Number.isNaN(at) && (first === null || at < first.at)) first = { at, text: commit.committedAt };
  }
  return { authors: [...authors], firstCommitAt: first ? new Date(first.at).toISOString() : null };
}

/** The last release and the commits since it in one walk, classified as git writes them. */
async function readAndAnalyse(git: SimpleGit, repo: RepoConfig, sha: string) {
  // Each full slice of text yields the event loop.
  const analyser = commitAnalyser(repo.commits);
  const { previous, commits, line } = await readSinceLastRelease(git, sha, repo, {
    add: (commit) => (analyser.add(commit) ? setImmediate() : undefined),
    restart: () => analyser.restart(),
  });
  return { previous, commits, line, analysis: analyser.finish() };
}

async function remoteUrlOf(git: SimpleGit, remote: string): Promise<string | null> {
  try {
    return (await git.raw(['remote', 'get-url', '--', remote])).trim() || null;
  } catch {
    return null;
  }
}
