import {
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  type ActivityInterfaceFor,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { LedgerVerdict } from '../activities/ledger.js';
import {
  DEPLOY_COMMAND,
  DEPLOY_STEP,
  PARENT_WORKER_LOST_AFTER_MS,
  lostWorkerAfterMs,
  pinned,
  unpinned,
} from './activity-options.js';
import {
  abandonedReason,
  decisionEffects,
  describeFailure,
  rolledBackReason,
  type FailedAttempt,
} from '../domain/deploy-decisions.js';
import type { DeployAttemptRecord } from '../domain/deploy-report.js';
import { healthVerdict } from '../domain/health-verdict.js';
import {
  DEFAULT_ENVIRONMENT,
  DEPLOY_DECISIONS,
  cancelRequestSignal,
  parseDecision,
  decisionSignal,
  decisionUpdate,
  deployStateQuery,
  type CancelRequest,
  type DecisionBy,
  type DeployDecision,
  type DeployInput,
  type DeployResult,
  type DeployState,
  type HealthSample,
  type IgnoredSignal,
  type Repin,
} from '../vocabulary/messages.js';
import type { ErrorCode } from '../domain/errors.js';
import { workflowFailure } from './failure.js';
import { isLostWorker } from './lost-worker.js';
import { Notifier } from './notify.js';
import { lastOf, markOutcome, nowIso, reportStageToParent, showDetails, viewPublisher } from './run-state.js';
import { EnvironmentKey, RepoKey, StageKey, TriggerKey, VersionKey } from '../vocabulary/search-attributes.js';

const shared = proxyActivities<Activities>(unpinned({ maximumAttempts: 5 }));
const MAX_SAMPLES_KEPT = 60;
/**
 * The view in memo is written to history at each change: it keeps the last 10 health samples (the
 * state and the report keep 60) and the last 10 ignored signals, so a view stays a few kilobytes.
 */
const VIEW_SAMPLES_KEPT = 10;
const VIEW_SIGNALS_KEPT = 10;
// Runs started before the ledger took the rollback target from git history; they replay that way.
const LEDGER_PATCH = 'rollback-target-from-deploy-ledger';
const NO_ROLLBACK = 'there is no previous release to roll back to';
// Runs started before a lost worker was noticed waited for it; they replay that way.
const REPIN_PATCH = 'deploy-repin-on-lost-worker';
// Runs started before a decision was read as typed ("Retry", "roll back") ignored such signals.
const DECISION_SPELLINGS_PATCH = 'decide-signal-spellings';
// Runs cancelled before a cancellation was recorded ended without a report; they replay that way.
const CANCEL_PATCH = 'cancel-records-outcome';
// The release check and the deploy ledger are read at once; runs recorded before read them in turn.
const TOGETHER_PATCH = 'deploy-reads-release-and-ledger-together';

type Pin = Awaited<ReturnType<Activities['pinRun']>>;

/**
 * What names the environment in an activity's input: nothing for a run started without one (as
 * runs were before environments), so those keep their inputs; `{ environment }` otherwise.
 */
function environmentArg(input: Pick<DeployInput, 'environment'>): { environment?: string } {
  return input.environment === undefined ? {} : { environment: input.environment };
}

/**
 * The worker of a `path` repository is lost: its working copy is that host's folder, so no other
 * worker can go on. The deployment ends at once with this reason instead of waiting.
 */
class HostBound extends ApplicationFailure {
  constructor(
    readonly workerId: string,
    message: string,
  ) {
    super(message, 'SHIPGATE_REPO_UNAVAILABLE' satisfies ErrorCode, true);
  }
}

/**
 * The worker a deployment runs its steps on. A step whose worker is lost (see `isLostWorker`)
 * moves the run to a live worker, which brings its own clone at the release the run deploys and
 * runs the step again: a deploy command lost with its worker runs once more, which is why deploy
 * commands must be idempotent.
 *
 * Why not `RunPin` (workflows/pinning.ts), which releases and QA use: the two differ where
 * recorded runs would notice. A deployment of a `path` repository whose worker is lost ends at
 * once (HostBound) where RunPin waits for the host; after a move it checks the release on the new
 * worker (resolveRelease) before the step runs again; and its patch (REPIN_PATCH below) is taken
 * once as the run starts, where RunPin takes `repin-on-lost-worker` at each recovery. Either
 * change moves or adds commands in the histories of runs that moved, so the classes stay apart.
 */
class PinnedWorker {
  readonly repins: Repin[] = [];
  local!: ActivityInterfaceFor<Activities>;
  // A crashed worker may cost one more run of the deploy command; never more per attempt.
  deploying!: ActivityInterfaceFor<Activities>;
  /** The release the new worker's clone must hold before it goes on; unknown until resolved. */
  release: { version: string; tag: string; sha: string } | null = null;
  /** Set once the run lost the host of its `path` repository: nothing runs there any more. */
  bound: HostBound | null = null;
  onRepin: () => void = () => undefined;

  constructor(
    private pin: Pin,
    private readonly repoId: string,
    private readonly repinning: boolean,
    private readonly environment: { environment?: string } = {},
  ) {
    this.bind(pin);
  }

  get workerId(): string {
    return this.pin.workerId;
  }

  /** For the details line: where the steps run, and whether the run could move. */
  describe(): string {
    return `Worker: ${this.pin.workerId}${this.pin.portable === false ? ' (a path repository: the run is bound to this host)' : ''}`;
  }

  private bind(pin: Pin): void {
    this.pin = pin;
    this.local = proxyActivities<Activities>(pinned(pin, DEPLOY_STEP));
    this.deploying = proxyActivities<Activities>(pinned(pin, DEPLOY_COMMAND));
  }

  /** Runs one step on the pinned worker, or, once that worker is lost, on a live one. */
  async step<T>(name: string, body: () => Promise<T>): Promise<T> {
    if (this.bound) throw this.bound;
    let moved = false;
    for (;;) {
      try {
        if (moved) await this.checkRelease();
        return await body();
      } catch (error) {
        if (!this.repinning || !isLostWorker(error)) throw error;
        await this.repin(name);
        moved = true;
      }
    }
  }

  private async repin(step: string): Promise<void> {
    const lost = this.pin.workerId;
    const waited = `its queue was not served for ${Math.round(lostWorkerAfterMs(this.pin.settings) / 1000)}s`;
    if (this.pin.portable === false) {
      this.bound = new HostBound(
        lost,
        `worker ${lost} is lost (${waited} at step ${step}), and repository "${this.repoId}" is a path on that worker's host, so no other worker can go on`,
      );
      throw this.bound;
    }
    const pin = await shared.pinRun.executeWithOptions({ summary: `move ${this.repoId} off the lost worker ${lost}` }, [
      { repoId: this.repoId, ...this.environment },
    ]);
    this.repins.push({ from: lost, to: pin.workerId, step, at: nowIso() });
    this.bind(pin);
    this.onRepin();
  }

  /** The new worker's clone holds the release at the commit the run deploys, or the run stops. */
  private async checkRelease(): Promise<void> {
    const release = this.release;
    if (!release) return;
    const resolved = await this.local.resolveRelease.executeWithOptions(
      { summary: `${release.tag} on worker ${this.pin.workerId}` },
      [{ repoId: this.repoId, version: release.version, ...this.environment }],
    );
    if (resolved.sha !== release.sha) {
      throw workflowFailure(
        'SHIPGATE_NOT_RELEASED',
        `worker ${this.pin.workerId} resolves ${release.tag} to ${resolved.sha.slice(0, 7)}, but the deployment deploys ${release.sha.slice(0, 7)}`,
      );
    }
  }
}

/**
 * The first pin: on the parent's worker when a release started this run, bounded so that a lost
 * parent worker sends it to the shared queue, to any live worker.
 */
async function pinDeployment(input: DeployInput, repinning: boolean): Promise<Pin> {
  // The environment's own deploy and health settings come with the pin.
  const args = { repoId: input.repoId, ...environmentArg(input) };
  if (!input.pinnedTaskQueue) return shared.pinRun(args);
  if (!repinning) return shared.pinRun.executeWithOptions({ taskQueue: input.pinnedTaskQueue }, [args]);
  try {
    return await shared.pinRun.executeWithOptions(
      {
        taskQueue: input.pinnedTaskQueue,
        scheduleToStartTimeout: input.lostWorkerAfterMs ?? PARENT_WORKER_LOST_AFTER_MS,
      },
      [args],
    );
  } catch (error) {
    if (!isLostWorker(error)) throw error;
    return shared.pinRun.executeWithOptions({ summary: `pin ${input.repoId}: the release's worker is lost` }, [args]);
  }
}

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
async function releaseToDeploy(input: DeployInput, worker: PinnedWorker): Promise<NonNullable<DeployInput['release']>> {
  if (input.release && !patched('deploy-checks-given-release')) return input.release;
  const resolved = await worker.step('resolve release', () =>
    worker.local.resolveRelease({ repoId: input.repoId, version: input.version, ...environmentArg(input) }),
  );
  if (!input.release) return resolved;
  if (input.release.sha !== resolved.sha || input.release.tag !== resolved.tag) {
    throw workflowFailure(
      'SHIPGATE_NOT_RELEASED',
      `the run was given ${input.release.tag} at ${input.release.sha.slice(0, 7)}, but shipgate released ${resolved.tag} at ${resolved.sha.slice(0, 7)}`,
    );
  }
  // The parent knows which release came before this one; keep its answer.
  return input.release;
}

/**
 * The result as the run returns it: a `DeployResult` and what the run left in place, for an
 * environment's workflow to keep as live (the API's result schema shows the `DeployResult` part).
 */
export interface DeployRunResult extends DeployResult {
  /** The version the last deploy command that succeeded put in place, healthy or not; null when none succeeded. */
  inPlace: string | null;
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
  /** The worker the steps run on, which changes when it is lost. */
  worker: PinnedWorker;
  /** The run's notifications (workflows/notify.ts). */
  notifier: Notifier;
}
type DeploySettings = NonNullable<PinnedSettings['deploy']>;
type HealthSettings = NonNullable<PinnedSettings['health']>;
type PinnedSettings = Awaited<ReturnType<Activities['pinRun']>>['settings'];

/**
 * Deploys one released version to one environment, verifies health and version, and when that
 * fails after the automatic retries, waits durably for an operator: retry, rollback or abandon.
 */
export async function deployWorkflow(input: DeployInput): Promise<DeployRunResult> {
  let cancelRequest: CancelRequest | null = null;
  setHandler(cancelRequestSignal, (request) => {
    cancelRequest ??= request;
  });
  const repinning = patched(REPIN_PATCH);
  const pin = await pinDeployment(input, repinning);
  const deploy = pin.settings.deploy;
  const health = pin.settings.health;
  const worker = new PinnedWorker(pin, input.repoId, repinning, environmentArg(input));
  const environment = input.environment ?? deploy?.environment ?? DEFAULT_ENVIRONMENT;
  // An environment's workflow holds its ledger and passes the last good version in: no report is read.
  const given = input.lastGood !== undefined;
  const readLedger = () =>
    worker.step('deploy ledger', () =>
      worker.local.deployLedger.executeWithOptions({ summary: `last version verified healthy in ${environment}` }, [
        { repoId: input.repoId, environment },
      ]),
    );
  // Neither needs the other: both start in one workflow task. Runs recorded before read one after the other.
  const together = !given && deploy !== null && patched(TOGETHER_PATCH) && patched(LEDGER_PATCH);
  const [release, ledger] = together
    ? await Promise.all([releaseToDeploy(input, worker), readLedger()])
    : [await releaseToDeploy(input, worker), null];
  worker.release = { version: input.version, tag: release.tag, sha: release.sha };
  const { previous, liveBefore, rollbackNote } = given
    ? rollbackTargetGiven(input.lastGood ?? null, input.version, environment)
    : ledger || (deploy && patched(LEDGER_PATCH))
      ? rollbackTargetFrom(ledger ?? (await readLedger()), input.version)
      : {
          previous: release.previous,
          liveBefore: release.previous?.version ?? null,
          rollbackNote: release.previous ? `to ${release.previous.version}, the release before this one` : NO_ROLLBACK,
        };

  const deployment = new Deployment(
    {
      input,
      deploy,
      health,
      environment,
      release,
      previous,
      liveBefore,
      rollbackNote,
      worker,
      notifier: new Notifier(input.repoId, pin.settings.notify, { event: 'deploy.failed', kind: 'deployment' }),
    },
    () => cancelRequest,
  );
  upsertSearchAttributes([
    { key: RepoKey, value: input.repoId },
    { key: VersionKey, value: input.version },
    { key: TriggerKey, value: input.trigger ?? 'manual' },
    // Only runs that name their environment: runs recorded before upserted three attributes.
    ...(input.environment === undefined ? [] : [{ key: EnvironmentKey, value: input.environment }]),
  ]);
  setHandler(deployStateQuery, () => deployment.state);
  setHandler(decisionUpdate, (d, from) => deployment.decide(d, from), {
    validator: (d: DeployDecision, _from?: DecisionBy) => deployment.validate(d),
  });
  setHandler(decisionSignal, (d: unknown) => deployment.decideIfFitting(d));
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
  private readonly publish = viewPublisher(() => ({
    ...this.state,
    samples: this.state.samples.slice(-VIEW_SAMPLES_KEPT),
    ignoredSignals: lastOf(this.state.ignoredSignals, VIEW_SIGNALS_KEPT),
  }));

  constructor(
    private readonly plan: DeploymentPlan,
    private readonly cancelRequest: () => CancelRequest | null,
  ) {
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
      repins: plan.worker.repins,
      ignoredSignals: [],
    };
    plan.worker.onRepin = () => this.details();
  }

  /** What every event of this deployment says it is about. */
  private about() {
    return { version: this.plan.input.version, tag: this.plan.release.tag, environment: this.plan.environment };
  }

  validate(d: DeployDecision): void {
    const state = this.state;
    if (!DEPLOY_DECISIONS.includes(d))
      throw new Error(`unknown decision ${JSON.stringify(d)}: use retry, rollback or abandon`);
    if (!state.awaitingDecision) throw new Error(`no decision is awaited: the deployment is at stage ${state.stage}`);
    if (!state.decisionsAllowed.includes(d))
      throw new Error(
        `${d} is not possible here: ${d === 'rollback' ? (state.rollbackNote ?? NO_ROLLBACK) : 'not allowed'}`,
      );
  }

  decide(d: DeployDecision, from?: DecisionBy): { accepted: DeployDecision; stage: string } {
    this.decision = d;
    // Sent by the API with the caller's name; an update typed in the Temporal UI may carry anything.
    const by = typeof from?.by === 'string' && from.by !== '' ? from.by.slice(0, 100) : undefined;
    this.state.decisions.push({ decision: d, at: nowIso(), ...(by === undefined ? {} : { by }) });
    this.publish();
    return { accepted: d, stage: this.state.stage };
  }

  /**
   * A signal cannot be refused, so one that does not fit the moment is ignored, and kept in the
   * state and details with what the run expects, for whoever sent it from the Temporal UI.
   */
  decideIfFitting(value: unknown): void {
    const state = this.state;
    const parsed = parseDecision(value);
    const d = parsed !== null && (parsed === value || patched(DECISION_SPELLINGS_PATCH)) ? parsed : null;
    try {
      if (d === null) throw new Error(`unknown decision: use ${DEPLOY_DECISIONS.join(', ')}`);
      this.validate(d);
      this.decide(d);
    } catch (error) {
      const ignored: IgnoredSignal = {
        value: typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value)),
        at: nowIso(),
        expected: state.awaitingDecision ? [...state.decisionsAllowed] : [],
        reason: (error as Error).message,
      };
      state.ignoredSignals = [...(state.ignoredSignals ?? []), ignored];
      // Only the details and the view (behind its patch): a signal handler that issued other
      // commands would not replay older runs.
      this.details();
    }
  }

  async run(): Promise<DeployRunResult> {
    try {
      return await this.steps();
    } catch (error) {
      if (error instanceof HostBound) return this.finish('failed', error.message);
      if (isCancellation(error) && patched(CANCEL_PATCH))
        return CancellationScope.nonCancellable(() => this.endCancelled(error));
      throw error;
    }
  }

  /**
   * Cancelled through Temporal, or with the release that started it: the deploy report records
   * the run as abandoned, with who asked, and the run ends CANCELLED. Whatever the deploy
   * command already changed stays; a rollback or a new deployment is the operator's to start.
   */
  private async endCancelled(error: unknown): Promise<never> {
    // A release cancelled with its deployment tells it who asked just after the cancellation itself.
    if (this.info.parent && !this.cancelRequest()) await condition(() => this.cancelRequest() !== null, '5s');
    const request = this.cancelRequest() ?? {
      by: this.info.parent ? `the release ${this.info.parent.workflowId}` : 'Temporal',
      reason: 'cancelled',
    };
    const cancellation = { ...request, at: nowIso(), undone: [] as string[] };
    this.state.cancellation = cancellation;
    const result = await this.finish('abandoned', `cancelled by ${request.by}: ${request.reason}`);
    if (result.report)
      cancellation.undone.push(`the deployment ended; deploy report ${result.report} records it as abandoned`);
    throw error;
  }

  private async steps(): Promise<DeployRunResult> {
    const { input, deploy, previous, worker } = this.plan;
    if (!deploy) return this.finish('failed', `repository "${input.repoId}" has no deploy command configured`);
    this.plan.notifier.emit('deploy.started', {
      summary: `deploying ${input.version} to ${this.plan.environment}`,
      ...this.about(),
      details: { trigger: input.trigger ?? 'manual', previousVersion: this.state.previousVersion },
    });

    const first = await this.attempt(this.current, 'deploy');
    if (first.ok) return this.finish('deployed', `${input.version} is live (${first.reason})`);
    // What failed last decides the prompt and the reason; the release's own failure is why any rollback happened.
    let deployFailure: FailedAttempt = {
      kind: 'deploy',
      version: input.version,
      reason: first.reason,
      deployed: first.deployed,
    };
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
      if (chosen === null)
        return this.finish(
          'failed',
          `no decision within ${Math.round(deploy.decisionTimeoutMs / 1000)}s after ${describeFailure(failed)}`,
        );
      if (chosen === 'abandon') return this.finish('abandoned', abandonedReason(failed));
      if (chosen === 'retry') {
        const retried = await this.attempt(this.current, 'deploy');
        if (retried.ok) return this.finish('deployed', `${input.version} is live after a retry (${retried.reason})`);
        failed = deployFailure = {
          kind: 'deploy',
          version: input.version,
          reason: retried.reason,
          deployed: retried.deployed,
        };
        continue;
      }
      if (!previous) continue;
      rollbacks += 1;
      const target = await worker.step('resolve rollback target', () =>
        worker.local.resolveRelease({ repoId: input.repoId, version: previous.version, ...environmentArg(input) }),
      );
      const rollback = await this.attempt(
        { version: previous.version, tag: previous.tag, sha: target.sha },
        'rollback',
      );
      if (rollback.ok)
        return this.finish(
          'rolled-back',
          rolledBackReason({ to: previous.version, health: rollback.reason, rollbacks, deployFailure }),
        );
      failed = { kind: 'rollback', version: previous.version, reason: rollback.reason, deployed: rollback.deployed };
    }
  }

  private stage(name: string): void {
    this.state.stage = name;
    upsertSearchAttributes([{ key: StageKey, value: name }]);
    reportStageToParent(name);
    this.details();
  }

  private details(): void {
    const state = this.state;
    const name = state.stage;
    showDetails([
      `**Deploy** of \`${state.repoId}\` **${state.version}** to ${state.environment}`,
      `Stage: ${name}`,
      this.plan.worker.describe(),
      state.lastError ? `Last error: ${state.lastError}` : null,
      state.samples.length ? `Last health sample: ${describeSample(state.samples[state.samples.length - 1])}` : null,
      state.awaitingDecision
        ? `Awaiting a decision: ${state.decisionsAllowed.join(' | ')} (signal or update \`decide\`)`
        : null,
      ...(state.repins ?? []).map((r) => `Moved from lost worker ${r.from} to ${r.to} at step ${r.step} (${r.at})`),
      ...(state.ignoredSignals ?? []).map(
        (i) =>
          `Ignored signal decide ${JSON.stringify(i.value)} at ${i.at}: ${i.reason}${i.expected.length ? ` (expected ${i.expected.join(' | ')})` : ''}`,
      ),
    ]);
    this.publish();
  }

  private async awaitDecision(timeoutMs: number, failed: FailedAttempt): Promise<DeployDecision | null> {
    const state = this.state;
    const rollbackTo = this.plan.previous?.version ?? null;
    this.decision = null;
    state.awaitingDecision = true;
    state.decisionsAllowed = DEPLOY_DECISIONS.filter((decision) => decision !== 'rollback' || rollbackTo !== null);
    state.decisionDeadline = new Date(Date.now() + timeoutMs).toISOString();
    state.failedAttempt = describeFailure(failed);
    state.decisionEffects = decisionEffects({
      version: this.current.version,
      rollbackTo,
      failed,
      allowed: state.decisionsAllowed,
    });
    this.stage('awaiting decision');
    this.plan.notifier.emit('decision.awaiting', {
      summary: `deployment of ${this.current.version} to ${this.plan.environment} failed: ${state.decisionsAllowed.join(', ')}?`,
      ...this.about(),
      reason: state.failedAttempt ?? state.lastError ?? null,
      details: {
        kind: 'deploy',
        allowed: [...state.decisionsAllowed],
        deadline: state.decisionDeadline,
        effects: state.decisionEffects,
      },
    });
    const decided = await timeoutOrDecision(() => this.decision, timeoutMs);
    state.awaitingDecision = false;
    state.decisionsAllowed = [];
    state.decisionDeadline = null;
    state.failedAttempt = null;
    state.decisionEffects = null;
    return decided;
  }

  private async attempt(target: Target, kind: 'deploy' | 'rollback'): Promise<Verdict> {
    const { input, deploy, worker } = this.plan;
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
      const record: DeployAttemptRecord = {
        attempt: state.attempts,
        version: target.version,
        kind,
        at: nowIso(),
        deployOk: false,
        healthOk: null,
        reason: '',
      };
      this.attempts.push(record);
      const run = await worker.step(`${kind} ${target.version}`, () =>
        worker.deploying.runDeploy.executeWithOptions(
          { summary: `${kind} ${target.version} (attempt ${state.attempts})` },
          [
            {
              repoId: input.repoId,
              version: target.version,
              tag: target.tag,
              sha: target.sha,
              previousVersion: kind === 'deploy' ? state.previousVersion : input.version,
              attempt: state.attempts,
              runId: this.info.runId,
              ...environmentArg(input),
            },
          ],
        ),
      );
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
    const { input, health, worker } = this.plan;
    if (!health) return { ok: true, reason: 'no health check configured' };
    this.stage(`verify ${version}`);
    if (health.initialDelayMs > 0) await sleep(health.initialDelayMs);
    const started = Date.now();
    const samples: HealthSample[] = [];
    for (;;) {
      const sample = await worker.step(`verify ${version}`, () =>
        worker.local.probeHealth.executeWithOptions({ summary: `health sample of ${version}` }, [
          { repoId: input.repoId, expectedVersion: health.checksVersion ? version : null, ...environmentArg(input) },
        ]),
      );
      samples.push(sample);
      this.state.samples.push(sample);
      if (this.state.samples.length > MAX_SAMPLES_KEPT)
        this.state.samples.splice(0, this.state.samples.length - MAX_SAMPLES_KEPT);
      this.publish();
      const verdict = healthVerdict(health, samples, Date.now() - started);
      if (verdict.verdict !== 'continue') return { ok: verdict.verdict === 'healthy', reason: verdict.reason };
      await sleep(health.intervalMs);
    }
  }

  private async finish(outcome: Outcome, reason: string): Promise<DeployRunResult> {
    const { input, environment, release, previous, worker } = this.plan;
    const state = this.state;
    state.outcome = outcome;
    state.reason = reason;
    state.awaitingDecision = false;
    this.stage('report');
    const report = await this.writeReport(() =>
      worker.local.writeDeployReport.executeWithOptions({ summary: `deploy report: ${outcome}` }, [
        {
          repoId: input.repoId,
          environment,
          version: input.version,
          tag: release.tag,
          commit: release.sha,
          previousVersion: state.previousVersion,
          liveVersion:
            outcome === 'deployed' ? input.version : outcome === 'rolled-back' ? (previous?.version ?? null) : null,
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
        },
      ]),
    );
    state.report = report?.name ?? null;
    if (!report)
      state.reason =
        reason === worker.bound?.message
          ? `${reason}; no deploy report was written`
          : `${reason}; no deploy report was written: ${worker.bound?.message ?? 'its worker is lost'}`;
    markOutcome(outcome, input.version);
    this.stage('done');
    const result: DeployRunResult = {
      repoId: input.repoId,
      environment,
      version: input.version,
      outcome,
      reason: state.reason,
      attempts: state.attempts,
      report: state.report,
      inPlace: this.attempts.findLast((a) => a.deployOk)?.version ?? null,
    };
    this.publish(result);
    const event =
      outcome === 'deployed' ? 'deploy.deployed' : outcome === 'rolled-back' ? 'deploy.rolled-back' : 'deploy.failed';
    this.plan.notifier.emit(event, {
      summary:
        outcome === 'deployed'
          ? `${input.version} is live in ${environment}`
          : outcome === 'rolled-back'
            ? `${input.version} was rolled back in ${environment}${previous ? ` to ${previous.version}` : ''}`
            : `deployment of ${input.version} to ${environment} ${outcome === 'abandoned' ? 'was abandoned' : 'failed'}`,
      ...this.about(),
      outcome,
      reason: state.reason,
      details: { attempts: state.attempts, report: state.report, inPlace: result.inPlace },
    });
    await this.plan.notifier.close();
    return result;
  }

  /** The report, written on a live worker; none when the run lost the host of its `path` repository. */
  private async writeReport(write: () => Promise<{ name: string }>): Promise<{ name: string } | null> {
    const { worker } = this.plan;
    if (worker.bound) return null;
    try {
      return await worker.step('report', write);
    } catch (error) {
      if (error instanceof HostBound) return null;
      throw error;
    }
  }
}

