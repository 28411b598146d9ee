/** A run's state as text: `shipgate status` prints it, and `--follow` redraws it on a terminal. */
import type { DeployState, HealthSample, QaRun, ReleaseRun, RunView, StepRecord } from './api-types.js';
import { isOpen, outcomeOf } from './outcome.js';
import { promotionLines } from './promotion.js';
import { formatPercent, shown } from './render.js';

export interface RunTextOptions {
  /** Marks a step still in progress: a dot in a snapshot, a spinner frame while following. */
  running: string;
  formatTime: (iso: string) => string;
}

const LABEL_WIDTH = 9;
const OUTPUT_LINES = 3;

export function renderRun(run: RunView, options: RunTextOptions): string[] {
  const open = isOpen(run.status);
  const body =
    run.kind === 'qa'
      ? qaLines(run, open, options)
      : run.kind === 'release'
        ? releaseLines(run, open, options)
        : deployLines(run, options, false);
  const outcome = outcomeOf(run);
  const reason = run.result?.reason ?? run.reason ?? null;
  return shown([
    `${run.workflowId}  ${run.status}${run.stage ? `  stage: ${run.stage}` : ''}`,
    ...body,
    ...field('outcome', outcome && (reason ? `${outcome}: ${reason}` : outcome)),
    ...field('failure', run.failure),
  ]);
}

export function describeSample(sample: HealthSample): string {
  const answer = sample.status === null ? 'no answer' : `HTTP ${sample.status}`;
  const version = sample.version ? ` · version ${sample.version}` : '';
  return `${sample.ok ? 'ok' : 'failing'} · ${answer} · ${sample.latencyMs} ms${version}${sample.error ? `: ${sample.error}` : ''}`;
}

function qaLines(run: QaRun, open: boolean, options: RunTextOptions): string[] {
  const tests = run.tests;
  const coverage = run.coverage;
  const failed = run.outcome !== null && run.outcome !== undefined && run.outcome !== 'test-pass';
  return [
    ...field('commit', run.sha && `${run.sha.slice(0, 7)} of ${run.repoId ?? '?'} (trigger ${run.trigger ?? '?'})`),
    ...field('asked by', run.requestedBy),
    ...stepLines(run.steps, open, options.running),
    ...field(
      'tests',
      tests && `${tests.passed} passed, ${tests.failed} failed, ${tests.skipped} skipped (${tests.total} in all)`,
    ),
    ...field(
      'coverage',
      coverage &&
        (coverage.percent === null
          ? `${coverage.gate} (threshold ${coverage.threshold}%)`
          : `${formatPercent(coverage.percent)} of changed lines (threshold ${coverage.threshold}%): ${coverage.gate}`),
    ),
    ...(open || failed ? outputLines(run.lastOutput) : []),
    ...field('reused', run.reused ? 'a fresh earlier pass of this commit' : null),
    ...field(
      'release',
      run.autoRelease &&
        (run.autoRelease.started
          ? `started ${run.autoRelease.workflowId ?? ''}`
          : `not started: ${run.autoRelease.reason}`),
    ),
    ...field('report', run.report && `context/${run.report}`),
  ];
}

function releaseLines(run: ReleaseRun, open: boolean, options: RunTextOptions): string[] {
  const qa = run.qa;
  const deploy = run.deploy;
  return [
    ...field('asked by', run.requestedBy),
    // Runs from before release channels name no branch: theirs was the release branch.
    ...field('branch', run.branch && `${run.branch}${run.channel ? ` (channel ${run.channel})` : ''}`),
    ...field(
      'version',
      run.version
        ? `${run.version}${run.tag ? ` (tag ${run.tag})` : ''}, previous ${run.previousVersion ?? 'none'}`
        : null,
    ),
    ...field(
      'commit',
      run.sourceSha &&
        `${run.sourceSha.slice(0, 7)}${run.releaseCommit ? ` → release commit ${run.releaseCommit.slice(0, 7)}` : ''}`,
    ),
    ...field(
      'qa',
      qa &&
        [
          qa.outcome ?? 'running',
          qa.reused ? '(a fresh earlier pass)' : null,
          qa.report ? `context/${qa.report}` : null,
          qa.workflowId || null,
        ]
          .filter(Boolean)
          .join(' '),
    ),
    ...field(
      'plan',
      run.plan && `${run.plan.reason} (${run.plan.commits === 1 ? '1 commit' : `${run.plan.commits} commits`})`,
    ),
    ...stepLines(run.steps, open, options.running),
    ...publishLines(run.publish),
    ...field('deploy', deploy && deploy.workflowId),
    ...(deploy?.state ? deployLines(deploy.state, options, true).map((line) => `  ${line}`) : []),
    ...(run.promotion ? promotionLines(run.promotion, options.running, options.formatTime) : []),
  ];
}

