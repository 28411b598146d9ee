import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  isCancellation,
  log,
  patched,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { PublishPolicy } from '../activities/pinning.js';
import { artifactOf, parsePublishSignal, publishDecisionProblem, publishValues } from '../domain/publish.js';
import {
  PUBLISH_DECISIONS,
  publishDecisionUpdate,
  type PublishDecisionInput,
  type PublishDecisionResult,
  type PublishRecord,
  type PublishState,
  type ReleaseState,
} from '../vocabulary/messages.js';
import { StageKey } from '../vocabulary/search-attributes.js';
import type { ActivityProfile } from './activity-options.js';
import type { Notifier } from './notify.js';
import type { RunPin } from './pinning.js';
import { nowIso, type StepTracker } from './run-state.js';

/** Releases that publish: runs recorded before publish steps existed go from the push straight to deploy. */
export const PUBLISH_PATCH = 'release-publishes';

/** What the release knows when it publishes: the pushed tag and its commit. */
export interface PublishTarget {
  repoId: string;
  version: string;
  tag: string;
  sha: string;
  previousVersion: string | null;
}

/** How a release's publishing ended: every step published or skipped, or abandoned at one. */
export type PublishOutcome = { abandoned: null } | { abandoned: { step: string; by: string; reason: string } };

/** A decision taken, with how it came: the API's update or a `decide` signal from the Temporal UI. */
type Taken = PublishDecisionInput & { via: 'update' | 'signal' };

/**
 * One activity attempt per publish attempt, retried by Temporal with backoff (2 s, doubling, at
 * most a minute) up to the step's `retries`. An attempt may run the check twice besides the
 * command, hence its bound: the step's timeout plus two check bounds.
 */
function publishProfile(policy: PublishPolicy): ActivityProfile {
  return {
    startToCloseTimeout: policy.timeoutMs + 2 * 60_000 + 60_000,
    retry: {
      maximumAttempts: policy.retries + 1,
      initialInterval: '2s',
      backoffCoefficient: 2,
      maximumInterval: '1m',
    },
  };
}

/**
 * A release's publish steps: run in order after the push and before the first deployment, each as
 * the step `publish:<name>`. One that fails after its retries waits for a person: retry it (its
 * check keeps a version from being published twice; nothing before it runs again, no re-tag, no
 * re-push), skip it (with a reason, recorded), or abandon the release (nothing deployed; the tag
 * stays pushed). No decision within the step's `decisionTimeout` abandons, by `timeout`.
 */
export class Publishing {
  private state: PublishState | null = null;
  private taken: Taken | null = null;

  constructor(
    private readonly release: ReleaseState,
    private readonly onChange: () => void,
    private readonly notifier: Notifier,
  ) {
    // Registered at once, so a decision sent before publishing starts is refused, not buffered.
    setHandler(publishDecisionUpdate, (input) => this.decide({ ...input, via: 'update' }), {
      validator: (input: PublishDecisionInput) => {
        const problem = publishDecisionProblem(input, this.open());
        if (problem) throw new Error(problem);
      },
    });
  }

  /** True while a publish step waits for a decision: the release's `decide` signal is then for it. */
  get awaiting(): boolean {
    return this.open() !== null;
  }

  /** The decision awaited and not yet taken: a second decision before the run acts on the first is refused. */
  private open(): { step: string } | null {
    return this.taken ? null : (this.state?.awaiting ?? null);
  }

  /**
   * A `decide` signal while a publish step waits: "retry", "abandon" or "skip: <reason>". A signal
   * cannot be refused, so one that does not fit is returned as the reason it was ignored.
   */
  decideBySignal(value: unknown): string | null {
    const parsed = parsePublishSignal(value);
    const problem = parsed
      ? publishDecisionProblem(parsed, this.open())
      : `a publish step waits: use retry, abandon or "skip: <reason>"`;
    if (problem) return problem;
    this.decide({ ...parsed!, via: 'signal' });
    return null;
  }

  private decide(taken: Taken): PublishDecisionResult {
    const awaiting = this.state!.awaiting!;
    this.taken = taken;
    this.onChange();
    return { accepted: taken.decision, step: awaiting.step };
  }

  /**
   * Runs the configured steps, or does nothing for a repository without any (and for runs recorded
   * before publishing, which replay without the patch).
   */
  async run(
    policies: PublishPolicy[] | undefined,
    pin: RunPin,
    tracker: StepTracker,
    target: PublishTarget,
  ): Promise<PublishOutcome> {
    if (!policies?.length || !patched(PUBLISH_PATCH)) return { abandoned: null };
    const values = publishValues(target);
    const state: PublishState = {
      steps: policies.map((p) => ({ name: p.name, artifact: artifactOf(p, values), status: 'pending', attempts: 0 })),
      awaiting: null,
    };
    this.state = state;
    this.release.publish = state;
    for (const [index, policy] of policies.entries()) {
      const record = state.steps[index]!;
      const ended = await tracker.run(
        `publish:${policy.name}`,
        () => this.step(policy, record, pin, target),
        (r) =>
          r.status === 'skipped' || r.status === 'abandoned'
            ? `${r.status} by ${r.by ?? '?'}: ${r.reason ?? ''}`
            : `${r.status === 'published' ? 'published' : 'already published'} ${r.artifact}`,
      );
      if (ended.status === 'abandoned')
        return { abandoned: { step: policy.name, by: ended.by ?? '?', reason: ended.reason ?? '' } };
    }
    return { abandoned: null };
  }

