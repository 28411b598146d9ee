import {
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowExecutionInfo,
  type WorkflowExecutionStatusName,
} from '@temporalio/client';
import type { FastifyBaseLogger } from 'fastify';
import type { RepoConfig } from '../config/types.js';
import type { ReleaseBranch } from '../domain/branches.js';
import { ShipgateError } from '../domain/errors.js';
import { startDeploymentRun, startReleaseRun } from '../client/starts.js';
import {
  decisionUpdate,
  publishDecisionUpdate,
  type DecisionResult,
  type DeployDecision,
  type ReleaseDecision,
} from '../vocabulary/messages.js';
import { BranchKey, OutcomeKey, RepoKey, StageKey, TriggerKey, VersionKey } from '../vocabulary/search-attributes.js';
import type { ApiDeps } from './deps.js';
import { STATUS_FILTERS, type StatusFilter } from './schemas/releases.js';
import { describeKind, runView, type RunType } from './run-views.js';
import { bounded, boundedChange, innermostMessage } from './temporal-calls.js';

export const RECENT_RELEASES_LIMIT = 100;

export interface RunSummary {
  workflowId: string;
  runId: string;
  type: string;
  status: WorkflowExecutionStatusName;
  startTime: string;
  closeTime: string | null;
  repo: string | null;
  stage: string | null;
  version: string | null;
  outcome: string | null;
  trigger: string | null;
  /** The branch a release or QA run works for (`ShipgateBranch`); null for runs from before release channels. */
  branch: string | null;
}

/** Starts `release:<repo>`; while one runs, a second start is refused with the running one's ID. */
export async function startRelease(
  { config, client }: Pick<ApiDeps, 'config' | 'client'>,
  repo: RepoConfig,
  options: { branch: ReleaseBranch; bump?: string; deploy?: boolean; requestedBy: string },
) {
  const starter = { client, taskQueue: config.temporal.taskQueue };
  const { branch, bump, deploy, requestedBy } = options;
  const answer = await boundedChange(client, () =>
    startReleaseRun(starter, {
      repoId: repo.id,
      branch: branch.name,
      line: branch,
      bump,
      deploy,
      trigger: 'manual',
      requestedBy,
    }),
  );
  if (!answer.started) {
    throw new ShipgateError(
      'SHIPGATE_RELEASE_RUNNING',
      `a release of "${repo.id}" is already running: ${answer.workflowId}`,
      { workflowId: answer.workflowId },
    );
  }
  return { workflowId: answer.workflowId, runId: answer.runId };
}

/** Re-deploys a released version through `deploy:<repo>:<environment>`. */
export async function startDeployment(
  { config, client }: Pick<ApiDeps, 'config' | 'client'>,
  repo: RepoConfig,
  version: string,
  requestedBy: string,
) {
  if (!repo.deploy)
    throw new ShipgateError('SHIPGATE_REPO_UNAVAILABLE', `repository "${repo.id}" has no deploy command configured`);
  const { environment } = repo.deploy;
  const starter = { client, taskQueue: config.temporal.taskQueue };
  const answer = await boundedChange(client, () =>
    startDeploymentRun(starter, { repoId: repo.id, version, environment, trigger: 'manual', requestedBy }),
  );
  if (!answer.started) {
    throw new ShipgateError(
      'SHIPGATE_RELEASE_RUNNING',
      `a deployment to ${environment} of "${repo.id}" is already running: ${answer.workflowId}`,
      { workflowId: answer.workflowId },
    );
  }
  return { workflowId: answer.workflowId, runId: answer.runId };
}

/**
 * Sends an operator decision to what a release (or a deployment ID) is waiting on: the release's
 * own publish step that waits, else the deployment it started. `skip` is for a publish step only.
 */
export async function decide(
  client: Client,
  workflowId: string,
  decision: ReleaseDecision,
  by: string,
  log: FastifyBaseLogger,
  options: { reason?: string } = {},
): Promise<{ accepted: ReleaseDecision; stage: string } & ({ deployWorkflowId: string } | { publishStep: string })> {
  if (!workflowId.startsWith('deploy:')) {
    const release = await runView(client, workflowId, 'release', { log });
    const awaiting = release.status === 'RUNNING' ? release.state?.publish?.awaiting : null;
    if (awaiting) return decidePublish(client, workflowId, decision, by, awaiting.step, options.reason);
  }
  if (decision === 'skip')
    throw new ShipgateError(
      'SHIPGATE_DECISION_NOT_POSSIBLE',
      `${workflowId} has no publish step waiting for a decision: skip is for a publish step; a deployment takes retry, rollback or abandon`,
    );
  return decideDeployment(client, workflowId, decision, by, log);
}

