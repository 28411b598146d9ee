import { proxyActivities, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { pinned, QA_STEP, TESTS, unpinned } from './activity-options.js';
import { qaStateQuery, type QaInput, type QaResult, type QaState } from '../vocabulary/messages.js';
import { markOutcome, nowIso, showDetails, StepTracker } from './run-state.js';
import { RepoKey, TriggerKey } from '../vocabulary/search-attributes.js';

const shared = proxyActivities<Activities>(unpinned({ maximumAttempts: 5 }));

/** `release.auto: on-qa-pass`: a pass that a trigger started releases what is releasable. */
async function releaseAfterPass(repoId: string, sha: string, local: Activities): Promise<NonNullable<QaState['autoRelease']>> {
  const policy = await local.releasePolicy({ repoId });
  if (!policy.auto) return { started: false, workflowId: null, reason: 'automatic releases are off for this repository' };
  const plan = await local.hasReleasableChanges({ repoId, sha });
  if (!plan.releasable) return { started: false, workflowId: null, reason: plan.reason };
  return local.startRelease({ repoId, trigger: 'auto' });
}

/** The quality gate: is this commit fit to ship? Leaves exactly one report in `context/`. */
export async function qaWorkflow(input: QaInput): Promise<QaResult> {
  const info = workflowInfo();
  const state: QaState = {
    kind: 'qa',
    repoId: input.repoId,
    sha: input.sha,
    trigger: input.trigger ?? 'manual',
    stage: 'starting',
    startedAt: nowIso(),
    steps: [],
    outcome: null,
    report: null,
    reused: false,
    reason: null,
    tests: null,
    coverage: null,
    lastOutput: [],
    autoRelease: null,
  };
  const tracker = new StepTracker((stage) => {
    state.stage = stage;
    showDetails([`**QA** of \`${input.repoId}\` at \`${input.sha.slice(0, 7)}\``, `Stage: ${stage}`]);
  });
  state.steps = tracker.steps;
  setHandler(qaStateQuery, () => state);
  upsertSearchAttributes([
    { key: RepoKey, value: input.repoId },
    { key: TriggerKey, value: state.trigger },
  ]);

  const pin = await tracker.run(
    'pin',
    () => shared.pinRun.executeWithOptions(input.pinnedTaskQueue ? { taskQueue: input.pinnedTaskQueue } : {}, [{ repoId: input.repoId }]),
    (p) => `worker ${p.workerId}`,
  );
  const local = proxyActivities<Activities>(pinned(pin, QA_STEP));
  const testing = proxyActivities<Activities>(pinned(pin, TESTS));

  const inspection = await tracker.run('inspect', () => local.inspectForQa.executeWithOptions({ summary: `inspect ${input.repoId} at ${input.sha.slice(0, 7)}` }, [{ repoId: input.repoId, sha: input.sha }]), (i) => i.freshness);
  if (inspection.fresh && inspection.newestReport) {
    const reason = `reused: ${inspection.freshness}`;
    Object.assign(state, { stage: 'done', outcome: 'test-pass', report: inspection.newestReport.name, reused: true, reason });
    markOutcome('test-pass');
    return { repoId: input.repoId, sha: input.sha, outcome: 'test-pass', report: inspection.newestReport.name, reused: true, reason };
  }

  const base = { sha: inspection.lastRelease?.sha ?? null, ref: inspection.lastRelease?.tag ?? null };
  const changes = await tracker.run(
    'analyse',
    () => local.analyseChanges.executeWithOptions({ summary: `commits and changed lines since ${base.ref ?? 'the beginning'}` }, [{ repoId: input.repoId, sha: input.sha, baseSha: base.sha, baseRef: base.ref }]),
    (c) => `${c.commitCount} commits, ${c.changedFiles} files, ${c.changedLines} lines changed`,
  );
  const tests = await tracker.run(
    'test',
    () => testing.runTests.executeWithOptions({ summary: `run the test suite at ${input.sha.slice(0, 7)}` }, [{ repoId: input.repoId, sha: input.sha, runId: info.runId }]),
    (t) => (t.timedOut ? 'timed out' : t.spawnError ? 'could not start' : `exit ${t.exitCode}`),
  );
  state.lastOutput = tests.tail.slice(-10);
  if (tests.summary) state.tests = { passed: tests.summary.passed, failed: tests.summary.failed, skipped: tests.summary.skipped, total: tests.summary.total };
  const coverage = await tracker.run(
    'coverage',
    () => local.measureCoverage.executeWithOptions({ summary: 'coverage of the changed lines' }, [{ repoId: input.repoId, sha: input.sha, baseSha: base.sha }]),
    (c) => (!c.configured ? 'not configured' : c.result ? c.result.reason : (c.problem ?? 'no coverage')),
  );
  if (coverage.configured && coverage.result) {
    state.coverage = { percent: coverage.result.totals.percent, threshold: coverage.result.threshold, gate: coverage.result.gate };
  }
  const written = await tracker.run(
    'report',
    () => local.writeQaReport.executeWithOptions({ summary: 'write the QA report to context/' }, [{
      repoId: input.repoId,
      branch: inspection.branch,
      sha: input.sha,
      tree: inspection.tree,
      workflowId: info.workflowId,
      runId: info.runId,
      changes,
      tests,
      coverage,
    }]),
    (r) => r.name,
  );
  const reason = written.reason;
  Object.assign(state, { outcome: written.outcome, report: written.name, reason });
  if (written.outcome === 'test-pass' && (state.trigger === 'watch' || state.trigger === 'webhook')) {
    state.autoRelease = await tracker.run('auto-release', () => releaseAfterPass(input.repoId, input.sha, local), (a) => a.reason);
  }
  state.stage = 'done';
  markOutcome(written.outcome);
  showDetails([`**QA** of \`${input.repoId}\` at \`${input.sha.slice(0, 7)}\``, `Outcome: **${written.outcome}**`, `Report: context/${written.name}`]);
  return { repoId: input.repoId, sha: input.sha, outcome: written.outcome, report: written.name, reused: false, reason };
}
