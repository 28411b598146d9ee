import { WorkflowNotFoundError } from '@temporalio/client';
import { environmentOf } from '../config/environments.js';
import type { EnvironmentState } from '../vocabulary/environments.js';
import { ViewMemoKey, workflowIdFor } from '../vocabulary/messages.js';
import type { ResolvedDeps } from './deps.js';
import { activityFailure } from './failure.js';
import { repoOrFail } from './working-copy.js';

/** What an environment's workflow needs from the configuration: that it exists, and how its tags are named. */
export interface EnvironmentSetup {
  repoId: string;
  environment: string;
  /** Every environment of the repository, in promotion order. */
  environments: string[];
  /** The environment a version is promoted here from; null for the first. */
  after: string | null;
  tagFormat: string;
}

export function createEnvironmentActivities(deps: ResolvedDeps) {
  return {
    /** The environment as configured; an unknown repository or environment fails for good. */
    async environmentSetup(input: { repoId: string; environment: string }): Promise<EnvironmentSetup> {
      const repo = repoOrFail(deps.config, input.repoId);
      const env = environmentOf(repo, input.environment);
      if (!env) {
        const names = repo.environments.map((e) => e.name);
        throw activityFailure(
          'SHIPGATE_UNKNOWN_ENVIRONMENT',
          names.length
            ? `repository "${repo.id}" has no environment "${input.environment}"; its environments are ${names.join(', ')}`
            : `repository "${repo.id}" has no environments: it has no deploy settings`,
        );
      }
      return {
        repoId: repo.id,
        environment: env.name,
        environments: repo.environments.map((e) => e.name),
        after: env.after,
        tagFormat: repo.tagFormat,
      };
    },

    /**
     * Another environment's state as its workflow last published it (memo `view`): one describe,
     * so it answers while that workflow waits, and needs no worker of its own. Null when that
     * environment has never been asked anything.
     */
    async environmentView(input: { repoId: string; environment: string }): Promise<EnvironmentState | null> {
      const handle = deps.client.workflow.getHandle(workflowIdFor('environment', input.repoId, input.environment));
      try {
        const description = await handle.describe();
        return (description.memo?.[ViewMemoKey] as EnvironmentState | undefined) ?? null;
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return null;
        throw error;
      }
    },
  };
}

export type EnvironmentActivities = ReturnType<typeof createEnvironmentActivities>;
