import { Context } from '@temporalio/activity';
import type { ActivityDeps } from './deps.js';

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
  };
}
