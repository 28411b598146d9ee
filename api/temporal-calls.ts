import { WorkflowNotFoundError, type Client, type WorkflowExecutionStatusName } from '@temporalio/client';
import { ShipgateError } from '../domain/errors.js';

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

/** Describes a run of the given workflow type; anything else is "no such run". */
export async function describeRun(client: Client, workflowId: string, type: string, what: string) {
  const description = await bounded(client, () => client.workflow.getHandle(workflowId).describe()).catch(
    (error: unknown) => {
      throw error instanceof WorkflowNotFoundError
        ? new ShipgateError('SHIPGATE_RUN_NOT_FOUND', `no ${what} with ID "${workflowId}"`)
        : error;
    },
  );
  if (description.type !== type)
    throw new ShipgateError('SHIPGATE_RUN_NOT_FOUND', `no ${what} with ID "${workflowId}"`);
  return description;
}
