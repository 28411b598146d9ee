/**
 * What changed between two views of a run (the object its state query answers, which the run keeps
 * in its memo), as the typed events `GET /events` streams. Pure: the API's follower decodes the
 * views from history and hands them here, and the tests hand plain objects.
 */
import type { DeployDecision, HealthSample, StepRecord } from '../vocabulary/messages.js';

export const RUN_EVENT_TYPES = ['run', 'stage', 'step', 'health', 'decision'] as const;
export type RunEventType = (typeof RUN_EVENT_TYPES)[number];

/** The part of any run's view that events are made from; every field may be missing in an older run. */
export interface ViewLike {
  stage?: string;
  steps?: StepRecord[];
  samples?: HealthSample[];
  awaitingDecision?: boolean;
  decisionsAllowed?: DeployDecision[];
  decisionDeadline?: string | null;
  failedAttempt?: string | null;
  decisions?: { decision: DeployDecision; at: string }[];
}

export type ViewChange =
  | { type: 'stage'; stage: string; previous: string | null }
  | {
      type: 'step';
      step: string;
      state: 'started' | 'finished';
      startedAt: string;
      finishedAt: string | null;
      summary: string | null;
    }
  | { type: 'health'; sample: HealthSample }
  | {
      type: 'decision';
      state: 'awaited';
      allowed: DeployDecision[];
      deadline: string | null;
      failedAttempt: string | null;
    }
  | { type: 'decision'; state: 'taken'; decision: DeployDecision; at: string };

/**
 * The events that lead from `previous` (null: the run's first view) to `current`, in the order a
 * person would tell them: the stage first, then the steps, health samples and decisions.
 * Steps only ever grow at the end, so a step is known by its place in the list and its name.
 * Samples and decisions may be cut to their newest entries, so they are known by content, not place.
 */
export function viewChanges(previous: ViewLike | null, current: ViewLike): ViewChange[] {
  const changes: ViewChange[] = [];
  const stage = current.stage ?? null;
  const before = previous?.stage ?? null;
  if (stage !== null && stage !== before) changes.push({ type: 'stage', stage, previous: before });

  const oldSteps = previous?.steps ?? [];
  (current.steps ?? []).forEach((step, index) => {
    const old = oldSteps[index]?.name === step.name ? oldSteps[index] : undefined;
    const record = { step: step.name, startedAt: step.startedAt, finishedAt: step.finishedAt, summary: step.summary };
    if (!old) changes.push({ type: 'step', state: 'started', ...record, finishedAt: null, summary: null });
    if ((!old || old.finishedAt === null) && step.finishedAt !== null)
      changes.push({ type: 'step', state: 'finished', ...record });
  });

  const seenSamples = new Set((previous?.samples ?? []).map((sample) => JSON.stringify(sample)));
  for (const sample of current.samples ?? [])
    if (!seenSamples.has(JSON.stringify(sample))) changes.push({ type: 'health', sample });

  if (current.awaitingDecision === true && previous?.awaitingDecision !== true)
    changes.push({
      type: 'decision',
      state: 'awaited',
      allowed: current.decisionsAllowed ?? [],
      deadline: current.decisionDeadline ?? null,
      failedAttempt: current.failedAttempt ?? null,
    });
  const seenDecisions = new Set((previous?.decisions ?? []).map((taken) => `${taken.at} ${taken.decision}`));
  for (const taken of current.decisions ?? [])
    if (!seenDecisions.has(`${taken.at} ${taken.decision}`))
      changes.push({ type: 'decision', state: 'taken', decision: taken.decision, at: taken.at });
  return changes;
}
