import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  makeContinueAsNewFunc,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import semver from 'semver';
import type { Activities } from '../activities/index.js';
import type { EnvironmentSetup } from '../activities/environments.js';
import { tagName } from '../domain/bump.js';
import type { ErrorCode } from '../domain/errors.js';
import {
  ENVIRONMENT_REQUEST_KINDS,
  LEDGER_KEPT,
  environmentEventSignal,
  environmentStateQuery,
  pinUpdate,
  requestDeploymentUpdate,
  unpinUpdate,
  type EnvironmentEvent,
  type EnvironmentInput,
  type EnvironmentRequest,
  type EnvironmentRequestAnswer,
  type EnvironmentRequestStatus,
  type EnvironmentState,
  type EnvironmentVersion,
  type LedgerEntry,
  type PendingRequest,
  type PinRequest,
} from '../vocabulary/environments.js';
import { TRIGGERS, ViewMemoKey, workflowIdFor, type DeployInput } from '../vocabulary/messages.js';
import { EnvironmentKey, RepoKey, StageKey, VersionKey } from '../vocabulary/search-attributes.js';
import { ENVIRONMENT_STEP } from './activity-options.js';
import { deployWorkflow, type DeployRunResult } from './deploy.js';
import { failureMessage, workflowFailure } from './failure.js';
import { nowIso, showDetails, viewPublisher } from './run-state.js';

const steps = proxyActivities<Activities>(ENVIRONMENT_STEP);

const DEFAULT_CONTINUE_AS_NEW_AFTER = 2_000;
/** The view in memo is written to history at each change, so it keeps the newest of each list. */
const VIEW_LEDGER_KEPT = 20;
const VIEW_PENDING_KEPT = 20;
const VIEW_PINS_KEPT = 10;
const PINS_KEPT = 50;
const DETAILS_LEDGER_SHOWN = 5;

type Closed = Extract<LedgerEntry['outcome'], EnvironmentRequestStatus>;

/** Refusals of messages and the run's own failure: a catalogue code the API and CLI can name. */
const refusal = workflowFailure;

/** A release's handover and a promotion are automatic: they wait while pinned, and an older one gives way to a newer. */
function isAutomatic(request: Pick<EnvironmentRequest, 'kind'>): boolean {
  return request.kind !== 'manual';
}

function older(version: string, than: string): boolean {
  return semver.valid(version) !== null && semver.valid(than) !== null && semver.lt(version, than);
}

function describeVersion(v: EnvironmentVersion): string {
  return `${v.version} (${v.verified ? 'verified healthy' : 'not verified healthy'}, since ${v.since}${v.report ? `, ${v.report}` : ''})`;
}

/**
 * The long-lived workflow that owns one environment (see vocabulary/environments.ts): it takes
 * requests, runs one deployment at a time as a child `deploy:<repo>:<env>`, keeps what is live,
 * the last version verified healthy, the pin and the ledger, and continues as new when idle.
 */
export async function environmentWorkflow(input: EnvironmentInput): Promise<void> {
  const entity = new EnvironmentEntity(input);
  setHandler(environmentStateQuery, () => entity.state);
  setHandler(requestDeploymentUpdate, (request) => entity.request(request), {
    validator: (request: EnvironmentRequest) => entity.validateRequest(request),
  });
  setHandler(pinUpdate, (pin) => entity.pin(pin), { validator: (pin: PinRequest) => entity.validatePin(pin) });
  setHandler(unpinUpdate, (unpin) => entity.unpin(unpin), {
    validator: (unpin: PinRequest) => entity.validateUnpin(unpin),
  });
  await entity.run();
}

/** One environment's state and its rules; only the workflow function above creates one. */
class EnvironmentEntity {
  readonly state: EnvironmentState;
  private setup: EnvironmentSetup | null = null;
  /** Set when the environment cannot be set up (an unknown repository or environment): every message gets it. */
  private unusable: ApplicationFailure | null = null;
  private ready = false;
  /** Events sent and not yet delivered (or refused): a run that continued as new before them would lose them. */
  private signalling = 0;
  private shown: { stage: string | null; version: string | null } = { stage: null, version: null };
  private readonly publish = viewPublisher(() => this.view());

  constructor(private readonly input: EnvironmentInput) {
    this.state = input.carried
      ? { ...input.carried, generation: input.carried.generation + 1 }
      : {
          kind: 'environment',
          repoId: input.repoId,
          environment: input.environment,
          live: null,
          lastGood: null,
          pinned: null,
          pending: [],
          ledger: [],
          ledgerTotal: 0,
          pinHistory: [],
          generation: 0,
          updatedAt: nowIso(),
        };
  }

