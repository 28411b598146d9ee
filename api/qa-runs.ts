import type { Client, WorkflowExecutionStatusName } from '@temporalio/client';
import type { FastifyBaseLogger } from 'fastify';
import type { RepoConfig } from '../config/types.js';
import { startQaRun } from '../client/starts.js';
import { qaStateQuery, type QaResult, type QaState } from '../vocabulary/messages.js';
import type { qaWorkflow } from '../workflows/qa.js';
import type { ApiDeps } from './deps.js';
import { listRuns } from './release-runs.js';
import { bounded, boundedChange, closedOutcome, describeRun } from './temporal-calls.js';

/** Visibility answers page by page; a person reading "recent runs" needs no more than this. */
export const RECENT_RUNS_LIMIT = 50;

export interface StartedQa {
  workflowId: string;
  runId: string;
  sha: string;
}

export type QaRunView = Partial<QaState> & {
  workflowId: string;
  runId: string;
  status: WorkflowExecutionStatusName;
  result?: QaResult;
  failure?: string;
};

export interface QaRunSummary {
  workflowId: string;
  runId: string;
  status: WorkflowExecutionStatusName;
  startTime: string;
  closeTime: string | null;
  sha: string | null;
  trigger: string | null;
  stage: string | null;
  outcome: string | null;
}

/** Starts QA of `sha`, or joins the run already testing it: one run per commit at a time. */
export async function startQa(
  { config, client }: Pick<ApiDeps, 'config' | 'client'>,
  repo: RepoConfig,
  sha: string,
): Promise<StartedQa> {
  const answer = await boundedChange(client, () =>
    startQaRun({ client, taskQueue: config.temporal.taskQueue }, { repoId: repo.id, sha, trigger: 'manual' }),
  );
  // USE_EXISTING joins a running run instead of refusing, so a refusal is a server fault, not a conflict.
  if (!answer.started) throw new Error(`the Temporal server refused to start or join ${answer.workflowId}`);
  return { workflowId: answer.workflowId, runId: answer.runId, sha };
}

/** The run's live state when it answers the query, and its result or failure once it has closed. */
export async function qaRun(client: Client, workflowId: string, log: FastifyBaseLogger): Promise<QaRunView> {
  const description = await describeRun(client, workflowId, 'qaWorkflow', 'QA run');
  const handle = client.workflow.getHandle<typeof qaWorkflow>(workflowId, description.runId);
  const status = description.status.name;
  const state = await bounded(client, () => handle.query(qaStateQuery)).catch((error: unknown) => {
    log.warn({ err: error, workflowId }, 'QA state query failed; answering from the run description');
    return null;
  });
  const outcome = await bounded(client, () => closedOutcome<QaResult>(handle, status));
  return { ...state, workflowId, runId: description.runId, status, ...outcome };
}

export async function recentQaRuns(client: Client, repoId: string): Promise<QaRunSummary[]> {
  const runs = await listRuns(client, { repo: repoId, type: 'qaWorkflow', limit: RECENT_RUNS_LIMIT });
  return runs.map(({ workflowId, runId, status, startTime, closeTime, trigger, stage, outcome }) => ({
    workflowId,
    runId,
    status,
    startTime,
    closeTime,
    trigger,
    stage,
    outcome,
    sha: /:([0-9a-f]{40})$/.exec(workflowId)?.[1] ?? null,
  }));
}