function deployLines(state: Partial<DeployState>, options: RunTextOptions, nested: boolean): string[] {
  const last = state.samples?.at(-1);
  const decided = (state.decisions ?? []).map((d) => `${d.decision} at ${options.formatTime(d.at)}`).join(', ');
  const awaiting = state.awaitingDecision
    ? `${(state.decisionsAllowed ?? []).join(' | ')}${state.decisionDeadline ? ` (before ${options.formatTime(state.decisionDeadline)})` : ''}`
    : null;
  return [
    ...field('stage', nested ? state.stage : null),
    ...field(
      'version',
      state.version && `${state.version} to ${state.environment ?? '?'}, previous ${state.previousVersion ?? 'none'}`,
    ),
    ...field(
      'attempts',
      state.attempts
        ? `${state.attempts}${state.deploying && state.deploying !== state.version ? `, now deploying ${state.deploying}` : ''}`
        : null,
    ),
    ...field('health', last && describeSample(last)),
    ...field('error', state.lastError),
    ...(state.lastError ? outputLines(state.lastOutput) : []),
    ...field('awaiting', awaiting && `a decision: ${awaiting}`),
    ...field('failed', state.awaitingDecision ? (state.failedAttempt ?? null) : null),
    ...field(
      'choices',
      state.awaitingDecision &&
        (state.decisionsAllowed ?? [])
          .flatMap((d) => (state.decisionEffects?.[d] ? [`${d}: ${state.decisionEffects[d]}`] : []))
          .join(' · '),
    ),
    ...field('rollback', state.awaitingDecision ? (state.rollbackNote ?? null) : null),
    ...field('decided', decided || null),
    ...field('report', state.report && `context/${state.report}`),
    ...field('outcome', nested && state.outcome ? `${state.outcome}: ${state.reason ?? ''}` : null),
  ];
}

function stepLines(steps: StepRecord[] | undefined, open: boolean, running: string): string[] {
  if (!steps || steps.length === 0) return [];
  const width = Math.max(...steps.map((step) => step.name.length));
  return [
    '  steps',
    ...steps.map((step) => {
      const mark = step.finishedAt !== null ? '✓' : open ? running : '✗';
      return `    ${mark} ${step.name.padEnd(width)}  ${step.summary ?? ''}`.trimEnd();
    }),
  ];
}

function outputLines(output: string[] | undefined): string[] {
  return (output ?? []).slice(-OUTPUT_LINES).map((line) => `    │ ${line}`);
}

/** Each publish step and what became of it; then, while one waits, what failed and the commands to answer. */
function publishLines(publish: ReleaseRun['publish']): string[] {
  if (!publish) return [];
  const lines = publish.steps.map((step, index) =>
    field(
      index === 0 ? 'publish' : '',
      `${step.artifact}: ${step.status}${step.by ? ` by ${step.by}` : ''}${step.reason ? ` (${step.reason})` : ''}`,
    ),
  );
  const awaiting = publish.awaiting;
  return [
    ...lines.flat(),
    ...(awaiting
      ? [
          ...field('awaiting', `a decision on publish step ${awaiting.step} until ${awaiting.deadline}`),
          ...field('failed', awaiting.error),
          ...awaiting.tail.slice(-5).map((line) => `    | ${line}`),
          ...field('decide', 'shipgate retry | shipgate skip --reason <text> | shipgate abandon'),
        ]
      : []),
  ];
}

function field(label: string, value: string | null | undefined | false | 0): string[] {
  return value ? [`  ${label.padEnd(LABEL_WIDTH)}${value}`] : [];
}
