import { open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { setImmediate } from 'node:timers/promises';
import { Context } from '@temporalio/activity';
import { isApprovalFresh } from '../context/recency.js';
import { changedLines } from '../domain/changed-lines.js';
import { analyseCommitsInSlices } from '../domain/commits.js';
import { CoverageFormatError, parseIstanbulJson, parseLcov } from '../domain/coverage.js';
import { diffCoverage } from '../domain/diff-coverage.js';
import {
  qaReason,
  renderQaReport,
  type ChangeFacts,
  type CoverageFacts,
  type QaReportInput,
  type TestRunFacts,
} from '../domain/qa-report.js';
import { failuresFromOutput, type OutputFailures } from '../domain/test-output.js';
import { parseJestLikeJson, parseJUnitXml, type TestSummary } from '../domain/test-results.js';
import type { QaOutcome } from '../vocabulary/messages.js';
import type { ResolvedDeps } from './deps.js';
import { activityFailure } from './failure.js';
import {
  changedFilesByCommit,
  commitsInRange,
  diffU0,
  parseCommit,
  parseStatus,
  pendingSinceLastRelease,
  readObjects,
  resolveCommit,
} from './git.js';
import { runCommand } from './process.js';
import { findReportOfRun, readReports, writeReportFile } from './reports.js';
import { openWorkingCopy } from './working-copy.js';

export interface QaInspection {
  sha: string;
  tree: string;
  committedAtMs: number;
  branch: string;
  lastRelease: { tag: string; version: string; sha: string } | null;
  pendingCommits: number;
  newestReport: { name: string; outcome: QaOutcome; commit: string } | null;
  fresh: boolean;
  freshness: string;
  warnings: string[];
}

/** Bounds what travels through workflow history; the report and the log file have the rest. */
const MAX_COMMITS_LISTED = 200;
const MAX_FILES_LISTED = 200;
/** Of a long log, the end is read for failing tests: the runners list them last, and memory stays bounded. */
const MAX_OUTPUT_READ = 4 * 1024 * 1024;

export function createQaActivities(deps: ResolvedDeps) {
  /**
   * The working copy holding `sha`. A run that moved here from a lost worker may find this
   * worker's clone without it: then, and only then, a later step fetches too.
   */
  async function openAt(repoId: string, sha: string, fetch: boolean, branch?: string) {
    // Seen from the branch QA is for: its remote branch and its last release are the base.
    const copy = await openWorkingCopy(deps, repoId, { fetch, branch });
    if (fetch || copy.repo.source.kind !== 'url' || (await resolveCommit(copy.git, sha)) === sha) return copy;
    return openWorkingCopy(deps, repoId, { fetch: true, branch });
  }

  /** The working copy at the commit under test; only the inspection, QA's first step, fetches it. */
  async function checkout(repoId: string, sha: string, fetch: boolean, branch?: string) {
    const { repo, dir, git } = await openAt(repoId, sha, fetch, branch);
    // The commit, HEAD and the remote branch in one read (the inspection's last release needs the last).
    const [commit, headObject, remote] = await readObjects(dir, [
      `${sha}^{commit}`,
      'HEAD',
      `refs/remotes/${repo.remote}/${repo.branch}^{commit}`,
    ]);
    if (commit?.sha !== sha) {
      throw activityFailure('SHIPGATE_REPO_UNAVAILABLE', `commit ${sha} does not exist in repository "${repoId}"`);
    }
    if (repo.source.kind === 'url') {
      await git.raw(['checkout', '--force', '--detach', sha]);
    }
    const head = parseCommit(repo.source.kind === 'url' ? commit : (headObject ?? { sha: '', type: '', body: '' }));
    if (head.sha !== sha) {
      throw activityFailure(
        'SHIPGATE_HEAD_MOVED',
        `HEAD of repository "${repoId}" is ${head.sha ? head.sha.slice(0, 7) : 'no commit'}, not ${sha.slice(0, 7)}: the branch moved after the run was started; start QA again`,
      );
    }
    return { repo, dir, git, head, published: remote?.sha ?? null };
  }

  return {
    async inspectForQa(input: { repoId: string; sha: string; branch?: string }): Promise<QaInspection> {
      const { repo, dir, git, head, published } = await checkout(input.repoId, input.sha, true, input.branch);
      // One status: the tracked changes, and the branch (none when detached).
      const status = parseStatus(await git.raw(['status', '--porcelain=v2', '--branch', '--untracked-files=no']));
      if (status.entries.length > 0) {
        throw activityFailure(
          'SHIPGATE_DIRTY_WORK_TREE',
          `the work tree of "${repo.id}" has uncommitted changes to tracked files, so a test run would not test commit ${input.sha.slice(0, 7)}:\n${status.entries.slice(0, 10).join('\n')}`,
        );
      }
      const { lastRelease, pending } = await pendingSinceLastRelease(git, input.sha, repo, {
        target: input.sha,
        published,
      });
      const listing = await readReports(dir, deps.reportKeys);
      // Only a report this service signed can spare a test run; a foreign one is named in the warnings.
      const newest = listing.signed[0] ?? null;
      const verdict = isApprovalFresh({ report: newest, head, pending });
      return {
        sha: head.sha,
        tree: head.tree,
        committedAtMs: head.committedAtMs,
        branch: status.branch ?? repo.branch,
        lastRelease,
        pendingCommits: pending.length,
        newestReport: newest
          ? { name: newest.name, outcome: newest.frontMatter.outcome, commit: newest.frontMatter.commit }
          : null,
        fresh: verdict.fresh,
        freshness: verdict.reason,
        warnings: listing.warnings.slice(0, 20),
      };
    },

    async analyseChanges(input: {
      repoId: string;
      sha: string;
      baseSha: string | null;
      baseRef: string | null;
      branch?: string;
    }): Promise<ChangeFacts> {
      const { git } = await openAt(input.repoId, input.sha, false, input.branch);
      const commits = await commitsInRange(git, input.baseSha, input.sha);
      const analysis = await analyseCommitsInSlices(commits, () => setImmediate());
      const files = await changedFilesByCommit(git, input.baseSha, input.sha);
      const changed = changedLines(await diffU0(git, input.baseSha, input.sha));
      const features = analysis.entries.filter((e) => e.type === 'feat').length;
      const fixes = analysis.entries.filter((e) => e.type === 'fix' || e.type === 'perf').length;
      const breaking = analysis.entries.filter((e) => e.breaking).length;
      return {
        baseRef: input.baseRef,
        commits: analysis.entries.slice(0, MAX_COMMITS_LISTED).map((entry) => ({
          sha: entry.sha,
          shortSha: entry.shortSha,
          type: entry.type,
          subject: entry.subject,
          bump: entry.bump,
          files: (files.get(entry.sha) ?? []).slice(0, 50),
        })),
        commitCount: commits.length,
        features,
        fixes,
        breaking,
        others: commits.length - features - fixes,
        changedFiles: changed.length,
        changedLines: changed.reduce((sum, file) => sum + file.lines.length, 0),
      };
    },

    async runTests(input: { repoId: string; sha: string; runId: string; branch?: string }): Promise<TestRunFacts> {
      const { repo, dir } = await checkout(input.repoId, input.sha, false, input.branch);
      // A result or coverage file left by an earlier run must never be mistaken for this one's.
      if (repo.test.results) await rm(path.resolve(dir, repo.test.results.path), { force: true });
      if (repo.coverage) await rm(path.resolve(dir, repo.coverage.path), { force: true });
      const logFile = path.join(
        deps.config.dataDir,
        'logs',
        repo.id,
        `qa-${input.sha.slice(0, 12)}-${input.runId.slice(0, 8)}.log`,
      );
      const ctx = Context.current();
      const result = await runCommand({
        argv: repo.test.command,
        cwd: dir,
        env: { ...repo.test.env, SHIPGATE_SHA: input.sha, SHIPGATE_REPO: repo.id },
        timeoutMs: repo.test.timeoutMs,
        logFile,
        signal: ctx.cancellationSignal,
        onProgress: (tail) => ctx.heartbeat({ tail }),
        progressEveryMs: 2_000,
      });
      if (result.cancelled) throw activityFailure('SHIPGATE_CANCELLED', 'the test run was cancelled');
      let summary: TestSummary | null = null;
      let resultsProblem: string | null = null;
      if (repo.test.results && !result.spawnError && !result.timedOut) {
        try {
          const text = await readFile(path.resolve(dir, repo.test.results.path), 'utf8');
          summary =
            repo.test.results.format === 'junit' ? parseJUnitXml(text, dir) : parseJestLikeJson(JSON.parse(text), dir);
        } catch (error) {
          resultsProblem =
            (error as NodeJS.ErrnoException).code === 'ENOENT'
              ? `${repo.test.results.path} was not written by the test command`
              : `${repo.test.results.path}: ${(error as Error).message}`;
        }
      }
      // Without test.results the console is all there is; the common runners name their failures there.
      let fromOutput: OutputFailures | null = null;
      if (!repo.test.results && result.exitCode !== 0 && !result.spawnError && !result.timedOut) {
        fromOutput = failuresFromOutput(await readTail(logFile, MAX_OUTPUT_READ), dir);
      }
      return {
        command: repo.test.command,
        exitCode: result.exitCode,
        signal: result.signal,
        timedOut: result.timedOut,
        timeoutMs: repo.test.timeoutMs,
        spawnError: result.spawnError,
        durationMs: result.durationMs,
        tail: result.tail.slice(-40),
        logFile,
        summary: summary ? { ...summary, failures: summary.failures.slice(0, 200) } : null,
        resultsProblem,
        fromOutput: fromOutput && { ...fromOutput, failures: fromOutput.failures.slice(0, 200) },
      };
    },

    async measureCoverage(input: {
      repoId: string;
      sha: string;
      baseSha: string | null;
      branch?: string;
    }): Promise<CoverageFacts> {
      const { repo, dir, git } = await openAt(input.repoId, input.sha, false, input.branch);
      if (!repo.coverage) return { configured: false };
      const changed = changedLines(await diffU0(git, input.baseSha, input.sha));
      let text: string;
      try {
        text = await readFile(path.resolve(dir, repo.coverage.path), 'utf8');
      } catch {
        return {
          configured: true,
          result: null,
          problem: `the test command wrote no coverage file at ${repo.coverage.path}`,
        };
      }
      let coverage;
      try {
        coverage = repo.coverage.format === 'lcov' ? parseLcov(text, dir) : parseIstanbulJson(JSON.parse(text), dir);
      } catch (error) {
        if (error instanceof CoverageFormatError || error instanceof SyntaxError) {
          return {
            configured: true,
            result: null,
            problem: `${repo.coverage.path} is not valid ${repo.coverage.format}: ${error.message}`,
          };
        }
        throw error;
      }
      const result = diffCoverage({
        changed,
        coverage,
        include: repo.coverage.include,
        exclude: repo.coverage.exclude,
        threshold: repo.coverage.threshold,
        minChangedLines: repo.coverage.minChangedLines,
      });
      const worstFirst = [...result.files].sort((a, b) => b.uncovered.length - a.uncovered.length);
      return {
        configured: true,
        result: {
          ...result,
          files: worstFirst.slice(0, MAX_FILES_LISTED).map((f) => ({ ...f, uncovered: f.uncovered.slice(0, 500) })),
        },
        problem: null,
      };
    },

    async writeQaReport(
      input: Omit<QaReportInput, 'createdAt'>,
    ): Promise<{ name: string; outcome: QaOutcome; reason: string }> {
      const { dir } = await openWorkingCopy(deps, input.repoId, { fetch: false });
      const at = deps.now();
      const { outcome, text } = renderQaReport({ ...input, createdAt: at.toISOString() });
      const reason = qaReason(input.tests, input.coverage);
      const existing = await findReportOfRun(dir, input.runId, [outcome], deps.reportKeys);
      if (existing) return { name: existing, outcome, reason };
      return { name: await writeReportFile(dir, outcome, at, text, deps.reportKeys), outcome, reason };
    },
  };
}

/** The last `maxBytes` of a file as text; empty when it cannot be read. */
async function readTail(file: string, maxBytes: number): Promise<string> {
  let handle;
  try {
    handle = await open(file, 'r');
    const { size } = await handle.stat();
    const length = Math.min(size, maxBytes);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    return buffer.toString('utf8');
  } catch {
    return '';
  } finally {
    await handle?.close();
  }
}

export type QaActivities = ReturnType<typeof createQaActivities>;
