import {
  CancellationScope,
  condition,
  isCancellation,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { Notifier } from './notify.js';
import type { EnvironmentPolicy } from '../activities/pinning.js';
import {
  adminOverrideSignal,
  approveUpdate,
  denyUpdate,
  environmentEventSignal,
  overrideUpdate,
  promoteUpdate,
  type ApprovalRequest,
  type OverrideRequest,
  promotionStateQuery,
  type EnvironmentEvent,
  type EnvironmentRequestKind,
  FINAL_REQUEST_STATUSES,
  type EnvironmentRequestStatus,
  type PromoteRequest,
  type PromotionInput,
  type PromotionOutcome,
  type PromotionResult,
  type PromotionState,
  type PromotionStep,
} from '../vocabulary/environments.js';
import type { Role } from '../vocabulary/identity.js';
import { workflowIdFor } from '../vocabulary/messages.js';
import { ApprovalGate } from './approval.js';
import { FreezeGate } from './freeze.js';
import type { End, GateContext } from './gates.js';
import { EnvironmentKey, RepoKey, StageKey, VersionKey } from '../vocabulary/search-attributes.js';
import { unpinned } from './activity-options.js';
import { workflowFailure } from './failure.js';
import { SOAK_SAMPLES, soakSampleEveryMs, soakVerdict } from '../domain/soak.js';
import { markOutcome, nowIso, showDetails, viewPublisher } from './run-state.js';

/**
 * Reading the policies, asking an environment and sampling its health all run on the shared
 * queue: the promotion has no working copy, so any live worker may take each step.
 */
const shared = proxyActivities<Activities>(unpinned({ maximumAttempts: 5 }));

const FINAL = FINAL_REQUEST_STATUSES;

/**
 * Takes one released version through the environments (see vocabulary/environments.ts): asks the
 * first to deploy it, then for each environment that comes after one it reached, soaks, asks (or
 * waits to be asked) and follows the request, until the last or until it stops.
 */
export async function promotionWorkflow(input: PromotionInput): Promise<PromotionResult> {
  const run = new Promotion(input);
  setHandler(promotionStateQuery, () => run.state);
  setHandler(environmentEventSignal, (event) => run.heard(event));
  setHandler(promoteUpdate, (request) => run.promote(request), {
    validator: (request: PromoteRequest) => run.mayPromote(request),
  });
  setHandler(approveUpdate, (request) => (run.approval.approve(request), run.state), {
    validator: (request: ApprovalRequest) => run.approval.mayApprove(request),
  });
  setHandler(denyUpdate, (request) => (run.approval.deny(request), run.state), {
    validator: (request: ApprovalRequest) => run.approval.mayDeny(request),
  });
  setHandler(overrideUpdate, (request) => (run.override(request, request.role, 'api'), run.state), {
    validator: (request: OverrideRequest & { role: Role }) => run.mayOverride(request, request.role),
  });
  setHandler(adminOverrideSignal, (request) => run.overrideBySignal(request));
  try {
    const result = await run.run();
    await run.notifier.close();
    return result;
  } catch (error) {
    if (isCancellation(error)) run.cancelled();
    await CancellationScope.nonCancellable(() => run.notifier.close());
    throw error;
  }
}

/** The promotion's state and the handlers' logic, kept apart from the wiring above. */
class Promotion implements GateContext {
  readonly state: PromotionState;
  /** Passed in this order right before each environment is asked: approvals first, then freezes. */
  readonly approval = new ApprovalGate(this);
  readonly freeze = new FreezeGate(this);
  readonly notifier: Notifier;
  private policies: EnvironmentPolicy[] = [];
  /** Every event heard, by request ID, oldest first: a signal may arrive before its request's answer. */
  private readonly events = new Map<string, EnvironmentEvent[]>();
  /** The environments a person asked to promote into (autoPromote false), and who asked. */
  private readonly promoted = new Map<string, string>();
  private readonly publish = viewPublisher(() => this.state);
  private ends: End[] = [];

  constructor(readonly input: PromotionInput) {
    this.notifier = new Notifier(input.repoId);
    this.state = {
      kind: 'promotion',
      repoId: input.repoId,
      version: input.version,
      stage: 'starting',
      startedAt: nowIso(),
      steps: [],
      reached: [],
      outcome: null,
      reason: null,
    };
  }

  /**
   * One request per environment and version, named from the input alone: a retried activity asks
   * again with the same ID (one request), and a replay, wherever it runs, names it alike.
   */
  private requestId(environment: string): string {
    return `${workflowIdFor('promotion', this.input.repoId, this.input.version)}/${environment}`;
  }

  step(environment: string): PromotionStep {
    return this.state.steps.find((s) => s.environment === environment)!;
  }

  heard(event: EnvironmentEvent): void {
    const heard = this.events.get(event.requestId) ?? [];
    heard.push(event);
    this.events.set(event.requestId, heard);
  }

  /** The latest word on a request, from its events (a final status is never undone by a late one). */
  private latest(requestId: string): EnvironmentEvent | null {
    const heard = this.events.get(requestId) ?? [];
    const final = heard.find((e) => FINAL.includes(e.status) && e.status !== 'replaced');
    return final ?? heard.at(-1) ?? null;
  }

  private replaced(environment: string): EnvironmentEvent | null {
    return (this.events.get(this.requestId(environment)) ?? []).find((e) => e.status === 'replaced') ?? null;
  }

  /** The promote update's validator; with `knownOnly`, only that the environment is one of the promotion's. */
  mayPromote(request: PromoteRequest, knownOnly = false): void {
    const step = this.state.steps.find((s) => s.environment === request?.environment);
    if (!step)
      throw workflowFailure(
        'SHIPGATE_UNKNOWN_ENVIRONMENT',
        `${this.input.repoId} has no environment "${request?.environment}"; its environments are ${this.state.steps.map((s) => s.environment).join(', ') || 'not read yet'}`,
      );
    if (knownOnly) return;
    if (step.status !== 'awaiting promotion')
      throw workflowFailure(
        'SHIPGATE_NOT_PROMOTABLE',
        `${this.input.version} is not awaiting promotion into ${request.environment}: it is ${step.status}${step.reason ? ` (${step.reason})` : ''}`,
      );
  }

  promote(request: PromoteRequest): PromotionState {
    this.promoted.set(request.environment, request.by);
    const step = this.step(request.environment);
    this.move(step, 'waiting', `promotion asked by ${request.by}`);
    return this.state;
  }

  mayOverride(request: OverrideRequest, role: Role): void {
    if (role !== 'admin')
      throw workflowFailure('SHIPGATE_ROLE_REQUIRED', `only an admin may override a gate; ${request.by} is ${role}`);
    this.mayPromote({ environment: request.environment, by: request.by }, true);
    const gate = request.gate === 'approval' ? this.approval : this.freeze;
    if (!gate.awaits(request.environment))
      throw workflowFailure(
        request.gate === 'approval' ? 'SHIPGATE_NOT_AWAITING_APPROVAL' : 'SHIPGATE_NOT_FROZEN',
        `${this.input.version} is not ${request.gate === 'approval' ? 'awaiting approval into' : 'frozen out of'} ${request.environment}: it is ${this.step(request.environment).status}`,
      );
  }

  override(request: OverrideRequest, role: Role, via: 'api' | 'signal'): void {
    const gate = request.gate === 'approval' ? this.approval : this.freeze;
    gate.override(request, role, via);
  }

  /**
   * An override from the Temporal UI: whoever may signal the namespace is an admin of it. A signal
   * that cannot take effect is said in the step's reason (a signal has no answer to refuse with).
   */
  overrideBySignal(request: OverrideRequest): void {
    try {
      this.mayOverride(request, 'admin');
    } catch (error) {
      const step = this.state.steps.find((s) => s.environment === request?.environment);
      if (step) {
        step.reason = `ignored an override signal: ${(error as Error).message}`;
        this.show();
      }
      return;
    }
    this.override(request, 'admin', 'signal');
  }

  cancelled(): void {
    this.finish('cancelled', `cancelled at ${this.state.stage}`);
  }

  async run(): Promise<PromotionResult> {
    const { repoId, version } = this.input;
    upsertSearchAttributes([
      { key: RepoKey, value: repoId },
      { key: VersionKey, value: version },
    ]);
    this.show();
    const pin = await shared.pinRun.executeWithOptions({ summary: `read the environments of ${repoId}` }, [{ repoId }]);
    this.policies = pin.settings.environments ?? [];
    this.notifier.route(pin.settings.notify);
    const first = this.policies.find((p) => p.after === null) ?? this.policies[0];
    if (!first) return this.finish('stopped', `${repoId} has no environments to promote ${version} through`);
    this.state.steps = this.policies.map((p) => ({
      environment: p.name,
      after: p === first ? null : p.after,
      status: 'waiting',
      reason: null,
      since: nowIso(),
      soakEndsAt: null,
      deployment: null,
      report: null,
    }));
    const end = await this.deployTo(first, 'release', null);
    if (end) this.ends.push(end);
    else await this.onwardFrom(first);
    const stop = this.ends[0];
    if (stop) return this.finish(stop.outcome, stop.reason);
    return this.finish('promoted', `${version} is live and healthy in ${this.state.reached.join(', ')}`);
  }

  /** Every environment that comes after `source`, in parallel, each on to its own next ones. */
  private async onwardFrom(source: EnvironmentPolicy): Promise<void> {
    const targets = this.policies.filter((p) => p.after === source.name);
    await Promise.all(
      targets.map(async (target) => {
        const end = await this.promoteInto(target, source);
        if (end) this.ends.push(end);
        else await this.onwardFrom(target);
      }),
    );
  }

  private async promoteInto(target: EnvironmentPolicy, source: EnvironmentPolicy): Promise<End | null> {
    const soaked = await this.soak(target, source);
    if (soaked) return soaked;
    if (!target.autoPromote) {
      const step = this.step(target.name);
      this.move(step, 'awaiting promotion', `healthy in ${source.name}; promote it into ${target.name} to go on`);
      await condition(() => this.promoted.has(target.name) || this.replaced(source.name) !== null);
      if (!this.promoted.has(target.name)) return this.supersededIn(target, source, 'while it awaited promotion');
    }
    return this.deployTo(target, 'promotion', source.name);
  }

  /**
   * Waits the target's soak, sampling the source's health at a bounded rate: at most
   * `SOAK_SAMPLES`, never more often than its own interval. A durable timer, so a worker lost
   * meanwhile costs nothing; the soak ends early when the version stops being live in the source.
   */
  private async soak(target: EnvironmentPolicy, source: EnvironmentPolicy): Promise<End | null> {
    const step = this.step(target.name);
    const endsAt = Date.now() + target.soakMs;
    step.soakEndsAt = new Date(endsAt).toISOString();
    this.move(step, 'soaking', `${this.input.version} soaks in ${source.name} for ${target.soakMs}ms`);
    const health = source.health;
    const every = health ? soakSampleEveryMs(target.soakMs, health.intervalMs) : target.soakMs;
    let samples = 0;
    let failures = 0;
    for (;;) {
      const left = endsAt - Date.now();
      if (left <= 0) break;
      if (await condition(() => this.replaced(source.name) !== null, Math.min(every, left)))
        return this.supersededIn(target, source, 'during the soak');
      if (!health || samples >= SOAK_SAMPLES) continue;
      const sample = await shared.probeEnvironment.executeWithOptions(
        { summary: `health of ${this.input.version} in ${source.name} during the soak` },
        [{ repoId: this.input.repoId, environment: source.name, expectedVersion: this.input.version }],
      );
      samples += 1;
      if (!sample.ok) failures += 1;
      const reason = soakVerdict(source.name, { samples, failures }, health.failureBudget, sample.error);
      if (reason) {
        this.move(step, 'not reached', reason);
        return { outcome: 'stopped', reason };
      }
    }
    step.soakEndsAt = null;
    this.move(
      step,
      'waiting',
      `soaked ${target.soakMs}ms in ${source.name}${health ? ` (${samples - failures} of ${samples} samples healthy)` : ''}`,
    );
    return null;
  }

  private async supersededIn(target: EnvironmentPolicy, source: EnvironmentPolicy, when: string): Promise<End> {
    const newer = await shared.liveVersion.executeWithOptions(
      { summary: `what replaced ${this.input.version} in ${source.name}` },
      [{ repoId: this.input.repoId, environment: source.name }],
    );
    const reason = `${newer ?? 'a newer version'} replaced it in ${source.name} ${when}`;
    this.move(this.step(target.name), 'superseded', reason);
    return { outcome: 'superseded', reason };
  }

  /** Asks an environment to deploy the version and follows the request until it ends. */
  private async deployTo(
    env: EnvironmentPolicy,
    kind: EnvironmentRequestKind,
    from: string | null,
  ): Promise<End | null> {
    const { repoId, version } = this.input;
    const step = this.step(env.name);
    const requestId = this.requestId(env.name);
    for (const gate of [this.approval, this.freeze]) {
      const end = await gate.pass(env);
      if (end) return end;
    }
    this.move(step, 'queued', `asked ${env.name} to deploy ${version}`);
    upsertSearchAttributes([{ key: EnvironmentKey, value: env.name }]);
    const answer = await shared.requestEnvironment.executeWithOptions(
      { summary: `ask ${env.name} to deploy ${version}${from ? ` from ${from}` : ''}` },
      [
        {
          repoId,
          environment: env.name,
          request: {
            requestId,
            version,
            kind,
            trigger: this.input.trigger,
            requestedBy: this.promoted.get(env.name) ?? this.input.requestedBy,
            from,
            replyTo: workflowInfo().workflowId,
            waitIfPinned: true,
            // Only when known: a request of a run started before these were recorded is sent as it was.
            ...(this.input.firstCommitAt !== undefined ? { firstCommitAt: this.input.firstCommitAt } : {}),
            ...(step.approval ? { approvedBy: step.approval.approvals.map((a) => a.by) } : {}),
          },
        },
      ],
    );
    let status: EnvironmentRequestStatus = answer.status;
    let reason = answer.reason;
    for (;;) {
      const heard = this.latest(requestId);
      // An event heard before the answer came back may say more than the answer does.
      if (heard && (FINAL.includes(heard.status) || !FINAL.includes(status))) {
        status = heard.status;
        reason = heard.reason;
        step.deployment = heard.deployment ?? step.deployment;
        step.report = heard.report ?? step.report;
      }
      if (FINAL.includes(status)) break;
      this.move(step, status === 'held' ? 'held' : status === 'deploying' ? 'deploying' : 'queued', reason);
      const seen = (this.events.get(requestId) ?? []).length;
      await condition(() => (this.events.get(requestId) ?? []).length > seen);
    }
    if (status === 'deployed' || status === 'replaced') {
      this.move(step, 'deployed', reason);
      this.state.reached.push(env.name);
      this.show();
      return null;
    }
    this.move(step, status, reason);
    if (status === 'superseded') return { outcome: 'superseded', reason: `superseded in ${env.name}: ${reason}` };
    return { outcome: 'stopped', reason: `${status} in ${env.name}: ${reason}` };
  }

  move(step: PromotionStep, status: PromotionStep['status'], reason: string | null): void {
    if (step.status === status && step.reason === reason) return;
    step.status = status;
    step.reason = reason;
    step.since = nowIso();
    this.state.stage = `${status} ${step.environment}`;
    upsertSearchAttributes([{ key: StageKey, value: status }]);
    this.show();
  }

  private finish(outcome: PromotionOutcome, reason: string): PromotionResult {
    for (const step of this.state.steps)
      if (
        step.status === 'waiting' ||
        step.status === 'soaking' ||
        step.status === 'awaiting promotion' ||
        step.status === 'awaiting approval' ||
        step.status === 'frozen'
      ) {
        step.status = 'not reached';
        step.soakEndsAt = null;
      }
    this.state.outcome = outcome;
    this.state.reason = reason;
    this.state.stage = 'done';
    const where = this.state.reached.at(-1);
    if (where) upsertSearchAttributes([{ key: EnvironmentKey, value: where }]);
    markOutcome(outcome, this.input.version);
    const result: PromotionResult = {
      repoId: this.input.repoId,
      version: this.input.version,
      outcome,
      reached: [...this.state.reached],
      reason,
    };
    this.show(result);
    return result;
  }

  show(result?: PromotionResult): void {
    const { state } = this;
    showDetails([
      `**Promotion** of \`${state.repoId}\` **${state.version}**`,
      `Stage: ${state.stage}`,
      state.reached.length ? `Reached: ${state.reached.join(' → ')}` : null,
      ...state.steps.map(
        (s) =>
          `- ${s.environment}: ${s.status}${s.soakEndsAt ? ` until ${s.soakEndsAt}` : ''}${s.reason ? ` — ${s.reason}` : ''}`,
      ),
      state.outcome ? `Outcome: **${state.outcome}** — ${state.reason ?? ''}` : null,
    ]);
    this.publish(result);
  }
}
