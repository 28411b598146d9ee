import type { ActivityOptions, LocalActivityOptions, RetryPolicy } from '@temporalio/workflow';
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

/**
 * An environment's own steps (its settings, another environment's view, the deploy reports it
 * starts from): on the shared queue, because the environment's workflow lives for months and must
 * not depend on one worker. Reading the deploy reports opens a working copy, which for a `url`
 * repository may first be cloned: five minutes covers that.
 */
export const ENVIRONMENT_STEP: ActivityOptions = {
  startToCloseTimeout: '5m',
  heartbeatTimeout: UNPINNED_HEARTBEAT_TIMEOUT,
  retry: { maximumAttempts: 5 },
};

/**
 * The reads the API asks for (workflows/reads.ts): a local activity on the worker that took the
 * read's workflow task, so a read costs one workflow task and no activity task of its own. The API
 * waits 15 s at most; an attempt gets less, so a second one (after a git hiccup) still fits. A
 * read is never pinned: every worker has the configured paths and clones a URL repository itself.
 */
export const READ: LocalActivityOptions = {
  startToCloseTimeout: '10s',
  scheduleToCloseTimeout: '30s',
  retry: { maximumAttempts: 2 },
};

/**
 * A step of a run that reads only this worker's configuration (`releasePolicy`): a local activity
 * on the worker that took the workflow task. Which steps qualify: a local activity runs wherever
 * the workflow task runs, which need not be the host the run is pinned to, has no heartbeat, and
 * is run again whole when its workflow task is lost. So only a step that is short, idempotent and
 * touches no working copy may be one; every worker holds the same configuration, so any worker
 * answers it alike. `pinRun` reads only the configuration too, but its answer *is* "the worker
 * that ran me", and the crash suite kills a worker inside it as an activity, so it stays one.
 * Pre-flight, the release commit, the push and every QA and deploy step read or change a working
 * copy on the pinned host: they stay pinned activities.
 */
export const CONFIG_READ: LocalActivityOptions = {
  startToCloseTimeout: '10s',
  retry: { maximumAttempts: 3 },
};

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
export const TESTS: ActivityProfile = {
  startToCloseTimeout: (settings: RunSettings) => settings.testTimeoutMs + 120_000,
  retry: { maximumAttempts: 2 },
};

/** The deploy command, bounded by its own timeout plus a minute; a crashed worker may cost one more run of it per attempt. */
export const DEPLOY_COMMAND: ActivityProfile = {
  startToCloseTimeout: (settings: RunSettings) => (settings.deploy?.timeoutMs ?? 600_000) + 60_000,
  retry: { maximumAttempts: 2 },
};

/** Waiting for another run's result (the QA run a release joined): it heartbeats while it waits, for up to six hours. */
export const WAITING: ActivityProfile = { startToCloseTimeout: '6h' };

/**
 * How long an activity may wait on a pinned worker's queue before the run counts that worker as
 * lost. A live worker polls its queue all the time, so a task waits there only while no worker of
 * that ID is running: twice the heartbeat timeout lets a worker that was only restarting come back
 * (its own crash is noticed after one heartbeat timeout), and the floor keeps a short test
 * heartbeat from mistaking a busy machine for a dead one.
 */
export function lostWorkerAfterMs(settings: Pick<RunSettings, 'heartbeatTimeoutMs'>): number {
  return Math.max(2 * settings.heartbeatTimeoutMs, 15_000);
}

/**
 * How long a child run's `pinRun` waits on its parent's worker queue before it pins itself on the
 * shared queue instead. The child does not know the heartbeat timeout before it is pinned, so it
 * takes the bound `lostWorkerAfterMs` gives the default one (20 s).
 */
export const PARENT_WORKER_LOST_AFTER_MS = lostWorkerAfterMs({ heartbeatTimeoutMs: 20_000 });

/**
 * Options for an activity on the queue of the worker the run is pinned to, with the configured
 * heartbeat timeout: a worker that dies mid-attempt is noticed by its missing heartbeat, not by
 * the (much longer) start-to-close timeout. Whether a failure is retried at all is the failure's
 * own flag, set from the error catalogue by the activity.
 *
 * The schedule-to-start timeout is how a run learns that its worker is gone for good: the step
 * fails with a SCHEDULE_TO_START timeout (never retried by the server, see `isLostWorker`), and
 * the workflow pins itself to a live worker and goes on from the step that was lost.
 */
export function pinned(pin: { taskQueue: string; settings: RunSettings }, profile: ActivityProfile): ActivityOptions {
  const { startToCloseTimeout, retry } = profile;
  return {
    taskQueue: pin.taskQueue,
    heartbeatTimeout: pin.settings.heartbeatTimeoutMs,
    scheduleToStartTimeout: lostWorkerAfterMs(pin.settings),
    startToCloseTimeout:
      typeof startToCloseTimeout === 'function' ? startToCloseTimeout(pin.settings) : startToCloseTimeout,
    ...(retry ? { retry } : {}),
  };
}
