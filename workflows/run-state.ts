import {
  getExternalWorkflowHandle,
  patched,
  setCurrentDetails,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { deployStageSignal, type StepRecord } from '../vocabulary/messages.js';
import { OutcomeKey, StageKey, VersionKey } from '../vocabulary/search-attributes.js';

/** Keeps a run's visible status in one place: its step list, the Stage attribute and the UI details. */
export class StepTracker {
  readonly steps: StepRecord[] = [];

  constructor(private readonly onStage: (stage: string) => void) {}

  async run<T>(name: string, body: () => Promise<T>, summarise?: (result: T) => string): Promise<T> {
    const record: StepRecord = { name, startedAt: nowIso(), finishedAt: null, summary: null };
    this.steps.push(record);
    this.onStage(name);
    upsertSearchAttributes([{ key: StageKey, value: name }]);
    const result = await body();
    record.finishedAt = nowIso();
    record.summary = summarise ? summarise(result) : null;
    return result;
  }
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
