/** Run states as the API answers them, at the moments the CLI has to show. */
import type { DeployRun, DeployState, QaRun, ReleaseRun, RunStatus, RunSummary } from '../../../cli/api-types.js';

/** A local wall-clock time today, as the ISO string a workflow would report. */
export function at(hours: number, minutes: number, seconds = 0): string {
  return new Date(2025, 9, 13, hours, minutes, seconds).toISOString();
}

const step = (name: string, summary: string | null, done = true) => ({
  name,
  startedAt: at(12, 0),
  finishedAt: done ? at(12, 0, 5) : null,
  summary: done ? summary : null,
});

export const SHA = 'abc1234def5678abc1234def5678abc1234def56';

export function qaRunning(): QaRun {
  return {
    kind: 'qa',
    workflowId: `qa:sample:${SHA}`,
    runId: 'run-qa-1',
    status: 'RUNNING',
    repoId: 'sample',
    sha: SHA,
    trigger: 'manual',
    stage: 'test',
    startedAt: at(12, 0),
    steps: [
      step('pin', 'worker w1'),
      step('inspect', 'no report for this commit'),
      step('analyse', '2 commits, 3 files, 10 lines changed'),
      step('test', null, false),
    ],
    outcome: null,
    report: null,
    reused: false,
    reason: null,
    tests: null,
    coverage: null,
    lastOutput: ['▶ math', '  ✔ adds two numbers (0.4ms)'],
    autoRelease: null,
  };
}

export function qaPassed(): QaRun {
  const running = qaRunning();
  return {
    ...running,
    status: 'COMPLETED',
    stage: 'done',
    steps: [
      ...(running.steps ?? []).slice(0, 3),
      step('test', 'exit 0'),
      step('coverage', '100% of 2 changed lines'),
      step('report', 'test-pass-20251013-100005.md'),
    ],
    outcome: 'test-pass',
    report: 'test-pass-20251013-100005.md',
    reason: 'all 3 tests passed; changed-line coverage 100% ≥ 80%',
    tests: { passed: 3, failed: 0, skipped: 0, total: 3 },
    coverage: { percent: 100, threshold: 80, gate: 'passed' },
    result: {
      repoId: 'sample',
      sha: SHA,
      outcome: 'test-pass',
      report: 'test-pass-20251013-100005.md',
      reused: false,
      reason: 'all 3 tests passed; changed-line coverage 100% ≥ 80%',
    },
  };
}

export function deployState(overrides: Partial<DeployState> = {}): DeployState {
  return {
    kind: 'deploy',
    repoId: 'sample',
    environment: 'production',
    version: '1.1.0',
    tag: 'v1.1.0',
    previousVersion: '1.0.0',
    stage: 'verify 1.1.0',
    startedAt: at(12, 1),
    attempts: 1,
    deploying: '1.1.0',
    awaitingDecision: false,
    decisionsAllowed: [],
    decisionDeadline: null,
    decisions: [],
    lastError: null,
    lastOutput: [],
    samples: [{ at: at(12, 1, 3), status: 200, latencyMs: 12, version: '1.1.0', ok: true, error: null }],
    outcome: null,
    reason: null,
    report: null,
    ...overrides,
  };
}

export function awaitingDecision(): DeployState {
  return deployState({
    stage: 'awaiting decision',
    awaitingDecision: true,
    decisionsAllowed: ['retry', 'rollback', 'abandon'],
    decisionDeadline: at(13, 1),
    lastError: 'health check failed 3 times (budget 2): HTTP 500',
    lastOutput: ['starting sample 1.1.0'],
    samples: [{ at: at(12, 1, 3), status: 500, latencyMs: 8, version: '1.1.0', ok: false, error: 'HTTP 500' }],
  });
}

export function releaseAt(stage: string, deploy: DeployState | null = null): ReleaseRun {
  const names = ['pin', 'preflight', 'qa', 'version', 'files', 'commit', 'tag', 'push', 'deploy'];
  const upTo = names.indexOf(stage);
  return {
    kind: 'release',
    workflowId: 'release:sample',
    runId: 'run-rel-1',
    status: 'RUNNING',
    repoId: 'sample',
    trigger: 'manual',
    stage,
    startedAt: at(12, 0),
    version: upTo >= names.indexOf('files') ? '1.1.0' : null,
    previousVersion: '1.0.0',
    tag: upTo >= names.indexOf('files') ? 'v1.1.0' : null,
    sourceSha: SHA,
    releaseCommit: upTo > names.indexOf('commit') ? 'fedcba9876543210fedcba9876543210fedcba98' : null,
    qa:
      upTo >= names.indexOf('qa')
        ? {
            workflowId: `qa:sample:${SHA}`,
            outcome: upTo > names.indexOf('qa') ? 'test-pass' : null,
            report: null,
            reused: false,
          }
        : null,
    steps: names.slice(0, upTo + 1).map((name, i) => step(name, `${name} done`, i < upTo)),
    plan: upTo > names.indexOf('version') ? { bump: 'minor', reason: 'minor: 1.0.0 → 1.1.0', commits: 2 } : null,
    deploy: deploy ? { workflowId: 'deploy:sample:production', state: deploy } : null,
    outcome: null,
    reason: null,
  };
}

export function releaseEnded(outcome: NonNullable<ReleaseRun['outcome']>, reason: string): ReleaseRun {
  const run = releaseAt(
    'deploy',
    deployState({
      stage: 'done',
      outcome: 'deployed',
      reason: '1.1.0 is live and healthy',
      report: 'deploy-20251013-100200.md',
    }),
  );
  return {
    ...run,
    status: 'COMPLETED',
    stage: 'done',
    steps: (run.steps ?? []).map((s) => ({ ...s, finishedAt: at(12, 2), summary: s.summary ?? `${s.name} done` })),
    outcome,
    reason,
    result: {
      repoId: 'sample',
      outcome,
      version: '1.1.0',
      tag: 'v1.1.0',
      releaseCommit: run.releaseCommit ?? null,
      reason,
      qaReport: 'test-pass-20251013-100005.md',
    },
  };
}

export function deployRun(state: DeployState, status: RunStatus = 'RUNNING'): DeployRun {
  return { ...state, workflowId: 'deploy:sample:production', runId: 'run-dep-1', status };
}

/** A finished release as `GET /releases` lists it; `overrides` change what a test is about. */
export function runSummary(runId: string, overrides: Partial<RunSummary> = {}): RunSummary {
  return {
    workflowId: 'release:sample',
    runId,
    type: 'releaseWorkflow',
    status: 'COMPLETED',
    startTime: at(9, 5),
    closeTime: at(9, 7),
    repo: 'sample',
    stage: 'done',
    version: '1.1.0',
    outcome: 'released',
    trigger: 'manual',
    ...overrides,
  };
}
