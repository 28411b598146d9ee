import {
  patched,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
  type ActivityInterfaceFor,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { CONFIG_READ, QA_STEP, TESTS } from './activity-options.js';
import { qaStateQuery, type QaInput, type QaResult, type QaState } from '../vocabulary/messages.js';
import { pinRun, pinShownIn, pinSummary, type RunPin } from './pinning.js';
import { markOutcome, nowIso, showDetails, StepTracker, viewPublisher } from './run-state.js';
import { RepoKey, TriggerKey } from '../vocabulary/search-attributes.js';

const LOCAL_POLICY_PATCH = 'release-policy-local-activity';

/** `release.auto: on-qa-pass`: a pass that a trigger started releases what is releasable. */
async function releaseAfterPass(
  repoId: string,
  sha: string,
  local: ActivityInterfaceFor<Activities>,
  branch?: string,
  /** The bot whose pass this follows (`watch`, `webhook`), named as who asked for the release. */
  requestedBy?: string,
): Promise<NonNullable<QaState['autoRelease']>> {
  // A configuration read, answered by the worker that runs this task; runs recorded before asked the pinned worker.
  const policy = patched(LOCAL_POLICY_PATCH)
    ? await proxyLocalActivities<Activities>(CONFIG_READ).releasePolicy({ repoId })
    : await local.releasePolicy({ repoId });
  if (!policy.auto)
    return { started: false, workflowId: null, reason: 'automatic releases are off for this repository' };
  // The branch the pass was for is the branch released (absent from runs before release channels: the release branch).
  const on = branch === undefined ? {} : { branch };
  const plan = await local.hasReleasableChanges({ repoId, sha, ...on });
  if (!plan.releasable) return { started: false, workflowId: null, reason: plan.reason };
  return local.startRelease({ repoId, trigger: 'auto', ...on, ...(requestedBy ? { requestedBy } : {}) });
}

/** The quality gate: is this commit fit to ship? Leaves exactly one report in `context/`. */
export async function qaWorkflow(input: QaInput): Promise<QaResult> {
  const info = workflowInfo();
  const state: QaState = {
    kind: 'qa',
    repoId: input.repoId,
    sha: input.sha,
    trigger: input.trigger ?? 'manual',
    ...(input.requestedBy === undefined ? {} : { requestedBy: input.requestedBy }),
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
  let pin: RunPin | null = null;
  // The view is the state itself: every list in it is bounded (steps by the workflow, output to 10 lines).
  const publish = viewPublisher(() => state);
  const details = () => {
    showDetails([
      `**QA** of \`${input.repoId}\` at \`${input.sha.slice(0, 7)}\``,
      `Stage: ${state.stage}`,
      pin?.describe(),
    ]);
    publish();
  };
  const tracker = new StepTracker(
    (stage) => {
      state.stage = stage;
      details();
    },
    () => publish(),
  );
  state.steps = tracker.steps;
  setHandler(qaStateQuery, () => state);
  upsertSearchAttributes([
    { key: RepoKey, value: input.repoId },
    { key: TriggerKey, value: state.trigger },
  ]);

  const pinned = await tracker.run(
    'pin',
    () =>
      pinRun(
        input.repoId,
        input.pinnedTaskQueue
          ? { preferred: { taskQueue: input.pinnedTaskQueue, lostAfterMs: input.lostWorkerAfterMs } }
          : {},
      ),
    pinSummary,
  );
  // Each step checks out the commit it is given, so a step whose worker was lost runs again,
  // whole, on the worker the run moves to.
  pin = pinShownIn(state, pinned, input.repoId, details);
  const local = () => pin.activities(QA_STEP);
  const testing = () => pin.activities(TESTS);
  const where = (): NonNullable<QaResult['worker']> => ({
    taskQueue: pin.current.taskQueue,
    workerId: pin.current.workerId,
  });

  // The branch QA measures from (a prerelease or maintenance branch's last release); only when named.
  const onBranch = input.branch ? { branch: input.branch } : {};
  const inspection = await tracker.run(
    'inspect',
    () =>
      pin.step('inspect', () =>
        local().inspectForQa.executeWithOptions({ summary: `inspect ${input.repoId} at ${input.sha.slice(0, 7)}` }, [
          { repoId: input.repoId, sha: input.sha, ...onBranch },
        ]),
      ),
    (i) => i.freshness,
  );
  if (inspection.fresh && inspection.newestReport) {
    const reason = `reused: ${inspection.freshness}`;
    Object.assign(state, {
      stage: 'done',
      outcome: 'test-pass',
      report: inspection.newestReport.name,
      reused: true,
      reason,
    });
    markOutcome('test-pass');
    const reusedResult: QaResult = {
      repoId: input.repoId,
      sha: input.sha,
      outcome: 'test-pass',
      report: inspection.newestReport.name,
      reused: true,
      reason,
      worker: where(),
    };
    publish(reusedResult);
    return reusedResult;
  }

  const base = { sha: inspection.lastRelease?.sha ?? null, ref: inspection.lastRelease?.tag ?? null };
  const changes = await tracker.run(
    'analyse',
    () =>
      pin.step('analyse', () =>
        local().analyseChanges.executeWithOptions(
          { summary: `commits and changed lines since ${base.ref ?? 'the beginning'}` },
          [{ repoId: input.repoId, sha: input.sha, baseSha: base.sha, baseRef: base.ref, ...onBranch }],
        ),
      ),
    (c) => `${c.commitCount} commits, ${c.changedFiles} files, ${c.changedLines} lines changed`,
  );
  const runTests = () =>
    tracker.run(
      'test',
      () =>
        testing().runTests.executeWithOptions({ summary: `run the test suite at ${input.sha.slice(0, 7)}` }, [
          { repoId: input.repoId, sha: input.sha, runId: info.runId, ...onBranch },
        ]),
      (t) => (t.timedOut ? 'timed out' : t.spawnError ? 'could not start' : `exit ${t.exitCode}`),
    );
  const measureCoverage = () =>
    tracker.run(
      'coverage',
      () =>
        local().measureCoverage.executeWithOptions({ summary: 'coverage of the changed lines' }, [
          { repoId: input.repoId, sha: input.sha, baseSha: base.sha, ...onBranch },
        ]),
      (c) => (!c.configured ? 'not configured' : c.result ? c.result.reason : (c.problem ?? 'no coverage')),
    );
  // Coverage reads the files the test run left in the working copy: a worker lost at either
  // step means the tests run again on the next worker.
  const { tests, coverage } = await pin.step('test', async () => {
    const tests = await runTests();
    return { tests, coverage: await measureCoverage() };
  });
  state.lastOutput = tests.tail.slice(-10);
  if (tests.summary)
    state.tests = {
      passed: tests.summary.passed,
      failed: tests.summary.failed,
      skipped: tests.summary.skipped,
      total: tests.summary.total,
    };
  if (coverage.configured && coverage.result) {
    state.coverage = {
      percent: coverage.result.totals.percent,
      threshold: coverage.result.threshold,
      gate: coverage.result.gate,
    };
  }
  const written = await tracker.run(
    'report',
    () =>
      pin.step('report', () =>
        local().writeQaReport.executeWithOptions({ summary: 'write the QA report to context/' }, [
          {
            repoId: input.repoId,
            branch: inspection.branch,
            sha: input.sha,
            tree: inspection.tree,
            workflowId: info.workflowId,
            runId: info.runId,
            ...(input.requestedBy === undefined ? {} : { requestedBy: input.requestedBy }),
            changes,
            tests,
            coverage,
          },
        ]),
      ),
    (r) => r.name,
  );
  const reason = written.reason;
  Object.assign(state, { outcome: written.outcome, report: written.name, reason });
  if (written.outcome === 'test-pass' && (state.trigger === 'watch' || state.trigger === 'webhook')) {
    state.autoRelease = await tracker.run(
      'auto-release',
      () =>
        pin.step('auto-release', () =>
          releaseAfterPass(input.repoId, input.sha, local(), input.branch, input.requestedBy),
        ),
      (a) => a.reason,
    );
  }
  state.stage = 'done';
  markOutcome(written.outcome);
  showDetails([
    `**QA** of \`${input.repoId}\` at \`${input.sha.slice(0, 7)}\``,
    `Outcome: **${written.outcome}**`,
    `Report: context/${written.name}`,
    pin.describe(),
  ]);
  // The report lives in the working copy of the worker that wrote it: a release that started this
  // run goes on there when the run had to move.
  const result: QaResult = {
    repoId: input.repoId,
    sha: input.sha,
    outcome: written.outcome,
    report: written.name,
    reused: false,
    reason,
    worker: where(),
  };
  publish(result);
  return result;
}
