import {
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowExecutionInfo,
  type WorkflowExecutionStatusName,
} from '@temporalio/client';
import type { FastifyBaseLogger } from 'fastify';
import type { RepoConfig } from '../config/types.js';
import { ShipgateError } from '../domain/errors.js';
import { startDeploymentRun, startReleaseRun } from '../client/starts.js';
import {
  decisionUpdate,
  deployStateQuery,
  releaseStateQuery,
  type DecisionResult,
  type DeployDecision,
  type DeployResult,
  type DeployState,
  type ReleaseResult,
  type ReleaseState,
} from '../vocabulary/messages.js';
import { OutcomeKey, RepoKey, StageKey, TriggerKey, VersionKey } from '../vocabulary/search-attributes.js';
import type { ApiDeps } from './deps.js';
import { STATUS_FILTERS, type StatusFilter } from './schemas/releases.js';
import { bounded, boundedChange, closedOutcome, describeRun, innermostMessage } from './temporal-calls.js';

export const RECENT_RELEASES_LIMIT = 100;

export interface RunView<S, R> {
  workflowId: string;
  runId: string;
  status: WorkflowExecutionStatusName;
  state: S | null;
  result?: R;
  failure?: string;
}

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
}

/** Starts `release:<repo>`; while one runs, a second start is refused with the running one's ID. */
export async function startRelease(
  { config, client }: Pick<ApiDeps, 'config' | 'client'>,
  repo: RepoConfig,
  options: { bump?: string; deploy?: boolean },
) {
  const starter = { client, taskQueue: config.temporal.taskQueue };
  const answer = await boundedChange(client, () =>
    startReleaseRun(starter, { repoId: repo.id, bump: options.bump, deploy: options.deploy, trigger: 'manual' }),
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
) {
  if (!repo.deploy)
    throw new ShipgateError('SHIPGATE_REPO_UNAVAILABLE', `repository "${repo.id}" has no deploy command configured`);
  const { environment } = repo.deploy;
  const starter = { client, taskQueue: config.temporal.taskQueue };
  const answer = await boundedChange(client, () =>
    startDeploymentRun(starter, { repoId: repo.id, version, environment, trigger: 'manual', requestedBy: 'api' }),
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

async function queried<S>(
  client: Client,
  call: () => Promise<S>,
  log: FastifyBaseLogger,
  workflowId: string,
): Promise<S | null> {
  return bounded(client, call).catch((error: unknown) => {
    log.warn({ err: error, workflowId }, 'state query failed; answering from the run description');
    return null;
  });
}

export async function deployRun(
  client: Client,
  workflowId: string,
  log: FastifyBaseLogger,
): Promise<RunView<DeployState, DeployResult>> {
  const description = await describeRun(client, workflowId, 'deployWorkflow', 'deployment');
  const handle = client.workflow.getHandle(workflowId, description.runId);
  const status = description.status.name;
  const state = await queried(client, () => handle.query(deployStateQuery), log, workflowId);
  return {
    workflowId,
    runId: description.runId,
    status,
    state,
    ...(await bounded(client, () => closedOutcome<DeployResult>(handle, status))),
  };
}

/** A release's live state with the state of its deployment, when it has one. */
export async function releaseRun(
  client: Client,
  workflowId: string,
  log: FastifyBaseLogger,
): Promise<RunView<ReleaseState, ReleaseResult>> {
  const description = await describeRun(client, workflowId, 'releaseWorkflow', 'release');
  const handle = client.workflow.getHandle(workflowId, description.runId);
  const status = description.status.name;
  const state = await queried(client, () => handle.query(releaseStateQuery), log, workflowId);
  if (state?.deploy) {
    const deploy = state.deploy;
    const deployDescription = await bounded(client, () =>
      client.workflow.getHandle(deploy.workflowId).describe(),
    ).catch(() => null);
    if (deployDescription && deployDescription.startTime >= description.startTime) {
      deploy.state = await queried(
        client,
        () => client.workflow.getHandle(deploy.workflowId, deployDescription.runId).query(deployStateQuery),
        log,
        deploy.workflowId,
      );
    }
  }
  return {
    workflowId,
    runId: description.runId,
    status,
    state,
    ...(await bounded(client, () => closedOutcome<ReleaseResult>(handle, status))),
  };
}

/** Sends an operator decision to the deployment a release (or a deployment ID) is waiting on. */
export async function decide(
  client: Client,
  workflowId: string,
  decision: DeployDecision,
  log: FastifyBaseLogger,
): Promise<DecisionResult & { deployWorkflowId: string }> {
  let deployWorkflowId = workflowId;
  if (!workflowId.startsWith('deploy:')) {
    const release = await releaseRun(client, workflowId, log);
    if (!release.state?.deploy || release.status !== 'RUNNING') {
      throw new ShipgateError(
        'SHIPGATE_NO_DECISION_AWAITED',
        `${workflowId} is not waiting for a decision: it is ${release.status === 'RUNNING' ? `at stage ${release.state?.stage ?? 'unknown'}` : release.status.toLowerCase()}`,
      );
    }
    deployWorkflowId = release.state.deploy.workflowId;
  } else {
    const deployment = await describeRun(client, workflowId, 'deployWorkflow', 'deployment');
    if (deployment.status.name !== 'RUNNING') {
      throw new ShipgateError(
        'SHIPGATE_NO_DECISION_AWAITED',
        `${workflowId} is not waiting for a decision: it is ${deployment.status.name.toLowerCase()}`,
      );
    }
  }
  try {
    const answer = await boundedChange(client, () =>
      client.workflow.getHandle(deployWorkflowId).executeUpdate(decisionUpdate, { args: [decision] }),
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

export async function listRuns(
  client: Client,
  filter: { repo?: string; status?: StatusFilter; type?: string; limit?: number },
): Promise<RunSummary[]> {
  const limit = filter.limit ?? RECENT_RELEASES_LIMIT;
  // Every value below has passed a schema (repo ID pattern, enums), so none can close a quoted string.
  const clauses = [`WorkflowType = '${filter.type ?? 'releaseWorkflow'}'`];
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

function summarise(info: WorkflowExecutionInfo): RunSummary {
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
  };
}