  /** One step, through as many retry decisions as it takes, to published, skipped or abandoned. */
  private async step(
    policy: PublishPolicy,
    record: PublishRecord,
    pin: RunPin,
    target: PublishTarget,
  ): Promise<PublishRecord> {
    const state = this.state!;
    const stepName = `publish:${policy.name}`;
    for (let round = 1; ; round++) {
      record.status = 'running';
      this.onChange();
      try {
        const done = await pin.step(stepName, () =>
          pin
            .activities(publishProfile(policy))
            .publishStep.executeWithOptions({ summary: `publish ${record.artifact} (step ${policy.name})` }, [
              { ...target, step: policy.name, round, runId: workflowInfo().runId },
            ]),
        );
        record.attempts += done.attempt;
        record.status = done.status;
        record.at = nowIso();
        if (done.logFile) record.logFile = done.logFile;
        log.info('publish step done', {
          repoId: target.repoId,
          step: policy.name,
          artifact: record.artifact,
          status: done.status,
        });
        this.onChange();
        return record;
      } catch (error) {
        if (isCancellation(error)) throw error;
        const failed = failureOf(error, policy.retries + 1);
        record.attempts += failed.attempts;
        record.status = 'failed';
        record.at = nowIso();
        if (failed.logFile) record.logFile = failed.logFile;
        const since = nowIso();
        state.awaiting = {
          step: policy.name,
          error: failed.message,
          tail: failed.tail,
          since,
          deadline: new Date(Date.parse(since) + policy.decisionTimeoutMs).toISOString(),
          allowed: [...PUBLISH_DECISIONS],
        };
        this.taken = null;
        this.release.stage = 'awaiting decision';
        // The documented "awaiting decision" queries find a release whose publish step waits too.
        upsertSearchAttributes([{ key: StageKey, value: 'awaiting decision' }]);
        log.warn('publish step failed after its retries; awaiting a decision', {
          repoId: target.repoId,
          step: policy.name,
          error: failed.message,
        });
        this.onChange();
        this.notifier.emit('decision.awaiting', {
          summary: `publish step ${policy.name} of ${target.tag} failed after its retries: retry, skip (with a reason) or abandon`,
          version: target.version,
          tag: target.tag,
          reason: failed.message,
          details: {
            kind: 'publish',
            step: policy.name,
            artifact: record.artifact,
            allowed: [...PUBLISH_DECISIONS],
            deadline: state.awaiting.deadline,
          },
        });
        const decided = await condition(() => this.taken !== null, policy.decisionTimeoutMs);
        const taken: Taken = decided
          ? this.taken!
          : {
              decision: 'abandon',
              by: 'timeout',
              reason: `no decision within ${Math.round(policy.decisionTimeoutMs / 1000)}s after: ${failed.message}`,
              via: 'update',
            };
        state.awaiting = null;
        this.taken = null;
        this.release.stage = stepName;
        upsertSearchAttributes([{ key: StageKey, value: stepName }]);
        const by = taken.by ? taken.by.slice(0, 100) : taken.via === 'signal' ? 'signal' : 'api';
        if (taken.decision === 'retry') continue;
        record.status = taken.decision === 'skip' ? 'skipped' : 'abandoned';
        record.by = by;
        record.reason = (taken.reason ?? '').slice(0, 500) || `abandoned after: ${failed.message}`;
        record.at = nowIso();
        this.onChange();
        return record;
      }
    }
  }
}

/** What a failed publish activity says: its message, the tail and log of its last attempt, and how many attempts it had. */
function failureOf(
  error: unknown,
  maxAttempts: number,
): { message: string; tail: string[]; logFile: string | null; attempts: number } {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure) {
    const details = (cause.details?.[0] ?? {}) as { tail?: string[]; logFile?: string; attempt?: number };
    return {
      message: cause.message,
      tail: Array.isArray(details.tail) ? details.tail.slice(-20) : [],
      logFile: typeof details.logFile === 'string' ? details.logFile : null,
      // A code that is not retried fails at its first attempt; a retried one used them all.
      attempts: typeof details.attempt === 'number' ? details.attempt : cause.nonRetryable ? 1 : maxAttempts,
    };
  }
  return { message: (cause as Error)?.message ?? String(cause), tail: [], logFile: null, attempts: maxAttempts };
}
