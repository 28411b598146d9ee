import { ActivityFailure, TimeoutFailure, TimeoutType } from '@temporalio/common';

/**
 * Whether a pinned step failed because its worker is gone: the task waited on the worker's own
 * queue for longer than `lostWorkerAfterMs` (see `pinned`) and nobody took it. Any other failure,
 * a heartbeat timeout of an attempt among them, is the step's own and is retried or reported as
 * before.
 */
export function isLostWorker(error: unknown): boolean {
  return (
    error instanceof ActivityFailure &&
    error.cause instanceof TimeoutFailure &&
    error.cause.timeoutType === TimeoutType.SCHEDULE_TO_START
  );
}