  async run(): Promise<void> {
    try {
      this.setup = await steps.environmentSetup({ repoId: this.input.repoId, environment: this.input.environment });
      if (!this.input.carried) await this.seed();
    } catch (error) {
      // The cause is the activity's catalogue failure (unknown repository or environment).
      const cause = (error as { cause?: unknown }).cause;
      this.unusable =
        cause instanceof ApplicationFailure
          ? refusal((cause.type ?? 'SHIPGATE_INTERNAL') as ErrorCode, cause.message)
          : refusal('SHIPGATE_INTERNAL', failureMessage(error));
      this.ready = true;
      await condition(allHandlersFinished);
      throw this.unusable;
    }
    this.ready = true;
    this.changed();
    const limit = this.input.continueAsNewAfter ?? DEFAULT_CONTINUE_AS_NEW_AFTER;
    const historyLong = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= limit;
    for (;;) {
      await condition(() => this.next() !== null || historyLong());
      const next = this.next();
      if (next) {
        await this.deploy(next);
        continue;
      }
      // Idle: nothing deploys. The messages being handled finish first, then the state goes on in a new run.
      await condition(() => allHandlersFinished() && this.signalling === 0);
      if (this.next()) continue;
      // The memo and attributes go along: another environment's promotion check and the API read
      // the view between the two runs too, and a new run writes nothing before its first task.
      await makeContinueAsNewFunc<typeof environmentWorkflow>({
        memo: { [ViewMemoKey]: this.view() },
        typedSearchAttributes: [
          { key: RepoKey, value: this.input.repoId },
          { key: EnvironmentKey, value: this.input.environment },
          { key: StageKey, value: this.stage() },
          ...(this.state.live ? [{ key: VersionKey, value: this.state.live.version }] : []),
        ],
      })({ ...this.input, carried: this.state });
    }
  }

  /** What the environment ran before its workflow: the last version verified healthy in its signed deploy reports. */
  private async seed(): Promise<void> {
    const ledger = await steps.deployLedger.executeWithOptions(
      { summary: `what ${this.input.environment} ran before: its deploy reports` },
      [{ repoId: this.input.repoId, environment: this.input.environment }],
    );
    if (!ledger.live) return;
    const known: EnvironmentVersion = {
      version: ledger.live.version,
      tag: ledger.live.tag,
      since: ledger.live.since,
      report: ledger.live.report,
      verified: true,
      by: null,
    };
    this.state.live = known;
    this.state.lastGood = { ...known };
  }

  // ---- requests ----

  validateRequest(request: EnvironmentRequest): void {
    const bad = (why: string) => refusal('SHIPGATE_BAD_REQUEST', `not a deployment request: ${why}`);
    if (request === null || typeof request !== 'object') throw bad('the request must be an object');
    if (typeof request.requestId !== 'string' || request.requestId.trim() === '' || request.requestId.length > 200)
      throw bad('requestId must be a non-empty string of at most 200 characters');
    if (this.find(request.requestId)) return;
    if (typeof request.version !== 'string' || semver.valid(request.version) !== request.version)
      throw bad(`version ${JSON.stringify(request.version)} is not a semantic version such as 1.2.0`);
    if (!ENVIRONMENT_REQUEST_KINDS.includes(request.kind))
      throw bad(`kind ${JSON.stringify(request.kind)} is not one of ${ENVIRONMENT_REQUEST_KINDS.join(', ')}`);
    if (!TRIGGERS.includes(request.trigger))
      throw bad(`trigger ${JSON.stringify(request.trigger)} is not one of ${TRIGGERS.join(', ')}`);
    if (typeof request.requestedBy !== 'string' || request.requestedBy === '')
      throw bad('requestedBy must name who asked');
    // A missing from or replyTo (a request typed by hand in the Temporal UI) means none.
    if (request.replyTo != null && (typeof request.replyTo !== 'string' || request.replyTo === ''))
      throw bad('replyTo must be a workflow ID or null');
    if (typeof request.waitIfPinned !== 'boolean') throw bad('waitIfPinned must be true or false');
    if (request.kind === 'promotion') {
      if (typeof request.from !== 'string' || request.from === '')
        throw bad('a promotion names the environment it comes from (from)');
      if (request.from === this.input.environment)
        throw bad(`a promotion into ${request.from} cannot come from itself`);
    } else if (request.from != null && typeof request.from !== 'string') {
      throw bad('from must be an environment name or null');
    }
    const pin = this.state.pinned;
    if (pin && !request.waitIfPinned) throw this.pinnedRefusal(request.version);
  }

