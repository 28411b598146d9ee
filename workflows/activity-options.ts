import type { ActivityOptions, RetryPolicy } from '@temporalio/workflow';
import type { RunSettings } from '../activities/pinning.js';

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

/** A timeout as the SDK takes it: milliseconds or a string such as `'2m'`. */
type Timeout = string | number;

/** A kind of activity call: how long one attempt may take, and how often it is tried. */
export interface ActivityProfile {
  /** A fixed bound, or one the run's repository settings decide (its test or deploy timeout). */
  startToCloseTimeout: Timeout | ((settings: RunSettings) => Timeout);
  /** Left out, the server's default applies: retried until the timeout, for as long as it takes. */
  retry?: RetryPolicy;
}

/** Reads a trigger makes before it starts anything (the branch head, whether anything is releasable). */
export const SHORT: ActivityProfile = { startToCloseTimeout: '2m', retry: { maximumAttempts: 3 } };

/** A deployment's own steps besides the command: resolving the release, the ledger, probes, the report. */
export const DEPLOY_STEP: ActivityProfile = { startToCloseTimeout: '2m', retry: { maximumAttempts: 5 } };

/** A release's git steps (pre-flight, version, commit, tag, push): a push to a slow remote gets five minutes. */
export const GIT_STEP: ActivityProfile = { startToCloseTimeout: '5m', retry: { maximumAttempts: 5 } };

/** QA's inspection, analysis and report: the analysis of a long history is the slow one. */
export const QA_STEP: ActivityProfile = { startToCloseTimeout: '10m', retry: { maximumAttempts: 3 } };

/**
 * The test command, bounded by its own timeout plus two minutes to stop it and read its results;
 * a crashed worker may cost one more run of the tests, never more.
 */
export const TESTS: ActivityProfile = { startToCloseTimeout: (settings: RunSettings) => settings.testTimeoutMs + 120_000, retry: { maximumAttempts: 2 } };

/** The deploy command, bounded by its own timeout plus a minute; a crashed worker may cost one more run of it per attempt. */
export const DEPLOY_COMMAND: ActivityProfile = {
  startToCloseTimeout: (settings: RunSettings) => (settings.deploy?.timeoutMs ?? 600_000) + 60_000,
  retry: { maximumAttempts: 2 },
};

/** Waiting for another run's result (the QA run a release joined): it heartbeats while it waits, for up to six hours. */
export const WAITING: ActivityProfile = { startToCloseTimeout: '6h' };

/**
 * Options for an activity on the queue of the worker the run is pinned to, with the configured
 * heartbeat timeout: a worker that dies mid-attempt is noticed by its missing heartbeat, not by
 * the (much longer) start-to-close timeout. Whether a failure is retried at all is the failure's
 * own flag, set from the error catalogue by the activity.
 *
 * There is deliberately no `scheduleToStartTimeout`: when the pinned worker never comes back,
 * the run waits on `shipgate@<worker>` until a worker with that `SHIPGATE_WORKER_ID` starts
 * again. Only that worker has the run's working copy, where a half-done release (a local commit
 * and tag not yet pushed) lives; another worker could not finish it, and failing the step after
 * a deadline would strand that state. An operator who gives the worker up cancels or terminates
 * the run in Temporal.
 */
export function pinned(pin: { taskQueue: string; settings: RunSettings }, profile: ActivityProfile): ActivityOptions {
  const { startToCloseTimeout, retry } = profile;
  return {
    taskQueue: pin.taskQueue,
    heartbeatTimeout: pin.settings.heartbeatTimeoutMs,
    startToCloseTimeout: typeof startToCloseTimeout === 'function' ? startToCloseTimeout(pin.settings) : startToCloseTimeout,
    ...(retry ? { retry } : {}),
  };
}