/** The operator's decision, or null when none came within `timeoutMs` (a durable timer). */
async function timeoutOrDecision(
  decided: () => DeployDecision | null,
  timeoutMs: number,
): Promise<DeployDecision | null> {
  return (await condition(() => decided() !== null, timeoutMs)) ? decided() : null;
}

/**
 * The rollback target is what the environment last ran verified healthy. Without such a record
 * there is none: the release before in history may never have been live, or was rolled back.
 */
function rollbackTargetFrom(
  ledger: LedgerVerdict,
  version: string,
): { previous: { version: string; tag: string } | null; liveBefore: string | null; rollbackNote: string } {
  const live = ledger.live;
  if (!live) {
    return {
      previous: null,
      liveBefore: null,
      rollbackNote: `${NO_ROLLBACK}: no deployment to ${ledger.environment} verified healthy is on record (${ledger.entries} deploy reports)`,
    };
  }
  if (live.version === version) {
    return {
      previous: null,
      liveBefore: live.version,
      rollbackNote: `${version} is itself the version last verified healthy in ${ledger.environment} (${live.report}); retry deploys it again`,
    };
  }
  return {
    previous: { version: live.version, tag: live.tag },
    liveBefore: live.version,
    rollbackNote: `to ${live.version}, live and verified healthy in ${ledger.environment} since ${live.since} (${live.report})`,
  };
}