  async request(request: EnvironmentRequest): Promise<EnvironmentRequestAnswer> {
    await condition(() => this.ready);
    if (this.unusable) throw this.unusable;
    const known = this.find(request.requestId);
    if (known) return known;
    if (this.state.pinned && !request.waitIfPinned) throw this.pinnedRefusal(request.version);
    const pending: PendingRequest = {
      ...request,
      from: request.from ?? null,
      replyTo: request.replyTo ?? null,
      status: 'queued',
      requestedAt: nowIso(),
      deployment: null,
    };
    const live = this.state.live;
    if (live && live.version === request.version && live.verified && this.state.pending.length === 0)
      return this.closeAnswer(pending, 'deployed', `${request.version} is already live since ${live.since}`);
    if (isAutomatic(request)) {
      const newer = this.newerThan(request.version);
      if (newer) return this.closeAnswer(pending, 'superseded', `a newer version is ${newer}`);
    }
    // Waiting automatic requests for older versions give way: they would only deploy over this one.
    const superseded: string[] = [];
    for (const waiting of this.state.pending.filter(
      (p) => p.status !== 'deploying' && isAutomatic(p) && older(p.version, request.version),
    )) {
      this.close(waiting, 'superseded', `${request.version} was asked for (${request.requestId}) before it deployed`);
      superseded.push(waiting.requestId);
    }
    pending.status = this.state.pinned ? 'held' : 'queued';
    this.state.pending.push(pending);
    const reason =
      pending.status === 'held'
        ? `${this.input.environment} is pinned (${this.state.pinned?.reason}); it deploys once unpinned`
        : this.waitingReason(pending);
    this.tell(pending, pending.status, reason);
    this.changed();
    return this.answer(pending, pending.status, reason, superseded);
  }

  /** What is live or deploying that is newer than `version`, said for a reason; null when nothing is. */
  private newerThan(version: string): string | null {
    const deploying = this.state.pending.find((p) => p.status === 'deploying');
    if (deploying && older(version, deploying.version)) return `deploying (${deploying.version})`;
    const live = this.state.live;
    if (live && older(version, live.version)) return `live (${live.version} since ${live.since})`;
    return null;
  }

  private waitingReason(request: PendingRequest): string {
    const ahead = this.state.pending.filter((p) => p !== request).map((p) => `${p.version} (${p.status})`);
    return ahead.length ? `queued behind ${ahead.join(', ')}` : 'queued; it deploys next';
  }

  /** The answer to a request already made: where it stands, or how it ended. */
  private find(requestId: string): EnvironmentRequestAnswer | null {
    const pending = this.state.pending.find((p) => p.requestId === requestId);
    if (pending) return this.answer(pending, pending.status, `already requested: ${pending.status}`, []);
    const entry = this.state.ledger.findLast((e) => e.requestId === requestId);
    if (entry) return this.answer(entry, entry.outcome, entry.reason, []);
    return null;
  }

  private answer(
    request: Pick<EnvironmentRequest, 'requestId' | 'version'>,
    status: EnvironmentRequestStatus,
    reason: string,
    superseded: string[],
  ): EnvironmentRequestAnswer {
    return {
      requestId: request.requestId,
      environment: this.input.environment,
      version: request.version,
      status,
      reason,
      superseded,
    };
  }

  private closeAnswer(request: PendingRequest, outcome: Closed, reason: string): EnvironmentRequestAnswer {
    this.close(request, outcome, reason);
    this.changed();
    return this.answer(request, outcome, reason, []);
  }

  /** Ends a request that never deployed (or needed no deployment): out of pending, into the ledger, told to its requester. */
  private close(request: PendingRequest, outcome: Closed, reason: string): void {
    this.record(request, { startedAt: null, endedAt: nowIso(), outcome, reason, report: null, deployment: null });
    this.tell(request, outcome, reason);
  }

