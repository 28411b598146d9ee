import type { Client, WorkflowExecutionStatusName } from '@temporalio/client';
import type { RepoConfig } from '../config/types.js';
import type { ReleaseBranch } from '../domain/branches.js';
import { startQaRun } from '../client/starts.js';
import type { ApiDeps } from './deps.js';
import { listRuns } from './release-runs.js';
import { boundedChange } from './temporal-calls.js';

/** Visibility answers page by page; a person reading "recent runs" needs no more than this. */
export const RECENT_RUNS_LIMIT = 50;

export interface StartedQa {
  workflowId: string;
  runId: string;
  sha: string;
}

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
  branch: string | null;
}

/** Starts QA of `sha`, or joins the run already testing it: one run per commit at a time. */
export async function startQa(
  { config, client }: Pick<ApiDeps, 'config' | 'client'>,
  repo: RepoConfig,
  sha: string,
  branch: ReleaseBranch,
  requestedBy: string,
): Promise<StartedQa> {
  const answer = await boundedChange(client, () =>
    startQaRun(
      { client, taskQueue: config.temporal.taskQueue },
      { repoId: repo.id, sha, branch: branch.name, line: branch, trigger: 'manual', requestedBy },
    ),
  );
  // USE_EXISTING joins a running run instead of refusing, so a refusal is a server fault, not a conflict.
  if (!answer.started) throw new Error(`the Temporal server refused to start or join ${answer.workflowId}`);
  return { workflowId: answer.workflowId, runId: answer.runId, sha };
}

export async function recentQaRuns(client: Client, repoId: string): Promise<QaRunSummary[]> {
  const runs = await listRuns(client, { repo: repoId, type: 'qaWorkflow', limit: RECENT_RUNS_LIMIT });
  return runs.map(({ workflowId, runId, status, startTime, closeTime, trigger, stage, outcome, branch }) => ({
    workflowId,
    runId,
    status,
    startTime,
    closeTime,
    trigger,
    stage,
    outcome,
    branch,
    sha: /:([0-9a-f]{40})$/.exec(workflowId)?.[1] ?? null,
  }));
}
