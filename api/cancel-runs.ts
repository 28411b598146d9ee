import { WorkflowNotFoundError, type Client, type WorkflowExecutionStatusName } from '@temporalio/client';
import type { FastifyBaseLogger } from 'fastify';
import { ShipgateError } from '../domain/errors.js';
import {
  cancelRequestSignal,
  deployStateQuery,
  releaseStateQuery,
  type CancelRequest,
  type Cancellation,
} from '../vocabulary/messages.js';
import { describeKind, type RunType } from './run-views.js';
import { bounded, boundedChange } from './temporal-calls.js';

/** Every kind of run the API reads can be cancelled. */
export type CancellableKind = RunType;

/**
 * How long the answer waits for the run to end: undoing a release is a few git commands on its
 * worker. A run still undoing after this is answered as `RUNNING`; its state tells the rest.
 */
const CANCEL_WAIT_MS = 20_000;
const POLL_MS = 250;

export interface CancelAnswer {
  workflowId: string;
  runId: string;
  /** CANCELLED once the run has ended; RUNNING while it is still undoing its local state. */
  status: WorkflowExecutionStatusName;
  by: string;
  reason: string;
  /** What the run undid or ended, one line each; null while it has not finished. */
  undone: string[] | null;
}

/**
 * Cancels a run through Temporal, never by touching a working copy: the run is told who asked
 * and why (a signal), then cancelled, and undoes its own local state on its worker. An unknown
 * run is 404, one that has already ended 409.
 */
export async function cancelRun(
  client: Client,
  kind: CancellableKind,
  workflowId: string,
  request: CancelRequest,
  log: FastifyBaseLogger,
): Promise<CancelAnswer> {
  const description = await describeKind(client, workflowId, kind);
  const closed = () =>
    new ShipgateError(
      'SHIPGATE_RUN_CLOSED',
      `${workflowId} has already ended: it is ${description.status.name.toLowerCase()}`,
    );
  if (description.status.name !== 'RUNNING') throw closed();
  const handle = client.workflow.getHandle(workflowId, description.runId);
  try {
    // The QA workflow keeps no record of who asked; its cancellation is the whole message.
    if (kind !== 'qa') await boundedChange(client, () => handle.signal(cancelRequestSignal, request));
    await boundedChange(client, () => handle.cancel());
  } catch (error) {
    // It ended between the look above and the cancellation.
    if (error instanceof WorkflowNotFoundError) throw closed();
    throw error;
  }
  const deadline = Date.now() + CANCEL_WAIT_MS;
  let status: WorkflowExecutionStatusName = (await bounded(client, () => handle.describe())).status.name;
  while (status === 'RUNNING' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    status = (await bounded(client, () => handle.describe())).status.name;
  }
  const cancellation = status === 'RUNNING' ? null : await recordedCancellation(client, kind, handle, log);
  return {
    workflowId,
    runId: description.runId,
    status,
    by: cancellation?.by ?? request.by,
    reason: cancellation?.reason ?? request.reason,
    undone: status === 'RUNNING' ? null : (cancellation?.undone ?? []),
  };
}

async function recordedCancellation(
  client: Client,
  kind: CancellableKind,
  handle: ReturnType<Client['workflow']['getHandle']>,
  log: FastifyBaseLogger,
): Promise<Cancellation | null> {
  try {
    if (kind === 'release') return (await bounded(client, () => handle.query(releaseStateQuery))).cancellation ?? null;
    if (kind === 'deploy') return (await bounded(client, () => handle.query(deployStateQuery))).cancellation ?? null;
    return null;
  } catch (error) {
    log.warn({ err: error, workflowId: handle.workflowId }, 'state query of the cancelled run failed');
    return null;
  }
}
