/**
 * Every message to an environment's workflow from outside a workflow (the API, the CLI through
 * it, the activities of a promotion run). Each is an update sent with start: the environment's
 * workflow is started the first time anything asks it something, and from then on it is the one
 * running `environment:<repo>:<name>`.
 */
import { WithStartWorkflowOperation } from '@temporalio/client';
import {
  pinUpdate,
  requestDeploymentUpdate,
  unpinUpdate,
  type EnvironmentRequest,
  type EnvironmentRequestAnswer,
  type EnvironmentState,
  type PinRequest,
} from '../vocabulary/environments.js';
import { workflowIdFor } from '../vocabulary/messages.js';
import { EnvironmentKey, RepoKey } from '../vocabulary/search-attributes.js';
import type { environmentWorkflow } from '../workflows/environment.js';
import type { Starter } from './starts.js';

/** The start of `environment:<repo>:<name>`, when it is not running yet. */
function startOperation({ taskQueue }: Starter, repoId: string, environment: string) {
  return new WithStartWorkflowOperation<typeof environmentWorkflow>('environmentWorkflow', {
    workflowId: workflowIdFor('environment', repoId, environment),
    taskQueue,
    args: [{ repoId, environment }],
    workflowIdConflictPolicy: 'USE_EXISTING',
    typedSearchAttributes: [
      { key: RepoKey, value: repoId },
      { key: EnvironmentKey, value: environment },
    ],
    staticSummary: `Environment ${environment} of ${repoId}`,
  });
}

/** Asks an environment to deploy a version; answers where the request stands (queued, deploying, held…). */
export async function requestEnvironmentDeployment(
  starter: Starter,
  repoId: string,
  environment: string,
  request: EnvironmentRequest,
): Promise<EnvironmentRequestAnswer> {
  return starter.client.workflow.executeUpdateWithStart(requestDeploymentUpdate, {
    args: [request],
    startWorkflowOperation: startOperation(starter, repoId, environment),
  });
}

export async function pinEnvironment(
  starter: Starter,
  repoId: string,
  environment: string,
  pin: PinRequest,
): Promise<EnvironmentState> {
  return starter.client.workflow.executeUpdateWithStart(pinUpdate, {
    args: [pin],
    startWorkflowOperation: startOperation(starter, repoId, environment),
  });
}

export async function unpinEnvironment(
  starter: Starter,
  repoId: string,
  environment: string,
  unpin: PinRequest,
): Promise<EnvironmentState> {
  return starter.client.workflow.executeUpdateWithStart(unpinUpdate, {
    args: [unpin],
    startWorkflowOperation: startOperation(starter, repoId, environment),
  });
}
