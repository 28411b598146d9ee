/**
 * Every start of a workflow from outside a workflow: the API's, a trigger activity's and the
 * schedules the worker keeps. One place decides each run's business ID (workflowIdFor), its
 * conflict policy, the search attributes visibility lists it by, and its summary in the Temporal UI.
 *
 * The workflows are named by type only (`import type`): the client side never loads workflow code,
 * and a start names its workflow by a key of workflows/index.ts, which is checked against the
 * function's type, so a renamed workflow or a changed input fails `tsc` here.
 */
import {
  WorkflowExecutionAlreadyStartedError,
  type Client,
  type ScheduleOptionsStartWorkflowAction,
  type WorkflowStartOptions,
} from '@temporalio/client';
import {
  workflowIdFor,
  type DeployInput,
  type QaInput,
  type ReleaseInput,
  type Trigger,
} from '../vocabulary/messages.js';
import { BranchKey, RepoKey, TriggerKey, VersionKey } from '../vocabulary/search-attributes.js';
import type * as workflows from '../workflows/index.js';

type Workflows = typeof workflows;
/** The workflow types the worker registers: the names workflows/index.ts exports. */
export type WorkflowName = keyof Workflows;

/** Where starts go: the API passes the configured task queue, an activity its worker's. */
export interface Starter {
  client: Client;
  taskQueue: string;
}

export interface StartedRun {
  workflowId: string;
  runId: string;
}

/** A run whose ID is taken is not started again; `workflowId` names the one in the way. */
export type StartAnswer = ({ started: true } & StartedRun) | { started: false; workflowId: string };

type StartOptions<N extends WorkflowName> = Omit<WorkflowStartOptions<Workflows[N]>, 'taskQueue'>;

async function start<N extends WorkflowName>(
  { client, taskQueue }: Starter,
  name: N,
  options: StartOptions<N>,
): Promise<StartAnswer> {
  try {
    // The spread loses the conditional `args` type for a generic N; each caller is checked for its own N.
    const handle = await client.workflow.start<Workflows[N]>(name, { ...options, taskQueue } as WorkflowStartOptions<
      Workflows[N]
    >);
    return { started: true, workflowId: options.workflowId, runId: handle.firstExecutionRunId };
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError)
      return { started: false, workflowId: options.workflowId };
    throw error;
  }
}

function attributes(repoId: string, trigger: Trigger, version?: string, branch?: string) {
  return [
    { key: RepoKey, value: repoId },
    ...(version === undefined ? [] : [{ key: VersionKey, value: version }]),
    { key: TriggerKey, value: trigger },
    ...(branch === undefined ? [] : [{ key: BranchKey, value: branch }]),
  ];
}

/**
 * The branch a run works for, as the Temporal UI's summary names it: the release branch by name,
 * any other with its channel too (`from beta (channel beta)`). A start that knows only the name
 * says the name; one that names no branch says nothing (the release branch, as before channels).
 */
export interface BranchOfStart {
  /** The configured branch (a `ReleaseBranch`), when the caller has it: the summary names its channel. */
  line?: { name: string; kind: string; channel: string };
}

function fromBranch(branch: string | undefined, line: BranchOfStart['line']): string {
  if (line && line.name === branch && line.kind !== 'release') return ` from ${branch} (channel ${line.channel})`;
  return branch === undefined ? '' : ` from ${branch}`;
}

/**
 * `qa:<repo>:<sha>`, or the run already testing that commit: one QA run per commit at a time. A
 * closed run with this ID is started again, as a second QA of the same commit.
 */
export async function startQaRun(
  starter: Starter,
  input: QaInput & { trigger: Trigger } & BranchOfStart,
): Promise<StartAnswer> {
  const { repoId, sha, branch, trigger, line, requestedBy } = input;
  return start(starter, 'qaWorkflow', {
    workflowId: workflowIdFor('qa', repoId, sha),
    args: [
      {
        repoId,
        sha,
        trigger,
        ...(branch === undefined ? {} : { branch }),
        ...(requestedBy === undefined ? {} : { requestedBy }),
      },
    ],
    workflowIdConflictPolicy: 'USE_EXISTING',
    typedSearchAttributes: attributes(repoId, trigger, undefined, branch),
    staticSummary: `QA of ${repoId} at ${sha.slice(0, 7)}${fromBranch(branch, line)}${trigger === 'manual' ? '' : ` (${trigger})`}`,
  });
}

