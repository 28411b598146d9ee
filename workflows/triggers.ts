import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, proxyActivities, startChild, upsertSearchAttributes, WorkflowIdReusePolicy } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { ReleaseStart } from '../activities/triggers.js';
import { unpinned } from './activity-options.js';
import { workflowIdFor } from './messages.js';
import { qaWorkflow } from './qa.js';
import { markOutcome } from './run-state.js';
import { RepoKey, TriggerKey } from './search-attributes.js';

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
  upsertSearchAttributes([{ key: RepoKey, value: input.repoId }, { key: TriggerKey, value: 'watch' }]);
  const pin = await shared.pinRun({ repoId: input.repoId });
  const local = proxyActivities<Activities>({ taskQueue: pin.taskQueue, heartbeatTimeout: pin.settings.heartbeatTimeoutMs, startToCloseTimeout: '2m', retry: { maximumAttempts: 3 } });
  const { sha } = await local.readBranchHead({ repoId: input.repoId });
  const qaWorkflowId = workflowIdFor('qa', input.repoId, sha);
  try {
    await startChild(qaWorkflow, {
      workflowId: qaWorkflowId,
      args: [{ repoId: input.repoId, sha, trigger: 'watch', pinnedTaskQueue: pin.taskQueue }],
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
  upsertSearchAttributes([{ key: RepoKey, value: input.repoId }, { key: TriggerKey, value: 'train' }]);
  const pin = await shared.pinRun({ repoId: input.repoId });
  const local = proxyActivities<Activities>({ taskQueue: pin.taskQueue, heartbeatTimeout: pin.settings.heartbeatTimeoutMs, startToCloseTimeout: '2m', retry: { maximumAttempts: 3 } });
  const { sha } = await local.readBranchHead({ repoId: input.repoId });
  const plan = await local.hasReleasableChanges({ repoId: input.repoId, sha });
  if (!plan.releasable) {
    markOutcome('nothing-to-release');
    return { releasable: false, started: false, workflowId: workflowIdFor('release', input.repoId), reason: plan.reason };
  }
  const start = await shared.startRelease({ repoId: input.repoId, trigger: 'train' });
  markOutcome(start.started ? 'release-started' : 'skipped');
  return { releasable: true, ...start };
}
