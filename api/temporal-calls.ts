import type { Client, WorkflowExecutionStatusName } from '@temporalio/client';

/**
 * The client retries an unreachable server with backoff for about 20 s; a person waiting on a
 * request is better served by a 503 sooner. Queries get the same bound: a closed run is queried
 * by replaying it on a worker, and without one the query would wait forever (the run views
 * query only runs recorded before they kept their view in memo, see api/run-views.ts).
 */
const TEMPORAL_DEADLINE_MS = 5_000;
export const FAILED_STATUSES: ReadonlySet<WorkflowExecutionStatusName> = new Set([
  'FAILED',
  'TERMINATED',
  'CANCELLED',
  'TIMED_OUT',
]);

export function bounded<T>(client: Client, call: () => Promise<T>): Promise<T> {
  return client.withDeadline(Date.now() + TEMPORAL_DEADLINE_MS, call);
}

/**
 * Starts, updates and schedule changes get longer: on a busy server they are slower, and a 503
 * for a change the server then made anyway would mislead the caller.
 */
export function boundedChange<T>(client: Client, call: () => Promise<T>): Promise<T> {
  return client.withDeadline(Date.now() + 3 * TEMPORAL_DEADLINE_MS, call);
}

/** Temporal wraps a failure in layers ("Activity task failed"); the innermost one says what happened. */
export function innermostMessage(error: unknown): string {
  let message = String(error);
  for (let cause = error; cause instanceof Error; cause = cause.cause) if (cause.message) message = cause.message;
  return message;
}