  /** Moves a request out of pending into the ledger, with how it ended. */
  private record(
    request: PendingRequest,
    end: Pick<LedgerEntry, 'startedAt' | 'endedAt' | 'outcome' | 'reason' | 'report' | 'deployment'>,
  ): void {
    this.state.pending = this.state.pending.filter((p) => p !== request);
    const { requestId, version, kind, trigger, requestedBy, from, requestedAt, firstCommitAt, approvedBy } = request;
    this.state.ledger.push({
      requestId,
      version,
      kind,
      trigger,
      requestedBy,
      from,
      requestedAt,
      // Only when known, so an entry of a request made before they were recorded reads as before.
      ...(firstCommitAt !== undefined ? { firstCommitAt } : {}),
      ...(approvedBy !== undefined ? { approvedBy } : {}),
      ...end,
    });
    if (this.state.ledger.length > LEDGER_KEPT) this.state.ledger.splice(0, this.state.ledger.length - LEDGER_KEPT);
    this.state.ledgerTotal += 1;
  }

  private pinnedRefusal(version: string): ApplicationFailure {
    const pin = this.state.pinned!;
    return refusal(
      'SHIPGATE_ENVIRONMENT_PINNED',
      `${this.input.environment} of ${this.input.repoId} is pinned${pin.version ? ` at ${pin.version}` : ''} by ${pin.by} since ${pin.at}: ${pin.reason}; ${version} is not deployed (unpin it first)`,
    );
  }

  // ---- deployments ----

  /** The request that runs next: the first queued one, in arrival order; none while pinned or deploying. */
  private next(): PendingRequest | null {
    if (!this.ready || this.unusable || this.state.pinned) return null;
    if (this.state.pending.some((p) => p.status === 'deploying')) return null;
    return this.state.pending.find((p) => p.status === 'queued') ?? null;
  }

  private async deploy(request: PendingRequest): Promise<void> {
    const live = this.state.live;
    if (live && live.version === request.version && live.verified) {
      this.close(request, 'deployed', `${request.version} is already live since ${live.since}`);
      this.changed();
      return;
    }
    const startedAt = nowIso();
    request.status = 'deploying';
    this.changed();
    if (request.kind === 'promotion' && request.from) {
      const refused = await this.notPromotable(request);
      if (refused) {
        this.close(request, 'refused', refused);
        this.changed();
        return;
      }
    }
    const workflowId = workflowIdFor('deploy', this.input.repoId, this.input.environment);
    const lastGood = this.state.lastGood;
    const deployInput: DeployInput = {
      repoId: this.input.repoId,
      version: request.version,
      trigger: request.trigger,
      requestedBy: request.requestedBy,
      environment: this.input.environment,
      lastGood: lastGood
        ? { version: lastGood.version, tag: lastGood.tag, since: lastGood.since, report: lastGood.report }
        : null,
    };
    let child: ChildWorkflowHandle<typeof deployWorkflow>;
    try {
      child = await startChild(deployWorkflow, {
        workflowId,
        args: [deployInput],
        typedSearchAttributes: [
          { key: RepoKey, value: this.input.repoId },
          { key: EnvironmentKey, value: this.input.environment },
          { key: VersionKey, value: request.version },
        ],
        staticSummary: `Deploy ${this.input.repoId} ${request.version} to ${this.input.environment} (${request.kind}, ${request.requestId})`,
      });
    } catch (error) {
      // Another deployment holds the ID: one started by hand or by a release from before environments.
      this.finishDeployment(request, startedAt, null, {
        outcome: 'failed',
        reason: `${workflowId} could not start: ${failureMessage(error)}; request ${request.version} again once it ends`,
        report: null,
        inPlace: null,
      });
      return;
    }
    request.deployment = workflowId;
    this.tell(request, 'deploying', `${workflowId} deploys ${request.version}`);
    this.changed();
    let result: Pick<DeployRunResult, 'outcome' | 'reason' | 'report' | 'inPlace'>;
    try {
      result = await child.result();
    } catch (error) {
      result = {
        outcome: 'failed',
        reason: `the deployment failed: ${failureMessage(error)}`,
        report: null,
        inPlace: null,
      };
    }
    this.finishDeployment(request, startedAt, { workflowId, runId: child.firstExecutionRunId }, result);
  }

  /** Why a promotion may not deploy: the version is no longer live and verified healthy where it comes from. */
  private async notPromotable(request: PendingRequest): Promise<string | null> {
    const from = request.from!;
    if (this.setup && !this.setup.environments.includes(from))
      return `${from} is not an environment of ${this.input.repoId} (${this.setup.environments.join(', ')})`;
    let view: EnvironmentState | null;
    try {
      view = await steps.environmentView.executeWithOptions(
        { summary: `is ${request.version} still live and healthy in ${from}?` },
        [{ repoId: this.input.repoId, environment: from }],
      );
    } catch (error) {
      // The environment outlives any one read: a read that kept failing refuses this request only.
      return `the state of ${from} could not be read: ${failureMessage(error)}`;
    }
    const there = view?.live ?? null;
    if (there && there.version === request.version && there.verified) return null;
    return `${request.version} is no longer live and verified healthy in ${from}: ${there ? `${from} runs ${describeVersion(there)}` : `nothing is on record as live in ${from}`}`;
  }

