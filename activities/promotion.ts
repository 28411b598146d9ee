import { WorkflowUpdateFailedError } from '@temporalio/client';
import { requestEnvironmentDeployment } from '../client/environments.js';
import { environmentOf } from '../config/environments.js';
import { comingFreezes, openFreeze, type ComingFreeze, type OpenFreeze } from '../domain/freeze.js';
import {
  environmentStateQuery,
  type EnvironmentRequest,
  type EnvironmentRequestAnswer,
} from '../vocabulary/environments.js';
import { workflowIdFor, type HealthSample } from '../vocabulary/messages.js';
import type { ResolvedDeps } from './deps.js';
import { probeOnce } from './health.js';
import { repoOrFail } from './working-copy.js';

/**
 * What a promotion run asks of the world: none of it touches a working copy, so every one runs on
 * the shared queue, on whichever worker takes it.
 */
export function createPromotionActivities(deps: ResolvedDeps) {
  return {
    /**
     * Hands a request to an environment's workflow (started on first use). The same request ID
     * sent again (a retried attempt) is the same request, so a retry never asks twice. A request
     * the environment refuses at once (its validator) comes back as a `refused` answer with the
     * refusal's reason, so the promotion records why and stops, instead of retrying a refusal.
     */
    async requestEnvironment(input: {
      repoId: string;
      environment: string;
      request: EnvironmentRequest;
    }): Promise<EnvironmentRequestAnswer> {
      try {
        return await requestEnvironmentDeployment(
          { client: deps.client, taskQueue: deps.taskQueue },
          input.repoId,
          input.environment,
          input.request,
        );
      } catch (error) {
        if (!(error instanceof WorkflowUpdateFailedError)) throw error;
        const cause = error.cause;
        return {
          requestId: input.request.requestId,
          environment: input.environment,
          version: input.request.version,
          status: 'refused',
          reason: cause?.message ?? error.message,
          superseded: [],
        };
      }
    },

    /**
     * One health sample of an environment during a soak, with that environment's own health
     * check; an environment without one counts as healthy.
     */
    async probeEnvironment(input: {
      repoId: string;
      environment: string;
      expectedVersion: string;
    }): Promise<HealthSample> {
      const health = environmentOf(repoOrFail(deps.config, input.repoId), input.environment)?.health ?? null;
      if (!health)
        return { at: deps.now().toISOString(), status: null, latencyMs: 0, version: null, ok: true, error: null };
      return probeOnce(health, input.expectedVersion, deps.now);
    },

    /**
     * Whether a freeze window of the environment is open now, by this worker's clock and the
     * configuration it runs with, and the next ones coming: asked at the moment a version is about
     * to enter it, so a window added or ended since the release started counts.
     */
    async freezeOf(input: {
      repoId: string;
      environment: string;
    }): Promise<{ open: OpenFreeze | null; coming: ComingFreeze[] }> {
      const windows = environmentOf(repoOrFail(deps.config, input.repoId), input.environment)?.freeze ?? [];
      const now = deps.now();
      return { open: openFreeze(windows, now), coming: comingFreezes(windows, now, 3) };
    },

    /** What is live in an environment now, as its workflow answers; null when nothing is, or it does not answer. */
    async liveVersion(input: { repoId: string; environment: string }): Promise<string | null> {
      try {
        const handle = deps.client.workflow.getHandle(workflowIdFor('environment', input.repoId, input.environment));
        const state = await handle.query(environmentStateQuery);
        return state.live?.version ?? null;
      } catch {
        return null;
      }
    },
  };
}
