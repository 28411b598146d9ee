import {
  getExternalWorkflowHandle,
  patched,
  setCurrentDetails,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { deployStageSignal, ResultMemoKey, ViewMemoKey, type StepRecord } from '../vocabulary/messages.js';
import { OutcomeKey, StageKey, VersionKey } from '../vocabulary/search-attributes.js';

/** Keeps a run's visible status in one place: its step list, the Stage attribute and the UI details. */
export class StepTracker {
  readonly steps: StepRecord[] = [];

  /**
   * `onChange` runs once a step's body has begun (what it set before its first wait, such as the ID
   * of the child it starts, is in the state then) and when the step ends: the run publishes its view.
   */
  constructor(
    private readonly onStage: (stage: string) => void,
    private readonly onChange: () => void = () => undefined,
  ) {}

  async run<T>(name: string, body: () => Promise<T>, summarise?: (result: T) => string): Promise<T> {
    const record: StepRecord = { name, startedAt: nowIso(), finishedAt: null, summary: null };
    this.steps.push(record);
    this.onStage(name);
    upsertSearchAttributes([{ key: StageKey, value: name }]);
    const running = body();
    this.onChange();
    const result = await running;
    record.finishedAt = nowIso();
    record.summary = summarise ? summarise(result) : null;
    this.onChange();
    return result;
  }
}

/** The patch that makes runs keep their view in memo (all three kinds); runs recorded before carry none. */
export const VIEW_PATCH = 'view-in-memo';

/** Publishes a run's view; with the result, the last time, just before the run returns. */
export type PublishView = (result?: unknown) => void;

/**
 * Keeps the run's view in its memo (`ViewMemoKey`), so that the API answers a read with one
 * describe, without a query and so without a worker, for open and closed runs alike. `view`
 * builds the view (the state query's object, bounded by the caller). An upsert is a history event,
 * so an unchanged view is not written again. Runs recorded before the patch write nothing.
 */
export function viewPublisher(view: () => object): PublishView {
  let last: string | null = null;
  return (result) => {
    const current = view();
    const json = JSON.stringify(result === undefined ? [current] : [current, result]);
    if (json === last || !patched(VIEW_PATCH)) return;
    last = json;
    upsertMemo(result === undefined ? { [ViewMemoKey]: current } : { [ViewMemoKey]: current, [ResultMemoKey]: result });
  };
}

/** The last `limit` entries of a list that grows with the run: what a view keeps of it. */
export function lastOf<T>(list: T[] | undefined, limit: number): T[] | undefined {
  return list && list.length > limit ? list.slice(-limit) : list;
}

export function nowIso(): string {
  // Workflow time is replay-safe: it is the time of the current workflow task.
  return new Date(Date.now()).toISOString();
}

export function markOutcome(outcome: string, version?: string | null): void {
  upsertSearchAttributes([
    { key: OutcomeKey, value: outcome },
    { key: StageKey, value: 'done' },
    ...(version ? [{ key: VersionKey, value: version }] : []),
  ]);
}

/**
 * A deployment that a release started tells it each stage it enters, so that the release's
 * ShipgateStage says what the release waits for ("awaiting decision") and the documented
 * workflow-list queries find it. Runs recorded before this sent nothing: the patch keeps them.
 */
export function reportStageToParent(stage: string): void {
  const parent = workflowInfo().parent;
  if (!parent || !patched('deploy-stage-to-release')) return;
  // The release may have been terminated meanwhile; its deployment goes on regardless.
  getExternalWorkflowHandle(parent.workflowId, parent.runId)
    .signal(deployStageSignal, stage)
    .catch(() => undefined);
}

export function showDetails(lines: (string | null | false | undefined)[]): void {
  setCurrentDetails(lines.filter((line): line is string => typeof line === 'string' && line !== '').join('\n'));
}

export function shortId(): string {
  return workflowInfo().runId.slice(0, 8);
}
