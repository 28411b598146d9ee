import type { ActivityOptions, RetryPolicy } from '@temporalio/workflow';

/**
 * How soon a worker that died is noticed in an activity on the shared queue. Those run before
 * the run is pinned, so before it knows `temporal.heartbeatTimeout`; they only read the
 * configuration or start a run, and the worker heartbeats for them every 2 s, so 10 s is
 * ample while alive and well under the default heartbeat timeout (20 s) when dead.
 */
export const UNPINNED_HEARTBEAT_TIMEOUT = '10s';

/**
 * Options for activities on the shared queue (`pinRun`, a trigger's `startRelease`). The
 * start-to-close timeout only bounds a live worker on a slow server; death is the heartbeat's.
 */
export function unpinned(retry: RetryPolicy): ActivityOptions {
  return { startToCloseTimeout: '1m', heartbeatTimeout: UNPINNED_HEARTBEAT_TIMEOUT, retry };
}