/** Sends an operator decision to the deployment a release (or a deployment ID) is waiting on. */
export async function decideDeployment(
  client: Client,
  workflowId: string,
  decision: DeployDecision,
  by: string,
  log: FastifyBaseLogger,
): Promise<DecisionResult & { deployWorkflowId: string }> {
  let deployWorkflowId = workflowId;
  if (!workflowId.startsWith('deploy:')) {
    const release = await runView(client, workflowId, 'release', { log });
    if (!release.state?.deploy || release.status !== 'RUNNING') {
      throw new ShipgateError(
        'SHIPGATE_NO_DECISION_AWAITED',
        `${workflowId} is not waiting for a decision: it is ${release.status === 'RUNNING' ? `at stage ${release.state?.stage ?? 'unknown'}` : release.status.toLowerCase()}`,
      );
    }
    deployWorkflowId = release.state.deploy.workflowId;
  } else {
    const deployment = await describeKind(client, workflowId, 'deploy');
    if (deployment.status.name !== 'RUNNING') {
      throw new ShipgateError(
        'SHIPGATE_NO_DECISION_AWAITED',
        `${workflowId} is not waiting for a decision: it is ${deployment.status.name.toLowerCase()}`,
      );
    }
  }
  try {
    const answer = await boundedChange(client, () =>
      client.workflow.getHandle(deployWorkflowId).executeUpdate(decisionUpdate, { args: [decision, { by }] }),
    );
    return { ...answer, deployWorkflowId };
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) {
      throw new ShipgateError('SHIPGATE_NO_DECISION_AWAITED', innermostMessage(error));
    }
    // The deployment ended between the look above and the update: nothing awaits a decision now.
    if (error instanceof WorkflowNotFoundError) {
      throw new ShipgateError(
        'SHIPGATE_NO_DECISION_AWAITED',
        `${deployWorkflowId} is not waiting for a decision: it has ended`,
      );
    }
    throw error;
  }
}

/** A decision for the release's publish step that waits, as the `publishDecision` update; refusals answer 409 or 400. */
async function decidePublish(
  client: Client,
  workflowId: string,
  decision: ReleaseDecision,
  by: string,
  step: string,
  reason: string | undefined,
): Promise<{ accepted: ReleaseDecision; stage: string; publishStep: string }> {
  if (decision === 'rollback')
    throw new ShipgateError(
      'SHIPGATE_DECISION_NOT_POSSIBLE',
      `${workflowId} waits for a decision on publish step "${step}": retry, skip (with a reason) or abandon; nothing is deployed yet to roll back`,
    );
  if (decision === 'skip' && !reason?.trim())
    throw new ShipgateError(
      'SHIPGATE_BAD_REQUEST',
      `skipping publish step "${step}" needs a reason: send {"reason": "…"}; it is recorded with the release`,
    );
  try {
    const answer = await boundedChange(client, () =>
      client.workflow.getHandle(workflowId).executeUpdate(publishDecisionUpdate, {
        args: [{ decision, step, by, ...(reason ? { reason } : {}) }],
      }),
    );
    return { accepted: answer.accepted, stage: 'awaiting decision', publishStep: answer.step };
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError)
      throw new ShipgateError('SHIPGATE_NO_DECISION_AWAITED', innermostMessage(error));
    if (error instanceof WorkflowNotFoundError)
      throw new ShipgateError(
        'SHIPGATE_NO_DECISION_AWAITED',
        `${workflowId} is not waiting for a decision: it has ended`,
      );
    throw error;
  }
}

export async function listRuns(
  client: Client,
  filter: { repo?: string; status?: StatusFilter; type?: string; limit?: number; workflowId?: string },
): Promise<RunSummary[]> {
  const limit = filter.limit ?? RECENT_RELEASES_LIMIT;
  // Every value below has passed a schema (repo ID and workflow ID patterns, enums), so none can
  // close a quoted string.
  const clauses = [`WorkflowType = '${filter.type ?? 'releaseWorkflow'}'`];
  if (filter.workflowId) clauses.push(`WorkflowId = '${filter.workflowId}'`);
  if (filter.repo) clauses.push(`ShipgateRepo = '${filter.repo}'`);
  if (filter.status) clauses.push(`ExecutionStatus = '${STATUS_FILTERS[filter.status]}'`);
  const runs: RunSummary[] = [];
  await bounded(client, async () => {
    for await (const info of client.workflow.list({ query: clauses.join(' AND '), pageSize: limit })) {
      runs.push(summarise(info));
      if (runs.length === limit) break;
    }
  });
  return runs.sort((a, b) => b.startTime.localeCompare(a.startTime));
}

const WORKFLOW_TYPES: Record<RunType, string> = {
  release: 'releaseWorkflow',
  deploy: 'deployWorkflow',
  qa: 'qaWorkflow',
};

/**
 * Every run of one workflow ID, newest first: a release reuses `release:<repo>`, so each release
 * of a repository is a run of it. The latest run comes from a describe as well, so a run that
 * visibility does not list yet is there too, and an ID that never ran is "no such run".
 */
export async function runsOf(client: Client, workflowId: string, type: RunType): Promise<RunSummary[]> {
  const [latest, runs] = await Promise.all([
    describeKind(client, workflowId, type),
    listRuns(client, { workflowId, type: WORKFLOW_TYPES[type] }),
  ]);
  if (runs.some((run) => run.runId === latest.runId)) return runs;
  return [summarise(latest), ...runs];
}

function summarise(info: Omit<WorkflowExecutionInfo, 'raw'>): RunSummary {
  const attributes = info.typedSearchAttributes;
  return {
    workflowId: info.workflowId,
    runId: info.runId,
    type: info.type,
    status: info.status.name,
    startTime: info.startTime.toISOString(),
    closeTime: info.closeTime?.toISOString() ?? null,
    repo: attributes.get(RepoKey) ?? null,
    stage: attributes.get(StageKey) ?? null,
    version: attributes.get(VersionKey) ?? null,
    outcome: attributes.get(OutcomeKey) ?? null,
    trigger: attributes.get(TriggerKey) ?? null,
    branch: attributes.get(BranchKey) ?? null,
  };
}
