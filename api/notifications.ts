import { WorkflowNotFoundError, type Client, type WorkflowExecutionStatusName } from '@temporalio/client';
import { notifierIdFor, type NotifierState } from '../vocabulary/notifications.js';
import { ViewMemoKey } from '../vocabulary/messages.js';
import { describeKind, type RunType } from './run-views.js';
import { bounded } from './temporal-calls.js';

export interface RunNotificationsView {
  workflowId: string;
  runId: string;
  notifier: { workflowId: string; status: WorkflowExecutionStatusName; state: NotifierState | null } | null;
}

/**
 * How a run's notifications went: its notifier's view, kept in that workflow's memo, so the answer
 * takes two describes and no worker. A run that sent no event has no notifier.
 */
export async function notificationsOf(
  client: Client,
  workflowId: string,
  type: Extract<RunType, 'release' | 'deploy'>,
  runId?: string,
): Promise<RunNotificationsView> {
  const run = await describeKind(client, workflowId, type, runId);
  const notifierId = notifierIdFor(workflowId, run.runId);
  const notifier = await bounded(client, () => client.workflow.getHandle(notifierId).describe()).catch(
    (error: unknown) => {
      if (error instanceof WorkflowNotFoundError) return null;
      throw error;
    },
  );
  return {
    workflowId,
    runId: run.runId,
    notifier: notifier
      ? {
          workflowId: notifierId,
          status: notifier.status.name,
          state: (notifier.memo?.[ViewMemoKey] as NotifierState | undefined) ?? null,
        }
      : null,
  };
}