/** `release:<repo>`; while one runs, the answer is `started: false` with its ID. */
export async function startReleaseRun(
  starter: Starter,
  input: ReleaseInput & { trigger: Trigger } & BranchOfStart,
): Promise<StartAnswer> {
  const { repoId, branch, bump, deploy, trigger, line, requestedBy } = input;
  return start(starter, 'releaseWorkflow', {
    // One release of a repository at a time, whatever its branch: they share one working copy per worker.
    workflowId: workflowIdFor('release', repoId),
    args: [
      {
        repoId,
        bump,
        deploy,
        trigger,
        ...(branch === undefined ? {} : { branch }),
        ...(requestedBy === undefined ? {} : { requestedBy }),
      },
    ],
    workflowIdConflictPolicy: 'FAIL',
    typedSearchAttributes: attributes(repoId, trigger, undefined, branch),
    staticSummary: `Release of ${repoId}${fromBranch(branch, line)}${bump ? ` (${bump})` : ''}${deploy === false ? ', no deploy' : ''}${trigger === 'manual' ? '' : ` (${trigger})`}`,
  });
}

/** `deploy:<repo>:<environment>`: one deployment per environment at a time. */
export async function startDeploymentRun(
  starter: Starter,
  input: Required<Pick<DeployInput, 'repoId' | 'version' | 'trigger' | 'requestedBy'>> & { environment: string },
): Promise<StartAnswer> {
  const { repoId, version, trigger, requestedBy, environment } = input;
  return start(starter, 'deployWorkflow', {
    workflowId: workflowIdFor('deploy', repoId, environment),
    args: [{ repoId, version, trigger, requestedBy }],
    workflowIdConflictPolicy: 'FAIL',
    typedSearchAttributes: attributes(repoId, trigger, version),
    staticSummary: `Deploy ${repoId} ${version} to ${environment}`,
  });
}

/**
 * `delivery:<repo>:<delivery ID>`, which starts the QA run of the pushed commit. Temporal keeps the
 * ID of a closed run too, so a delivery seen before is refused (`started: false`) however late it comes.
 */
export async function startDeliveryRun(
  starter: Starter,
  input: { repoId: string; sha: string; deliveryId: string; branch?: string } & BranchOfStart,
): Promise<StartAnswer> {
  const { repoId, sha, deliveryId, branch, line } = input;
  return start(starter, 'deliveryWorkflow', {
    workflowId: workflowIdFor('delivery', repoId, deliveryId),
    args: [{ repoId, sha, deliveryId, ...(branch === undefined ? {} : { branch }) }],
    workflowIdConflictPolicy: 'FAIL',
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    typedSearchAttributes: attributes(repoId, 'webhook', undefined, branch),
    staticSummary: `Push of ${repoId} at ${sha.slice(0, 7)}${fromBranch(branch, line)}, delivery ${deliveryId}`,
  });
}

/** What the schedules start: a watch tick, and a run of the release train. */
export function scheduledStart(
  kind: 'watch' | 'release-train',
  repoId: string,
  taskQueue: string,
): ScheduleOptionsStartWorkflowAction<Workflows['watchWorkflow'] | Workflows['releaseTrainWorkflow']> {
  const args: [{ repoId: string }] = [{ repoId }];
  return kind === 'watch'
    ? action('watchWorkflow', {
        args,
        taskQueue,
        workflowId: workflowIdFor('watch-tick', repoId),
        typedSearchAttributes: attributes(repoId, 'watch'),
      })
    : action('releaseTrainWorkflow', {
        args,
        taskQueue,
        workflowId: workflowIdFor('release-train-run', repoId),
        typedSearchAttributes: attributes(repoId, 'train'),
      });
}

function action<N extends 'watchWorkflow' | 'releaseTrainWorkflow'>(
  workflowType: N,
  options: Omit<ScheduleOptionsStartWorkflowAction<Workflows[N]>, 'type' | 'workflowType'>,
): ScheduleOptionsStartWorkflowAction<Workflows[N]> {
  return { type: 'startWorkflow', workflowType, ...options };
}
