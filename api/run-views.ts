import {
  WorkflowNotFoundError,
  type Client,
  type WorkflowExecutionDescription,
  type WorkflowExecutionStatusName,
  type WorkflowHandle,
} from '@temporalio/client';
import type { FastifyBaseLogger } from 'fastify';
import { ShipgateError } from '../domain/errors.js';
import {
  deployStateQuery,
  qaStateQuery,
  releaseStateQuery,
  ResultMemoKey,
  ViewMemoKey,
  type DeployResult,
  type DeployState,
  type QaResult,
  type QaState,
  type ReleaseResult,
  type ReleaseState,
} from '../vocabulary/messages.js';
import { bounded, FAILED_STATUSES, innermostMessage } from './temporal-calls.js';

/** What `GET /releases/:id`, `/deployments/:id` and `/qa/:id` answer: one shape for the three. */
export interface RunView<S, R> {
  workflowId: string;
  runId: string;
  status: WorkflowExecutionStatusName;
  state: S | null;
  result?: R;
  failure?: string;
}

/** The three kinds of run the API reads, with their workflow type, their words and their state query. */
const RUN_TYPES = {
  release: { workflowType: 'releaseWorkflow', what: 'release', query: releaseStateQuery },
  deploy: { workflowType: 'deployWorkflow', what: 'deployment', query: deployStateQuery },
  qa: { workflowType: 'qaWorkflow', what: 'QA run', query: qaStateQuery },
} as const;
export type RunType = keyof typeof RUN_TYPES;

interface Views {
  release: RunView<ReleaseState, ReleaseResult>;
  deploy: RunView<DeployState, DeployResult>;
  qa: RunView<QaState, QaResult>;
}

/**
 * Closed runs never change, so their views are kept by run ID. 500 views of a few kilobytes each
 * cover every run a team looks back at in a day, for well under the memory of one request burst.
 */
const CLOSED_VIEWS_KEPT = 500;

class ClosedViews {
  private readonly views = new Map<string, unknown>();

  get(runId: string): unknown {
    const view = this.views.get(runId);
    if (view === undefined) return undefined;
    // Least recently read goes first: a view read again moves to the end.
    this.views.delete(runId);
    this.views.set(runId, view);
    return view;
  }

  set(runId: string, view: unknown): void {
    this.views.delete(runId);
    this.views.set(runId, view);
    if (this.views.size > CLOSED_VIEWS_KEPT) this.views.delete(this.views.keys().next().value!);
  }
}

/** One cache per client: a run ID means one run on one Temporal namespace. */
const closedViews = new WeakMap<Client, ClosedViews>();
/** Describes under way; equal reads at the same moment share one, and it is gone once it settles. */
const describing = new WeakMap<Client, Map<string, Promise<WorkflowExecutionDescription>>>();

function cacheOf(client: Client): ClosedViews {
  let cache = closedViews.get(client);
  if (!cache) closedViews.set(client, (cache = new ClosedViews()));
  return cache;
}

/**
 * One `describe` of the run (the latest run of the ID, or the one named by `runId`). Concurrent
 * identical reads share it while it is in flight, and only then: the next read describes anew.
 */
function describeOnce(client: Client, workflowId: string, runId: string | undefined) {
  let inFlight = describing.get(client);
  if (!inFlight) describing.set(client, (inFlight = new Map<string, Promise<WorkflowExecutionDescription>>()));
  const key = `${workflowId}\n${runId ?? ''}`;
  let call = inFlight.get(key);
  if (!call) {
    const calls = inFlight;
    call = bounded(client, () => client.workflow.getHandle(workflowId, runId).describe()).finally(() =>
      calls.delete(key),
    );
    calls.set(key, call);
  }
  return call;
}

/** Describes a run of the given kind; anything else is "no such run". */
export async function describeKind(
  client: Client,
  workflowId: string,
  type: RunType,
  runId?: string,
): Promise<WorkflowExecutionDescription> {
  const { workflowType, what } = RUN_TYPES[type];
  const notFound = () =>
    new ShipgateError(
      'SHIPGATE_RUN_NOT_FOUND',
      runId ? `no run ${runId} of the ${what} "${workflowId}"` : `no ${what} with ID "${workflowId}"`,
    );
  const description = await describeOnce(client, workflowId, runId).catch((error: unknown) => {
    throw error instanceof WorkflowNotFoundError ? notFound() : error;
  });
  if (description.type !== workflowType) throw notFound();
  return description;
}

/**
 * A run's view, read from what the server already holds: one describe, whose memo carries the
 * run's view (`ViewMemoKey`) and, once it returned, its result (`ResultMemoKey`). No worker takes
 * part, so a read answers the same with every worker stopped, for open and finished runs alike.
 */
