import type { Client, WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;
type Timestamp = { seconds?: { toString(): string } | number | null; nanos?: number | null } | null | undefined;

/** One activity of a run as its history records it. */
export interface ActivityTiming {
  type: string;
  /** The run that scheduled it. */
  workflowId: string;
  /** Scheduled and completed, in epoch milliseconds (the server's clock, this machine's). */
  scheduledAt: number;
  completedAt: number;
  /** Scheduled to completed, in milliseconds: queueing, the activity itself, and reporting back. */
  ms: number;
  result: unknown;
}

export interface RunTimings {
  activities: ActivityTiming[];
  /** Each workflow task, scheduled to completed, in milliseconds. */
  workflowTaskMs: number[];
  children: Array<{ workflowId: string; runId: string }>;
  /** First event to last event. */
  spanMs: number;
}

function toMs(ts: Timestamp): number {
  if (!ts) return Number.NaN;
  return Number(String(ts.seconds ?? 0)) * 1000 + (ts.nanos ?? 0) / 1e6;
}

/** Activities (with their decoded results) and child runs of one workflow run, from its history. */
export async function runTimings(client: Client, workflowId: string, runId?: string): Promise<RunTimings> {
  const history: History = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const scheduled = new Map<string, { type: string; at: number }>();
  const activities: ActivityTiming[] = [];
  const workflowTaskMs: number[] = [];
  const children: RunTimings['children'] = [];
  const events = history.events ?? [];
  for (const event of events) {
    const at = toMs(event.eventTime);
    const schedule = event.activityTaskScheduledEventAttributes;
    if (schedule) scheduled.set(String(event.eventId), { type: schedule.activityType?.name ?? '?', at });
    if (event.workflowTaskScheduledEventAttributes) scheduled.set(String(event.eventId), { type: 'workflow task', at });
    const task = event.workflowTaskCompletedEventAttributes;
    if (task) workflowTaskMs.push(at - (scheduled.get(String(task.scheduledEventId))?.at ?? at));
    const done = event.activityTaskCompletedEventAttributes;
    if (done) {
      const start = scheduled.get(String(done.scheduledEventId));
      const payload = done.result?.payloads?.[0];
      activities.push({
        type: start?.type ?? '?',
        workflowId,
        scheduledAt: start?.at ?? at,
        completedAt: at,
        ms: at - (start?.at ?? at),
        result: payload ? defaultPayloadConverter.fromPayload(payload) : undefined,
      });
    }
    const child = event.childWorkflowExecutionStartedEventAttributes?.workflowExecution;
    if (child?.workflowId && child.runId) children.push({ workflowId: child.workflowId, runId: child.runId });
  }
  const spanMs = events.length ? toMs(events[events.length - 1]?.eventTime) - toMs(events[0]?.eventTime) : 0;
  return { activities, workflowTaskMs, children, spanMs };
}

/** A run and every child run under it, flattened. */
export async function runTreeTimings(
  client: Client,
  workflowId: string,
  runId?: string,
): Promise<Pick<RunTimings, 'activities' | 'workflowTaskMs'>> {
  const own = await runTimings(client, workflowId, runId);
  const nested = await Promise.all(own.children.map((child) => runTreeTimings(client, child.workflowId, child.runId)));
  return {
    activities: [...own.activities, ...nested.flatMap((n) => n.activities)],
    workflowTaskMs: [...own.workflowTaskMs, ...nested.flatMap((n) => n.workflowTaskMs)],
  };
}

/** `durationMs` summed over the completed activities of one type (test and deploy commands report it). */
export function commandMs(activities: readonly ActivityTiming[], type: string): number {
  return activities
    .filter((a) => a.type === type)
    .reduce((sum, a) => sum + Number((a.result as { durationMs?: number } | undefined)?.durationMs ?? 0), 0);
}
