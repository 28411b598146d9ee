import { access, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { RepoConfig } from '../config/types.js';
import type { LedgerEntry } from '../context/ledger.js';
import type { QaReportFrontMatter } from '../context/report.js';
import { changelogEntryOf, diffSummaryOf, type DiffSummary } from '../domain/approval-page.js';
import { tagName } from '../domain/bump.js';
import { ShipgateError } from '../domain/errors.js';
import type { ActivityDeps, ResolvedDeps } from './deps.js';
import { activityFailure } from './failure.js';
import { openGit, resolveCommit } from './git.js';
import { readLedgerOf } from './ledger.js';
import { PLAN_PAGE } from '../vocabulary/plan-page.js';
import { planPage, planRelease, type PlanPage } from './plan.js';
import { checkRelease, type ReleaseCheck } from './released.js';
import { readReports } from './reports.js';
import { branchOrFail, openWorkingCopy, repoOrFail } from './working-copy.js';

const SHA = /^[0-9a-f]{40}$/;

/** The ledger route's largest `limit`: more entries per environment than that never leave the worker. */
const MAX_LEDGER_ENTRIES = 999;

/** One QA report as the API lists it: the parts of its front matter that matter, and whether it is ours. */
export interface ListedReport extends Pick<
  QaReportFrontMatter,
  'outcome' | 'commit' | 'created_at' | 'tests' | 'coverage'
> {
  name: string;
  verified: boolean;
  verification: string;
}

export interface ReportList {
  reports: ListedReport[];
  warnings: string[];
}

/** What the approval page of a release needs from its working copy; each part null with a warning when unread. */
export interface ApprovalPageRead {
  tag: string;
  qaReport: { name: string; outcome: string | null; text: string } | null;
  changelogEntry: string | null;
  diff: DiffSummary | null;
  warnings: string[];
}

/** A QA report's text kept on the page; the rest is in context/. */
const PAGE_REPORT_BYTES = 64 * 1024;

export interface LedgerList {
  environments: {
    environment: string;
    live: { version: string; since: string; report: string } | null;
    entries: Omit<LedgerEntry, 'environment'>[];
  }[];
  warnings: string[];
}

/**
 * The reads the API asks for (workflows/reads.ts), run by whichever worker takes them from the
 * shared queue: each worker has the configured paths and its own clones, so the API needs
 * neither. Each read fails only with a code from the catalogue, which the API answers with the
 * status it always had.
 */
export function createReadActivities(deps: ResolvedDeps) {
  const today = (): string => deps.now().toISOString().slice(0, 10);

  return {
    /**
     * The dry run of a release: what a release of the branch would do now. A local repository is
     * planned at its HEAD and nothing is written; a URL repository is fetched first (cloned on
     * this worker's first read), since the worker that answers may not be the one that last
     * fetched it, and planned at its remote branch.
     */
    async readPlan(input: {
      repoId: string;
      /** A configured branch (`branches`); default the release branch. */
      branch?: string;
      override?: string;
      /** A page of a plan made before: the commit it was made at, from the page's cursor. */
      at?: string;
      offset?: number;
      limit?: number;
    }): Promise<PlanPage> {
      return asCatalogued(async () => {
        const { repo, git } = await openWorkingCopy(deps, input.repoId, { fetch: true, branch: input.branch });
        // A local repository asked about a named branch plans that branch's tip, wherever HEAD is.
        const ref =
          repo.source.kind === 'url'
            ? `refs/remotes/${repo.remote}/${repo.branch}`
            : input.branch
              ? `refs/heads/${repo.branch}`
              : 'HEAD';
        const sha = await resolveCommit(git, input.at ?? ref).catch(() => null);
        if (!sha && input.at !== undefined) {
          throw activityFailure(
            'SHIPGATE_BAD_REQUEST',
            `the cursor names commit ${input.at.slice(0, 12)}, which repository "${repo.id}" does not have`,
          );
        }
        if (!sha) {
          throw activityFailure(
            'SHIPGATE_REPO_UNAVAILABLE',
            repo.source.kind === 'url'
              ? `repository "${repo.id}" has no branch ${repo.branch} at its remote URL`
              : input.branch
                ? `repository "${repo.id}" has no branch ${repo.branch} at ${repo.source.path}`
                : `repository "${repo.id}" has no commit checked out at ${repo.source.path}`,
          );
        }
        const plan = await planRelease(git, repo, { sha, override: input.override, date: today() });
        const limit = Math.min(Math.max(1, input.limit ?? PLAN_PAGE.defaultLimit), PLAN_PAGE.maxLimit);
        return planPage(plan, { offset: Math.max(0, input.offset ?? 0), limit });
      });
    },

    /**
     * The commit a QA run should test: HEAD of the configured working copy, or the tip of the
     * configured branch at the configured URL (read with ls-remote: nothing is cloned for it).
     * With `branch`, the tip of that configured branch: in the working copy, wherever HEAD is.
     */
    async readHeadCommit(input: { repoId: string; branch?: string }): Promise<{ sha: string }> {
      const repo = branchOrFail(repoOrFail(deps.config, input.repoId), input.branch);
      const sha =
        repo.source.kind === 'path'
          ? await localHead(repo.id, repo.source.path, input.branch ? `refs/heads/${repo.branch}` : 'HEAD')
          : await remoteHead(repo, repo.source.url);
      return { sha };
    },

    /** What the local working copy's remote says its URL is, for webhooks; null when it cannot be read. */
    async readRemoteUrl(input: { repoId: string }): Promise<{ url: string | null }> {
      const repo = repoOrFail(deps.config, input.repoId);
      if (repo.source.kind === 'url') return { url: repo.source.url };
      // simple-git throws at once on a folder that does not exist: one missing working copy must not fail every webhook.
      try {
        return { url: (await openGit(repo.source.path).raw(['remote', 'get-url', '--', repo.remote])).trim() || null };
      } catch {
        return { url: null };
      }
    },

    /** The QA reports in the working copy's context/ folder, newest first, each with the check of its signature. */
    async readReportList(input: { repoId: string }): Promise<ReportList> {
      const repo = repoOrFail(deps.config, input.repoId);
      const { reports, warnings } = await readReports(workingCopyDir(deps, repo), deps.reportKeys);
      return {
        reports: reports.map(({ name, frontMatter: fm, signature }) => ({
          name,
          outcome: fm.outcome,
          commit: fm.commit,
          created_at: fm.created_at,
          tests: fm.tests,
          coverage: fm.coverage,
          verified: signature.ok,
          verification: signature.ok ? `signed with key ${signature.keyId}` : signature.reason,
        })),
        warnings,
      };
    },

    /** The deploy ledger of the working copy: per environment what was deployed, newest first, and what is live. */
    async readDeployLedger(input: { repoId: string }): Promise<LedgerList> {
      const repo = repoOrFail(deps.config, input.repoId);
      const ledger = await readLedgerOf(workingCopyDir(deps, repo), deps.reportKeys);
      return {
        environments: ledger.environments.map(({ environment, live, entries }) => ({
          environment,
          live,
          entries: entries.slice(0, MAX_LEDGER_ENTRIES).map(({ environment: _environment, ...entry }) => entry),
        })),
        warnings: ledger.warnings,
      };
    },

    /** Whether a version is one shipgate released (`checkRelease`), from a fetched working copy: the deployments route's gate. */
    async readReleaseCheck(input: { repoId: string; version: string }): Promise<ReleaseCheck> {
      const { repo, dir } = await openWorkingCopy(deps, input.repoId, { fetch: true });
      return checkRelease(dir, repo, input.version, deps.reportKeys);
    },

    /**
     * What a person reads before approving `version`: its QA report (the one the release named,
     * else the newest of the commit it released), its CHANGELOG.md entry and what changed since the
     * release before it. Each part that cannot be read is left out with a warning; the read fails
     * only when the repository cannot be opened.
     */
    async readApprovalPage(input: {
      repoId: string;
      version: string;
      qaReport?: string | null;
    }): Promise<ApprovalPageRead> {
      return asCatalogued(async () => {
        const { repo, git } = await openWorkingCopy(deps, input.repoId, { fetch: true });
        const tag = tagName(input.version, repo.tagFormat);
        const warnings: string[] = [];
        const page: ApprovalPageRead = { tag, qaReport: null, changelogEntry: null, diff: null, warnings };
        const released = await resolveCommit(git, `refs/tags/${tag}^{commit}`).catch(() => null);
        if (!released) {
          warnings.push(`${repo.id} has no tag ${tag} here, so neither its changelog entry nor its diff can be read`);
        } else {
          const changelog = await git.raw(['show', `${released}:CHANGELOG.md`]).catch(() => null);
          page.changelogEntry = changelog === null ? null : changelogEntryOf(changelog, input.version);
          if (page.changelogEntry === null) warnings.push(`CHANGELOG.md at ${tag} has no entry for ${input.version}`);
          const glob = repo.tagFormat.replace('${version}', '*');
          const previous = (
            await git.raw(['describe', '--tags', '--abbrev=0', `--match=${glob}`, `${released}^`]).catch(() => '')
          ).trim();
          const from = previous === '' ? null : previous;
          const range = from ? `${from}..${released}` : released;
          const [count, numstat] = await Promise.all([
            git.raw(['rev-list', '--count', range]),
            from
              ? git.raw(['diff', '--numstat', '-z', '--no-renames', from, released])
              : git.raw(['show', '--numstat', '-z', '--no-renames', '--format=', released]),
          ]).catch((error: unknown) => {
            warnings.push(`the diff of ${range} could not be read: ${(error as Error).message}`);
            return [null, null];
          });
          if (count !== null && numstat !== null)
            page.diff = diffSummaryOf(numstat, { from, to: tag, commits: Number(count.trim()) });
          const source = await resolveCommit(git, `${released}^`).catch(() => null);
          page.qaReport = await qaReportOf(repo, input.qaReport ?? null, [released, source], warnings);
        }
        return page;
      });
    },
  };

  async function qaReportOf(
    repo: RepoConfig,
    named: string | null,
    commits: (string | null)[],
    warnings: string[],
  ): Promise<ApprovalPageRead['qaReport']> {
    const dir = workingCopyDir(deps, repo);
    const { reports } = await readReports(dir, deps.reportKeys);
    const report =
      reports.find((r) => r.name === named) ??
      reports.find((r) => r.frontMatter.outcome !== undefined && commits.includes(String(r.frontMatter.commit)));
    if (!report) {
      warnings.push(
        named
          ? `the QA report ${named} is not in context/ here`
          : 'no QA report of the released commit is in context/ here',
      );
      return null;
    }
    const text = await readFile(path.join(dir, 'context', report.name), 'utf8');
    return {
      name: report.name,
      outcome: typeof report.frontMatter.outcome === 'string' ? report.frontMatter.outcome : null,
      text: text.length > PAGE_REPORT_BYTES ? `${text.slice(0, PAGE_REPORT_BYTES)}\n…\n` : text,
    };
  }

  async function remoteHead(repo: RepoConfig, url: string): Promise<string> {
    let out: string;
    try {
      out = await openGit(process.cwd()).raw(['ls-remote', '--', url, `refs/heads/${repo.branch}`]);
    } catch (error) {
      // git's message can quote the URL, and a URL can carry credentials: the client gets neither.
      deps.logger.warn({ err: error, repoId: repo.id }, 'git ls-remote failed');
      throw unavailable(repo.id, 'its remote URL cannot be read (the worker log has the details)');
    }
    const sha = out.split('\t')[0]?.trim() ?? '';
    if (!SHA.test(sha)) throw unavailable(repo.id, `branch ${repo.branch} does not exist at its remote URL`);
    return sha;
  }
}

export type ReadActivities = ReturnType<typeof createReadActivities>;

/** The working copy on this worker, as it is: the configured path, or this worker's clone of a URL repository. */
function workingCopyDir(deps: ActivityDeps, repo: RepoConfig): string {
  return repo.source.kind === 'path' ? repo.source.path : path.join(deps.config.dataDir, 'work', repo.id);
}

/** A rule of the domain that refuses (an override below the current version) fails the read with its own code. */
async function asCatalogued<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof ShipgateError) throw activityFailure(error.code, error.message);
    throw error;
  }
}

async function localHead(repoId: string, dir: string, ref: string): Promise<string> {
  const problem = await notAWorkingCopy(dir);
  if (problem) throw unavailable(repoId, `${dir} ${problem}`);
  const sha = await openGit(dir)
    .raw(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])
    .then(
      (out) => out.trim(),
      () => '',
    );
  if (!SHA.test(sha))
    throw unavailable(repoId, ref === 'HEAD' ? `${dir} has no commit checked out` : `${dir} has no ${ref}`);
  return sha;
}

/** Checked before git runs, so a folder inside some other repository is not mistaken for this one. */
async function notAWorkingCopy(dir: string): Promise<string | null> {
  const isDir = await stat(dir).then(
    (s) => s.isDirectory(),
    () => null,
  );
  if (isDir === null) return 'does not exist';
  if (!isDir) return 'is not a directory';
  const hasGit = await access(path.join(dir, '.git')).then(
    () => true,
    () => false,
  );
  return hasGit ? null : 'is not a git repository (no .git)';
}

function unavailable(repoId: string, problem: string) {
  return activityFailure('SHIPGATE_REPO_UNAVAILABLE', `repository "${repoId}": ${problem}`);
}