export async function runView<T extends RunType>(
  client: Client,
  workflowId: string,
  type: T,
  options: { runId?: string; log?: FastifyBaseLogger } = {},
): Promise<Views[T]> {
  const cache = cacheOf(client);
  if (options.runId) {
    const kept = cache.get(options.runId) as Views[T] | undefined;
    if (kept?.workflowId === workflowId) return kept;
  }
  const description = await describeKind(client, workflowId, type, options.runId);
  const runId = description.runId;
  const status = description.status.name;
  const closed = status !== 'RUNNING';
  if (closed) {
    const kept = cache.get(runId) as Views[T] | undefined;
    if (kept) return kept;
  }
  const memo = description.memo ?? {};
  const handle = client.workflow.getHandle(workflowId, runId);
  const [state, outcome] = await Promise.all([
    stateOf(client, description, type, options.log),
    closedOutcome(client, handle, status, memo[ResultMemoKey]),
  ]);
  const view = { workflowId, runId, status, state, ...outcome } as Views[T];
  // A view with no state (an old run whose query failed) may answer better next time.
  if (closed && state !== null) cache.set(runId, view);
  return view;
}

async function stateOf(
  client: Client,
  description: WorkflowExecutionDescription,
  type: RunType,
  log: FastifyBaseLogger | undefined,
): Promise<unknown> {
  const state =
    (description.memo?.[ViewMemoKey] as object | undefined) ??
    // Runs started before the view was kept in memo (patch `view-in-memo`) have none: for them only,
    // the state query answers, which a closed run can answer only by replaying on a worker.
    (await queried(client, description, type, log));
  if (type !== 'release' || state === null) return state;
  const release = state as ReleaseState;
  if (!release.deploy) return release;
  // A new object: reads at the same moment share one description, and so one decoded memo.
  const deploy = await deploymentOf(client, description, release.deploy.workflowId, log);
  return { ...release, deploy: { ...release.deploy, state: deploy } };
}

/** The state query, bounded; null when the run does not answer (no worker for a closed run). */
async function queried(
  client: Client,
  description: WorkflowExecutionDescription,
  type: RunType,
  log: FastifyBaseLogger | undefined,
): Promise<unknown> {
  const handle = client.workflow.getHandle(description.workflowId, description.runId);
  return bounded(client, () => handle.query<unknown>(RUN_TYPES[type].query.name)).catch((error: unknown) => {
    log?.warn({ err: error, workflowId: description.workflowId }, 'state query failed; answering without a state');
    return null;
  });
}

/**
 * The state of the deployment a release started: the latest run of its ID when the release is its
 * parent. A deployment started after it (a re-deploy by hand) is another run and is left out.
 */
async function deploymentOf(
  client: Client,
  release: WorkflowExecutionDescription,
  workflowId: string,
  log: FastifyBaseLogger | undefined,
): Promise<DeployState | null> {
  const latest = await describeKind(client, workflowId, 'deploy').catch(() => null);
  if (!latest) return null;
  // The usual case: the latest run is the release's own, and its description holds its view.
  if (latest.parentExecution?.runId === release.runId)
    return (await stateOf(client, latest, 'deploy', log)) as DeployState | null;
  const run = await childRunOf(client, release, workflowId);
  if (!run) return null;
  const view = await runView(client, workflowId, 'deploy', { runId: run, log }).catch(() => null);
  return view?.state ?? null;
}

/**
 * An older release whose deployment ID has run again since: its own deployment is the run of that
 * ID whose parent it is, found in visibility (rare, and the release's view is kept once read).
 */
async function childRunOf(
  client: Client,
  release: WorkflowExecutionDescription,
  workflowId: string,
): Promise<string | null> {
  if (release.status.name === 'RUNNING') return null;
  return bounded(client, async () => {
    for await (const info of client.workflow.list({ query: `WorkflowId = '${workflowId}'` }))
      if (info.parentExecution?.runId === release.runId) return info.runId;
    return null;
  }).catch(() => null);
}

/**
 * The result once a run completed (from memo when the run put it there, else from its close event:
 * a history read on the server, no worker), or why it did not complete.
 */
async function closedOutcome(
  client: Client,
  handle: WorkflowHandle,
  status: WorkflowExecutionStatusName,
  memoResult: unknown,
): Promise<{ result?: unknown; failure?: string }> {
  if (status === 'COMPLETED') return { result: memoResult ?? (await bounded(client, () => handle.result())) };
  if (!FAILED_STATUSES.has(status)) return {};
  return bounded(client, () => handle.result()).then(
    () => ({}),
    (error: unknown) => ({ failure: innermostMessage(error) }),
  );
}
