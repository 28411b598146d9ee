import { Context } from '@temporalio/activity';
import type { temporal } from '@temporalio/proto';
import { runEndOf } from '../domain/notification.js';
import type { RunEnd } from '../vocabulary/notifications.js';
import type { ActivityDeps } from './deps.js';

/** `temporal.api.enums.v1.HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT`. */
const CLOSE_EVENT = 2 satisfies temporal.api.enums.v1.HistoryEventFilterType;

export function createRunActivities(deps: ActivityDeps) {
  return {
    /**
     * Waits for a workflow this run did not start (a QA run already under way for the same
     * commit) and returns its result; heartbeats so a lost worker is noticed.
     */
    async awaitWorkflowResult<T = unknown>(input: { workflowId: string }): Promise<T> {
      const ctx = Context.current();
      const beat = setInterval(() => ctx.heartbeat(), 2_000);
      try {
        return (await deps.client.workflow.getHandle(input.workflowId).result()) as T;
      } finally {
        clearInterval(beat);
      }
    },
    /**
     * How a run ended, read from its close event alone (one event, however long its history):
     * `running` while it is not closed. What a notifier asks when its run closed without saying so.
     */
    async howRunEnded(input: { workflowId: string; runId: string }): Promise<RunEnd> {
      // Asked of a running workflow, the close event is waited for (a long poll): describe first.
      const described = await deps.client.workflow.getHandle(input.workflowId, input.runId).describe();
      if (described.status.name === 'RUNNING') return runEndOf(null);
      const { history } = await deps.client.workflowService.getWorkflowExecutionHistory({
        namespace: deps.client.options.namespace,
        execution: { workflowId: input.workflowId, runId: input.runId },
        historyEventFilterType: CLOSE_EVENT,
      });
      return runEndOf(history?.events?.[0]);
    },
  };
}
