import { WorkflowFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, TimeoutFailure } from '@temporalio/common';
import { ERRORS, ShipgateError, type ErrorCode } from '../domain/errors.js';
import { workflowIdFor } from '../vocabulary/messages.js';
import { RepoKey } from '../vocabulary/search-attributes.js';
import type * as reads from '../workflows/reads.js';
import type { ApiDeps } from './deps.js';
import { bounded } from './temporal-calls.js';

/**
 * How long a request waits for a worker's read. A read of a small repository takes tens of
 * milliseconds; this bounds a slow or wedged worker, after which the client gets a 503 rather
 * than a hang.
 */
const READ_DEADLINE_MS = 15_000;

/**
 * A read not answered by then is suspect: if no worker polls the shared queue at all, the answer
 * is a 503 now rather than at the deadline. The check costs one call and is never made on the
 * fast path.
 */
const POLLER_CHECK_AFTER_MS = 1_000;

/** A read no worker ever took ends by itself, instead of waiting on the queue for a worker that may come days later. */
const READ_RUN_TIMEOUT = '1m';

/** `temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW`: reads are workflow tasks first. */
const WORKFLOW_TASK_QUEUE = 1;

// Any read workflow of workflows/reads.ts: one input object, one result.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ReadWorkflow = (input: any) => Promise<unknown>;

export interface Read<W extends ReadWorkflow> {
  /** The workflow's name in workflows/reads.ts. */
  workflowType: string;
  /** Its business ID from `workflowIdFor`: equal reads running at once share one run. */
  workflowId: string;
  repoId: string;
  input: Parameters<W>[0];
  /** What the Temporal UI shows for the run. */
  summary: string;
}

/** The reads whose only input is the repository: their workflow in workflows/reads.ts, and what the UI calls them. */
const REPOSITORY_READS = {
  head: { workflowType: 'headReadWorkflow', what: 'Head commit' },
  'remote-url': { workflowType: 'remoteUrlReadWorkflow', what: 'Remote URL' },
  reports: { workflowType: 'reportsReadWorkflow', what: 'QA reports' },
  ledger: { workflowType: 'ledgerReadWorkflow', what: 'Deploy ledger' },
} as const satisfies Record<string, { workflowType: keyof typeof reads; what: string }>;

type RepositoryRead<K extends keyof typeof REPOSITORY_READS> =
  (typeof reads)[(typeof REPOSITORY_READS)[K]['workflowType']];

/** `readOnWorker` for a read of the repository alone (`<kind>:<repo>`): one line per read, typed by its workflow. */
export function readRepositoryOnWorker<K extends keyof typeof REPOSITORY_READS>(
  deps: Pick<ApiDeps, 'client' | 'config'>,
  kind: K,
  repoId: string,
): Promise<Awaited<ReturnType<RepositoryRead<K>>>> {
  const { workflowType, what } = REPOSITORY_READS[kind];
  return readOnWorker<RepositoryRead<K>>(deps, {
    workflowType,
    workflowId: workflowIdFor(kind, repoId),
    repoId,
    input: { repoId },
    summary: `${what} of ${repoId}`,
  });
}

/**
 * Asks a worker to read a repository, and waits a bounded time for the answer. The run is started
 * on the shared queue, so any live worker takes it. Reads that arrive while an equal one runs
 * join it (USE_EXISTING); a finished read is never answered again (ALLOW_DUPLICATE starts a new
 * run), so an answer is never older than the request's own wait. A read that fails with a code of
 * the catalogue is that error, with the worker's message; no worker at all is a 503.
 */
export async function readOnWorker<W extends ReadWorkflow>(
  deps: Pick<ApiDeps, 'client' | 'config'>,
  read: Read<W>,
): Promise<Awaited<ReturnType<W>>> {
  const { client, config } = deps;
  const taskQueue = config.temporal.taskQueue;
  const handle = await bounded(client, () =>
    client.workflow.start<W>(read.workflowType, {
      workflowId: read.workflowId,
      taskQueue,
      args: [read.input] as Parameters<W>,
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      workflowExecutionTimeout: READ_RUN_TIMEOUT,
      typedSearchAttributes: [{ key: RepoKey, value: read.repoId }],
      staticSummary: read.summary,
    }),
  );

  const stop = new AbortController();
  const answer = client
    .withAbortSignal(stop.signal, () => handle.result())
    .then(
      (value) => ({ value: value as Awaited<ReturnType<W>> }),
      (error: unknown) => ({ error }),
    );
  try {
    const early = await Promise.race([answer, delay(POLLER_CHECK_AFTER_MS)]);
    if (early === undefined && !(await anyWorkerPolls(client, config.temporal.namespace, taskQueue))) {
      throw new ShipgateError(
        'SHIPGATE_WORKER_UNAVAILABLE',
        `no worker serves the task queue "${taskQueue}", so ${read.summary.toLowerCase()} cannot be read; start a worker (npm run worker)`,
      );
    }
    const outcome = early ?? (await Promise.race([answer, delay(READ_DEADLINE_MS - POLLER_CHECK_AFTER_MS)]));
    if (outcome === undefined) {
      throw new ShipgateError(
        'SHIPGATE_WORKER_UNAVAILABLE',
        `no worker answered the read ${read.workflowId} within ${READ_DEADLINE_MS / 1000} s; the workers on "${taskQueue}" are busy or stuck`,
      );
    }
    if ('error' in outcome) throw asApiError(outcome.error, read, taskQueue);
    return outcome.value;
  } finally {
    stop.abort();
  }
}

/** The read's own failure, as the error the API always answered with; anything else is the server's fault (500). */
function asApiError(error: unknown, read: Read<ReadWorkflow>, taskQueue: string): unknown {
  if (!(error instanceof WorkflowFailedError)) return error;
  for (let cause: unknown = error.cause; cause instanceof Error; cause = cause.cause) {
    if (cause instanceof ApplicationFailure && cause.type && cause.type in ERRORS)
      return new ShipgateError(cause.type as ErrorCode, cause.message);
    if (cause instanceof TimeoutFailure) {
      return new ShipgateError(
        'SHIPGATE_WORKER_UNAVAILABLE',
        `no worker on "${taskQueue}" finished the read ${read.workflowId} in time`,
      );
    }
  }
  return error;
}

async function anyWorkerPolls(client: Client, namespace: string, taskQueue: string): Promise<boolean> {
  const { pollers } = await bounded(client, () =>
    client.workflowService.describeTaskQueue({
      namespace,
      taskQueue: { name: taskQueue },
      taskQueueType: WORKFLOW_TASK_QUEUE,
    }),
  );
  return (pollers?.length ?? 0) > 0;
}

function delay(ms: number): Promise<undefined> {
  return new Promise((resolve) => setTimeout(() => resolve(undefined), ms).unref());
}