  private finishDeployment(
    request: PendingRequest,
    startedAt: string,
    deployment: LedgerEntry['deployment'],
    result: Pick<DeployRunResult, 'outcome' | 'reason' | 'report' | 'inPlace'>,
  ): void {
    const at = nowIso();
    const { outcome, report } = result;
    this.record(request, { startedAt, endedAt: at, outcome, reason: result.reason, report, deployment });
    const before = this.state.live;
    const made = (verified: boolean): EnvironmentVersion => ({
      version: request.version,
      tag: this.tagOf(request.version),
      since: at,
      report,
      verified,
      by: { requestId: request.requestId, replyTo: request.replyTo },
    });
    let reason = result.reason;
    if (outcome === 'deployed') {
      this.state.live = made(true);
      this.state.lastGood = { ...this.state.live };
    } else if (outcome === 'rolled-back') {
      const target = this.state.lastGood;
      if (target) this.state.live = { ...target, since: at, report, verified: true };
      this.pinAutomatically(
        `${request.version} was rolled back${report ? ` (deploy report ${report})` : ''}${target ? `; ${target.version} is live again` : ''}`,
      );
      reason = `${reason}; ${this.input.environment} is pinned until someone unpins it`;
    } else if (result.inPlace === request.version) {
      // The deploy command put the new version in place, but it was never verified healthy.
      this.state.live = made(false);
    } else if (result.inPlace && result.inPlace !== before?.version) {
      this.state.live = {
        version: result.inPlace,
        tag: this.tagOf(result.inPlace),
        since: at,
        report,
        verified: false,
        by: null,
      };
    } else if (result.inPlace && before) {
      // The rollback command ran but its health was not verified.
      this.state.live = { ...before, verified: false };
    }
    this.tell(request, outcome, reason, report);
    const now = this.state.live;
    if (before?.by && now && now.version !== before.version)
      this.tell(
        { requestId: before.by.requestId, version: before.version, replyTo: before.by.replyTo },
        'replaced',
        `${now.version} is live in ${this.input.environment} since ${now.since}`,
        report,
      );
    this.changed();
  }

  private tagOf(version: string): string {
    return tagName(version, this.setup?.tagFormat);
  }

  // ---- pins ----

  validatePin(pin: PinRequest): void {
    this.checkPinRequest(pin);
    const current = this.state.pinned;
    if (current)
      throw refusal(
        'SHIPGATE_ENVIRONMENT_PINNED',
        `${this.input.environment} is already pinned by ${current.by} since ${current.at}: ${current.reason}`,
      );
  }

  validateUnpin(unpin: PinRequest): void {
    this.checkPinRequest(unpin);
    if (!this.state.pinned) throw refusal('SHIPGATE_ENVIRONMENT_NOT_PINNED', `${this.input.environment} is not pinned`);
  }

  private checkPinRequest(pin: PinRequest): void {
    if (pin === null || typeof pin !== 'object' || typeof pin.by !== 'string' || pin.by === '')
      throw refusal('SHIPGATE_BAD_REQUEST', 'say who pins or unpins (by)');
    if (typeof pin.reason !== 'string' || pin.reason.trim() === '')
      throw refusal('SHIPGATE_BAD_REQUEST', 'say why (reason): the pin history keeps it');
  }

  async pin(pin: PinRequest): Promise<EnvironmentState> {
    await condition(() => this.ready);
    if (this.unusable) throw this.unusable;
    if (this.state.pinned) throw refusal('SHIPGATE_ENVIRONMENT_PINNED', `${this.input.environment} is already pinned`);
    this.setPin({ by: pin.by, reason: pin.reason, automatic: false });
    this.changed();
    return this.state;
  }

