import { ApplicationFailure, condition, type ActivityInterfaceFor, patched, proxyActivities, setHandler, sleep, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { LedgerVerdict } from '../activities/ledger.js';
import { DEPLOY_COMMAND, DEPLOY_STEP, pinned, unpinned } from './activity-options.js';
import { abandonedReason, decisionEffects, describeFailure, rolledBackReason, type FailedAttempt } from '../domain/deploy-decisions.js';
import type { DeployAttemptRecord } from '../domain/deploy-report.js';
import { healthVerdict } from '../domain/health-verdict.js';
import {
  DEPLOY_DECISIONS,
  decisionSignal,
  decisionUpdate,
  deployStateQuery,
  type DeployDecision,
  type DeployInput,
  type DeployResult,
  type DeployState,
  type HealthSample,
} from '../vocabulary/messages.js';
import { markOutcome, nowIso, reportStageToParent, showDetails } from './run-state.js';
import { RepoKey, StageKey, TriggerKey, VersionKey } from '../vocabulary/search-attributes.js';

const shared = proxyActivities<Activities>(unpinned({ maximumAttempts: 5 }));
const MAX_SAMPLES_KEPT = 60;
// Runs started before the ledger took the rollback target from git history; they replay that way.
const LEDGER_PATCH = 'rollback-target-from-deploy-ledger';
const NO_ROLLBACK = 'there is no previous release to roll back to';

interface Target {
  version: string;
  tag: string;
  sha: string;
}

/**
 * The release this run deploys, checked by resolveRelease even when a parent release passed it
 * in: the input of a run started by hand (the Temporal UI, the CLI) is not evidence. Runs
 * recorded before the check keep the release they were given, so their histories replay.
 */
async function releaseToDeploy(input: DeployInput, local: ActivityInterfaceFor<Activities>): Promise<NonNullable<DeployInput['release']>> {
  if (input.release && !patched('deploy-checks-given-release')) return input.release;
  const resolved = await local.resolveRelease({ repoId: input.repoId, version: input.version });
  if (!input.release) return resolved;
  if (input.release.sha !== resolved.sha || input.release.tag !== resolved.tag) {
    throw ApplicationFailure.nonRetryable(`the run was given ${input.release.tag} at ${input.release.sha.slice(0, 7)}, but shipgate released ${resolved.tag} at ${resolved.sha.slice(0, 7)}`, 'SHIPGATE_NOT_RELEASED');
  }
  // The parent knows which release came before this one; keep its answer.
  return input.release;
}

type Release = NonNullable<DeployInput['release']>;
type Outcome = DeployResult['outcome'];
interface Verdict {
  ok: boolean;
  reason: string;
  /** The deploy command succeeded: the version is in place, whatever its health. */
  deployed: boolean;
}

/** What one run deploys and where, resolved before the deployment starts. */
interface DeploymentPlan {
  input: DeployInput;
  deploy: DeploySettings | null;
  health: HealthSettings | null;
  environment: string;
  release: Release;
  previous: { version: string; tag: string } | null;
  liveBefore: string | null;
  rollbackNote: string;
  /** Activities on the pinned worker, and the one that runs the deploy command. */
  local: ActivityInterfaceFor<Activities>;
  deploying: ActivityInterfaceFor<Activities>;
}
type DeploySettings = NonNullable<PinnedSettings['deploy']>;
type HealthSettings = NonNullable<PinnedSettings['health']>;
type PinnedSettings = Awaited<ReturnType<Activities['pinRun']>>['settings'];

/**
 * Deploys one released version to one environment, verifies health and version, and when that
 * fails after the automatic retries, waits durably for an operator: retry, rollback or abandon.
 */
export async function deployWorkflow(input: DeployInput): Promise<DeployResult> {
  const pin = await shared.pinRun.executeWithOptions(
    input.pinnedTaskQueue ? { taskQueue: input.pinnedTaskQueue } : {},
    [{ repoId: input.repoId }],
  );
  const deploy = pin.settings.deploy;
  const health = pin.settings.health;
  const local = proxyActivities<Activities>(pinned(pin, DEPLOY_STEP));
  const release = await releaseToDeploy(input, local);
  const environment = deploy?.environment ?? 'production';
  const { previous, liveBefore, rollbackNote } = deploy && patched(LEDGER_PATCH)
    ? rollbackTargetFrom(await local.deployLedger.executeWithOptions({ summary: `last version verified healthy in ${environment}` }, [{ repoId: input.repoId, environment }]), input.version)
    : { previous: release.previous, liveBefore: release.previous?.version ?? null, rollbackNote: release.previous ? `to ${release.previous.version}, the release before this one` : NO_ROLLBACK };
  // A crashed worker may cost one more run of the deploy command; never more per attempt.
  const deploying = proxyActivities<Activities>(pinned(pin, DEPLOY_COMMAND));

  const deployment = new Deployment({ input, deploy, health, environment, release, previous, liveBefore, rollbackNote, local, deploying });
  upsertSearchAttributes([
    { key: RepoKey, value: input.repoId },
    { key: VersionKey, value: input.version },
    { key: TriggerKey, value: input.trigger ?? 'manual' },
  ]);
  setHandler(deployStateQuery, () => deployment.state);
  setHandler(decisionUpdate, (d) => deployment.decide(d), { validator: (d: DeployDecision) => deployment.validate(d) });
  setHandler(decisionSignal, (d) => deployment.decideIfFitting(d));
  return deployment.run();
}

/**
 * One deployment's state and steps: its attempts, their health verification, the decisions it
 * waits for and the report it ends with. Only the workflow function above creates one.
 */
class Deployment {
  readonly state: DeployState;
  private readonly attempts: DeployAttemptRecord[] = [];
  private decision: DeployDecision | null = null;
  private readonly info = workflowInfo();
  private readonly current: Target;

  constructor(private readonly plan: DeploymentPlan) {
    const { input, environment, release } = plan;
    this.current = { version: input.version, tag: release.tag, sha: release.sha };
    this.state = {
      kind: 'deploy',
      repoId: input.repoId,
      environment,
      version: input.version,
      tag: release.tag,
      previousVersion: plan.liveBefore,
      rollbackTarget: plan.previous?.version ?? null,
      rollbackNote: plan.rollbackNote,
      stage: 'starting',
      startedAt: nowIso(),
      attempts: 0,
      deploying: null,
      awaitingDecision: false,
      decisionsAllowed: [],
      decisionDeadline: null,
      failedAttempt: null,
      decisionEffects: null,
      decisions: [],
      lastError: null,
      lastOutput: [],
      samples: [],
      outcome: null,
      reason: null,
      report: null,
    };
  }

  validate(d: DeployDecision): void {
    const state = this.state;
    if (!DEPLOY_DECISIONS.includes(d)) throw new Error(`unknown decision ${JSON.stringify(d)}: use retry, rollback or abandon`);
    if (!state.awaitingDecision) throw new Error(`no decision is awaited: the deployment is at stage ${state.stage}`);
    if (!state.decisionsAllowed.includes(d)) throw new Error(`${d} is not possible here: ${d === 'rollback' ? state.rollbackNote ?? NO_ROLLBACK : 'not allowed'}`);
  }

  decide(d: DeployDecision): { accepted: DeployDecision; stage: string } {
    this.decision = d;
    this.state.decisions.push({ decision: d, at: nowIso() });
    return { accepted: d, stage: this.state.stage };
  }

  decideIfFitting(d: DeployDecision): void {
    try {
      this.validate(d);
      this.decide(d);
    } catch {
      // A signal cannot be refused; one that does not fit the moment is ignored.
    }
  }

  async run(): Promise<DeployResult> {
    const { input, deploy, previous, local } = this.plan;
    if (!deploy) return this.finish('failed', `repository "${input.repoId}" has no deploy command configured`);

    const first = await this.attempt(this.current, 'deploy');
    if (first.ok) return this.finish('deployed', `${input.version} is live (${first.reason})`);
    // What failed last decides the prompt and the reason; the release's own failure is why any rollback happened.
    let deployFailure: FailedAttempt = { kind: 'deploy', version: input.version, reason: first.reason, deployed: first.deployed };
    let failed = deployFailure;
    let rollbacks = 0;

    for (;;) {
      let chosen: DeployDecision | null;
      if (deploy.autoRollback && previous && !this.state.decisions.some((d) => d.decision === 'rollback')) {
        chosen = 'rollback';
        this.state.decisions.push({ decision: 'rollback', at: nowIso() });
      } else {
        chosen = await this.awaitDecision(deploy.decisionTimeoutMs, failed);
      }
      if (chosen === null) return this.finish('failed', `no decision within ${Math.round(deploy.decisionTimeoutMs / 1000)}s after ${describeFailure(failed)}`);
      if (chosen === 'abandon') return this.finish('abandoned', abandonedReason(failed));
      if (chosen === 'retry') {
        const retried = await this.attempt(this.current, 'deploy');
        if (retried.ok) return this.finish('deployed', `${input.version} is live after a retry (${retried.reason})`);
        failed = deployFailure = { kind: 'deploy', version: input.version, reason: retried.reason, deployed: retried.deployed };
        continue;
      }
      if (!previous) continue;
      rollbacks += 1;
      const rollback = await this.attempt({ version: previous.version, tag: previous.tag, sha: await local.resolveRelease({ repoId: input.repoId, version: previous.version }).then((r) => r.sha) }, 'rollback');
      if (rollback.ok) return this.finish('rolled-back', rolledBackReason({ to: previous.version, health: rollback.reason, rollbacks, deployFailure }));
      failed = { kind: 'rollback', version: previous.version, reason: rollback.reason, deployed: rollback.deployed };
    }
  }

  private stage(name: string): void {
    const state = this.state;
    state.stage = name;
    upsertSearchAttributes([{ key: StageKey, value: name }]);
    reportStageToParent(name);
    showDetails([
      `**Deploy** of \`${state.repoId}\` **${state.version}** to ${state.environment}`,
      `Stage: ${name}`,
      state.lastError ? `Last error: ${state.lastError}` : null,
      state.samples.length ? `Last health sample: ${describeSample(state.samples[state.samples.length - 1])}` : null,
      state.awaitingDecision ? `Awaiting a decision: ${state.decisionsAllowed.join(' | ')} (signal or update \`decide\`)` : null,
    ]);
  }

  private async awaitDecision(timeoutMs: number, failed: FailedAttempt): Promise<DeployDecision | null> {
    const state = this.state;
    const rollbackTo = this.plan.previous?.version ?? null;
    this.decision = null;
    state.awaitingDecision = true;
    state.decisionsAllowed = rollbackTo !== null ? ['retry', 'rollback', 'abandon'] : ['retry', 'abandon'];
    state.decisionDeadline = new Date(Date.now() + timeoutMs).toISOString();
    state.failedAttempt = describeFailure(failed);
    state.decisionEffects = decisionEffects({ version: this.current.version, rollbackTo, failed, allowed: state.decisionsAllowed });
    this.stage('awaiting decision');
    const decided = await timeoutOrDecision(() => this.decision, timeoutMs);
    state.awaitingDecision = false;
    state.decisionsAllowed = [];
    state.decisionDeadline = null;
    state.failedAttempt = null;
    state.decisionEffects = null;
    return decided;
  }

  private async attempt(target: Target, kind: 'deploy' | 'rollback'): Promise<Verdict> {
    const { input, deploy, deploying } = this.plan;
    const state = this.state;
    const budget = (deploy?.retries ?? 0) + 1;
    let reason = 'not attempted';
    let deployed = false;
    for (let i = 0; i < budget; i += 1) {
      if (i > 0) {
        this.stage(`backoff before attempt ${i + 1}`);
        await sleep(Math.min(30_000, 2_000 * i));
      }
      state.attempts += 1;
      state.deploying = target.version;
      this.stage(`${kind} ${target.version} (attempt ${i + 1}/${budget})`);
      const record: DeployAttemptRecord = { attempt: state.attempts, version: target.version, kind, at: nowIso(), deployOk: false, healthOk: null, reason: '' };
      this.attempts.push(record);
      const run = await deploying.runDeploy.executeWithOptions({ summary: `${kind} ${target.version} (attempt ${state.attempts})` }, [{
        repoId: input.repoId,
        version: target.version,
        tag: target.tag,
        sha: target.sha,
        previousVersion: kind === 'deploy' ? state.previousVersion : input.version,
        attempt: state.attempts,
        runId: this.info.runId,
      }]);
      state.lastOutput = run.tail.slice(-10);
      record.deployOk = run.ok;
      deployed = run.ok;
      if (!run.ok) {
        reason = run.reason;
      } else {
        const verdict = await this.verify(target.version);
        record.healthOk = verdict.ok;
        if (verdict.ok) {
          record.reason = verdict.reason;
          state.lastError = null;
          return { ...verdict, deployed };
        }
        reason = verdict.reason;
      }
      record.reason = reason;
      state.lastError = reason;
    }
    return { ok: false, reason, deployed };
  }

  private async verify(version: string): Promise<Omit<Verdict, 'deployed'>> {
    const { input, health, local } = this.plan;
    if (!health) return { ok: true, reason: 'no health check configured' };
    this.stage(`verify ${version}`);
    if (health.initialDelayMs > 0) await sleep(health.initialDelayMs);
    const started = Date.now();
    const samples: HealthSample[] = [];
    for (;;) {
      const sample = await local.probeHealth.executeWithOptions({ summary: `health sample of ${version}` }, [{ repoId: input.repoId, expectedVersion: health.checksVersion ? version : null }]);
      samples.push(sample);
      this.state.samples.push(sample);
      if (this.state.samples.length > MAX_SAMPLES_KEPT) this.state.samples.splice(0, this.state.samples.length - MAX_SAMPLES_KEPT);
      const verdict = healthVerdict(health, samples, Date.now() - started);
      if (verdict.verdict !== 'continue') return { ok: verdict.verdict === 'healthy', reason: verdict.reason };
      await sleep(health.intervalMs);
    }
  }

  private async finish(outcome: Outcome, reason: string): Promise<DeployResult> {
    const { input, environment, release, previous, local } = this.plan;
    const state = this.state;
    state.outcome = outcome;
    state.reason = reason;
    state.awaitingDecision = false;
    this.stage('report');
    const report = await local.writeDeployReport.executeWithOptions({ summary: `deploy report: ${outcome}` }, [{
      repoId: input.repoId,
      environment,
      version: input.version,
      tag: release.tag,
      commit: release.sha,
      previousVersion: state.previousVersion,
      liveVersion: outcome === 'deployed' ? input.version : outcome === 'rolled-back' ? previous?.version ?? null : null,
      trigger: input.trigger ?? 'manual',
      requestedBy: input.requestedBy ?? this.info.parent?.workflowId ?? null,
      startedAt: state.startedAt,
      outcome,
      reason,
      attempts: this.attempts,
      samples: state.samples,
      lastOutput: state.lastOutput,
      decisions: state.decisions,
      workflowId: this.info.workflowId,
      runId: this.info.runId,
    }]);
    state.report = report.name;
    markOutcome(outcome, input.version);
    this.stage('done');
    return { repoId: input.repoId, environment, version: input.version, outcome, reason, attempts: state.attempts, report: report.name };
  }
}

/** The operator's decision, or null when none came within `timeoutMs` (a durable timer). */
async function timeoutOrDecision(decided: () => DeployDecision | null, timeoutMs: number): Promise<DeployDecision | null> {
  return (await condition(() => decided() !== null, timeoutMs)) ? decided() : null;
}

/**
 * The rollback target is what the environment last ran verified healthy. Without such a record
 * there is none: the release before in history may never have been live, or was rolled back.
 */
function rollbackTargetFrom(ledger: LedgerVerdict, version: string): { previous: { version: string; tag: string } | null; liveBefore: string | null; rollbackNote: string } {
  const live = ledger.live;
  if (!live) {
    return { previous: null, liveBefore: null, rollbackNote: `${NO_ROLLBACK}: no deployment to ${ledger.environment} verified healthy is on record (${ledger.entries} deploy reports)` };
  }
  if (live.version === version) {
    return { previous: null, liveBefore: live.version, rollbackNote: `${version} is itself the version last verified healthy in ${ledger.environment} (${live.report}); retry deploys it again` };
  }
  return { previous: { version: live.version, tag: live.tag }, liveBefore: live.version, rollbackNote: `to ${live.version}, live and verified healthy in ${ledger.environment} since ${live.since} (${live.report})` };
}

function describeSample(sample: DeployState['samples'][number] | undefined): string | null {
  if (!sample) return null;
  return `${sample.ok ? 'ok' : 'failing'} (${sample.status ?? 'no answer'}, ${sample.latencyMs} ms${sample.version ? `, version ${sample.version}` : ''}${sample.error ? `: ${sample.error}` : ''})`;
}