/** The rollback target an environment's workflow passed in (`lastGood`), from its own ledger. */
function rollbackTargetGiven(
  lastGood: NonNullable<DeployInput['lastGood']> | null,
  version: string,
  environment: string,
): { previous: { version: string; tag: string } | null; liveBefore: string | null; rollbackNote: string } {
  if (!lastGood)
    return {
      previous: null,
      liveBefore: null,
      rollbackNote: `${NO_ROLLBACK}: no version is on record as verified healthy in ${environment}`,
    };
  const where = lastGood.report ? ` (${lastGood.report})` : '';
  if (lastGood.version === version)
    return {
      previous: null,
      liveBefore: lastGood.version,
      rollbackNote: `${version} is itself the version last verified healthy in ${environment}${where}; retry deploys it again`,
    };
  return {
    previous: { version: lastGood.version, tag: lastGood.tag },
    liveBefore: lastGood.version,
    rollbackNote: `to ${lastGood.version}, live and verified healthy in ${environment} since ${lastGood.since}${where}`,
  };
}

function describeSample(sample: DeployState['samples'][number] | undefined): string | null {
  if (!sample) return null;
  return `${sample.ok ? 'ok' : 'failing'} (${sample.status ?? 'no answer'}, ${sample.latencyMs} ms${sample.version ? `, version ${sample.version}` : ''}${sample.error ? `: ${sample.error}` : ''})`;
}