  async unpin(unpin: PinRequest): Promise<EnvironmentState> {
    await condition(() => this.ready);
    if (this.unusable) throw this.unusable;
    if (!this.state.pinned) throw refusal('SHIPGATE_ENVIRONMENT_NOT_PINNED', `${this.input.environment} is not pinned`);
    const last = this.state.pinHistory.at(-1);
    if (last && last.unpinnedAt === null) {
      last.unpinnedAt = nowIso();
      last.unpinnedBy = unpin.by;
      last.unpinReason = unpin.reason;
    }
    this.state.pinned = null;
    for (const held of this.state.pending.filter((p) => p.status === 'held')) {
      held.status = 'queued';
      this.tell(held, 'queued', `${this.input.environment} was unpinned by ${unpin.by}: ${unpin.reason}`);
    }
    this.changed();
    return this.state;
  }

  private pinAutomatically(reason: string): void {
    if (this.state.pinned) return;
    this.setPin({ by: 'shipgate', reason, automatic: true });
  }

  private setPin(pin: { by: string; reason: string; automatic: boolean }): void {
    const at = nowIso();
    this.state.pinned = { ...pin, at, version: this.state.live?.version ?? null };
    this.state.pinHistory.push({ ...this.state.pinned, unpinnedAt: null, unpinnedBy: null, unpinReason: null });
    if (this.state.pinHistory.length > PINS_KEPT)
      this.state.pinHistory.splice(0, this.state.pinHistory.length - PINS_KEPT);
    for (const waiting of this.state.pending.filter((p) => p.status === 'queued')) {
      waiting.status = 'held';
      this.tell(waiting, 'held', `${this.input.environment} is pinned by ${pin.by}: ${pin.reason}`);
    }
  }

  // ---- what it shows ----

  /**
   * Tells a request's requester how it stands. A requester that has ended (or never existed) is
   * fine: the signal fails and is dropped, and the environment goes on.
   */
  private tell(
    request: Pick<EnvironmentRequest, 'requestId' | 'version' | 'replyTo'> & { deployment?: string | null },
    status: EnvironmentRequestStatus,
    reason: string,
    report: string | null = null,
  ): void {
    if (!request.replyTo) return;
    const event: EnvironmentEvent = {
      environment: this.input.environment,
      requestId: request.requestId,
      version: request.version,
      status,
      reason,
      at: nowIso(),
      deployment: request.deployment ?? null,
      report,
    };
    this.signalling += 1;
    getExternalWorkflowHandle(request.replyTo)
      .signal(environmentEventSignal, event)
      .catch(() => undefined)
      .finally(() => {
        this.signalling -= 1;
      });
  }

  /** The state as the memo keeps it: the newest entries of each list, so it stays a few kilobytes. */
  private view(): EnvironmentState {
    return {
      ...this.state,
      pending: this.state.pending.slice(0, VIEW_PENDING_KEPT),
      ledger: this.state.ledger.slice(-VIEW_LEDGER_KEPT),
      pinHistory: this.state.pinHistory.slice(-VIEW_PINS_KEPT),
    };
  }

  private stage(): string {
    const deploying = this.state.pending.find((p) => p.status === 'deploying');
    if (deploying) return `deploying ${deploying.version}`;
    return this.state.pinned ? 'pinned' : 'idle';
  }

  /** After each change: its time, the Stage and Version attributes, the details line and the view. */
  private changed(): void {
    const state = this.state;
    state.updatedAt = nowIso();
    const stage = this.stage();
    const version = state.live?.version ?? null;
    if (stage !== this.shown.stage || version !== this.shown.version) {
      upsertSearchAttributes([
        { key: StageKey, value: stage },
        ...(version !== null && version !== this.shown.version ? [{ key: VersionKey, value: version }] : []),
      ]);
      this.shown = { stage, version };
    }
    const pin = state.pinned;
    showDetails([
      `**Environment** ${state.environment} of \`${state.repoId}\``,
      `Stage: ${stage}`,
      `Live: ${state.live ? describeVersion(state.live) : 'nothing on record'}`,
      `Last good: ${state.lastGood ? describeVersion(state.lastGood) : 'none on record'}`,
      pin
        ? `Pinned${pin.version ? ` at ${pin.version}` : ''} by ${pin.by}${pin.automatic ? ' (automatically)' : ''} since ${pin.at}: ${pin.reason}`
        : null,
      state.pending.length
        ? `Pending: ${state.pending.map((p) => `${p.version} (${p.status}, ${p.kind})`).join(', ')}`
        : 'Pending: none',
      ...state.ledger
        .slice(-DETAILS_LEDGER_SHOWN)
        .reverse()
        .map((e) => `- ${e.endedAt} ${e.version} ${e.outcome} (${e.kind}): ${e.reason}`),
    ]);
    this.publish();
  }
}
