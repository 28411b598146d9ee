import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  ParentClosePolicy,
  proxyActivities,
  startChild,
  upsertSearchAttributes,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { ReleaseStart } from '../activities/triggers.js';
import { pinned, SHORT, unpinned } from './activity-options.js';
import { TRIGGER_BOTS, workflowIdFor } from '../vocabulary/messages.js';
import { qaWorkflow } from './qa.js';
import { markOutcome } from './run-state.js';
import { BranchKey, RepoKey, TriggerKey } from '../vocabulary/search-attributes.js';

const shared = proxyActivities<Activities>(unpinned({ maximumAttempts: 3 }));

export interface WatchTickResult {
  sha: string;
  qaWorkflowId: string;
  started: boolean;
}

/**
 * One tick of a repository's branch watch: QA for the branch head, at most once per commit
 * (the QA workflow ID names the commit and a duplicate start is refused).
 */
export async function watchWorkflow(input: { repoId: string }): Promise<WatchTickResult> {
  upsertSearchAttributes([
    { key: RepoKey, value: input.repoId },
    { key: TriggerKey, value: 'watch' },
  ]);
  const pin = await shared.pinRun({ repoId: input.repoId });
  const local = proxyActivities<Activities>(pinned(pin, SHORT));
  const { sha } = await local.readBranchHead({ repoId: input.repoId });
  const qaWorkflowId = workflowIdFor('qa', input.repoId, sha);
  try {
    await startChild(qaWorkflow, {
      workflowId: qaWorkflowId,
      args: [
        {
          repoId: input.repoId,
          sha,
          trigger: 'watch',
          requestedBy: TRIGGER_BOTS.watch,
          pinnedTaskQueue: pin.taskQueue,
        },
      ],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      staticSummary: `QA of ${input.repoId} at ${sha.slice(0, 7)} (watch)`,
    });
    markOutcome('qa-started');
    return { sha, qaWorkflowId, started: true };
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    markOutcome('unchanged');
    return { sha, qaWorkflowId, started: false };
  }
}

/** A release train: on its schedule, releases what is releasable, through the usual gate. */
export async function releaseTrainWorkflow(input: { repoId: string }): Promise<ReleaseStart & { releasable: boolean }> {
  upsertSearchAttributes([
    { key: RepoKey, value: input.repoId },
    { key: TriggerKey, value: 'train' },
  ]);
  const pin = await shared.pinRun({ repoId: input.repoId });
  const local = proxyActivities<Activities>(pinned(pin, SHORT));
  const { sha } = await local.readBranchHead({ repoId: input.repoId });
  const plan = await local.hasReleasableChanges({ repoId: input.repoId, sha });
  if (!plan.releasable) {
    markOutcome('nothing-to-release');
    return {
      releasable: false,
      started: false,
      workflowId: workflowIdFor('release', input.repoId),
      reason: plan.reason,
    };
  }
  const start = await shared.startRelease({ repoId: input.repoId, trigger: 'train' });
  markOutcome(start.started ? 'release-started' : 'skipped');
  return { releasable: true, ...start };
}

export interface DeliveryInput {
  repoId: string;
  sha: string;
  /** The forge's ID of the delivery (`X-GitHub-Delivery`, `X-Gitlab-Event-UUID`). */
  deliveryId: string;
  /** The configured branch pushed to; absent from deliveries accepted before release channels (the release branch). */
  branch?: string;
}

/**
 * One accepted push webhook delivery (`delivery:<repo>:<delivery ID>`). Its workflow ID is the
 * dedupe: the API starts it refusing duplicates, so a replayed delivery starts nothing, however
 * many API processes there are and across their restarts, for as long as the namespace keeps
 * closed runs. It starts QA of the pushed commit for the branch pushed to, or joins the QA run
 * already testing that commit.
 */
export async function deliveryWorkflow(input: DeliveryInput): Promise<{ qaWorkflowId: string; started: boolean }> {
  upsertSearchAttributes([
    { key: RepoKey, value: input.repoId },
    { key: TriggerKey, value: 'webhook' },
  ]);
  const qaWorkflowId = workflowIdFor('qa', input.repoId, input.sha);
  const { branch } = input;
  try {
    await startChild(qaWorkflow, {
      workflowId: qaWorkflowId,
      args: [
        {
          repoId: input.repoId,
          sha: input.sha,
          trigger: 'webhook',
          requestedBy: TRIGGER_BOTS.webhook,
          ...(branch === undefined ? {} : { branch }),
        },
      ],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      // Set at the start, as the client's starts do: the QA run is listed by its branch from its first moment.
      typedSearchAttributes: [
        { key: RepoKey, value: input.repoId },
        { key: TriggerKey, value: 'webhook' },
        ...(branch === undefined ? [] : [{ key: BranchKey, value: branch }]),
      ],
      staticSummary: `QA of ${input.repoId} at ${input.sha.slice(0, 7)}${branch === undefined ? '' : ` from ${branch}`} (push)`,
    });
    markOutcome('qa-started');
    return { qaWorkflowId, started: true };
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    markOutcome('joined');
    return { qaWorkflowId, started: false };
  }
}
