import type { Client } from '@temporalio/client';
import type { RepositoryInput } from '../../config/schema.js';
import {
  environmentStateQuery,
  promotionStateQuery,
  type EnvironmentState,
  type PromotionState,
} from '../../vocabulary/environments.js';
import { createSampleService, type SampleService } from './sample-service.js';

/** A repository with two environments, each a real sample service of its own on its own port. */
export interface TwoEnvironments {
  repoId: string;
  staging: SampleService;
  production: SampleService;
  settings: RepositoryInput;
  stop(): Promise<void>;
}

export interface EnvironmentTuning {
  soak?: string;
  autoPromote?: boolean;
  productionAutoRollback?: boolean;
  /** The production health check's deadline (default 10 s). */
  productionDeadline?: string;
  /** Who must approve a version into production (`environments[].approval`); default none. */
  productionApproval?: { required?: number; from?: string[]; notAuthor?: boolean; expires?: string };
}

/**
 * `staging` then `production`: the repository's working copy is the staging service's sample; the
 * production environment runs the same deploy command against the second service's state folder
 * and port, so each deploy really replaces that environment's service.
 */
export async function twoEnvironments(repoId: string, tuning: EnvironmentTuning = {}): Promise<TwoEnvironments> {
  const staging = await createSampleService(repoId);
  const production = await createSampleService(`${repoId}-production`);
  const settings: RepositoryInput = { ...staging.settings };
  const { environment: _staging, ...stagingDeploy } = staging.settings.deploy!;
  const { environment: _production, ...productionDeploy } = production.settings.deploy!;
  delete settings.deploy;
  delete settings.health;
  settings.environments = [
    { name: 'staging', deploy: stagingDeploy, health: staging.settings.health },
    {
      name: 'production',
      after: 'staging',
      soak: tuning.soak ?? '2s',
      autoPromote: tuning.autoPromote ?? true,
      deploy: { ...productionDeploy, autoRollback: tuning.productionAutoRollback ?? false },
      health: { ...production.settings.health!, deadline: tuning.productionDeadline ?? '10s' },
      ...(tuning.productionApproval ? { approval: tuning.productionApproval } : {}),
    },
  ];
  return {
    repoId,
    staging,
    production,
    settings,
    async stop() {
      await Promise.all([staging.stop(), production.stop()]);
    },
  };
}

/** Polls a promotion's state until `until` holds (or fails after `withinMs`, showing the last state). */
export async function promotionUntil(
  client: Client,
  workflowId: string,
  until: (state: PromotionState) => boolean,
  withinMs = 90_000,
): Promise<PromotionState> {
  const deadline = Date.now() + withinMs;
  let last: PromotionState | null = null;
  for (;;) {
    last = await client.workflow
      .getHandle(workflowId)
      .query(promotionStateQuery)
      .catch(() => last);
    if (last && until(last)) return last;
    if (Date.now() > deadline) throw new Error(`${workflowId} never got there: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export function environmentState(client: Client, repoId: string, environment: string): Promise<EnvironmentState> {
  return client.workflow.getHandle(`environment:${repoId}:${environment}`).query(environmentStateQuery);
}

/** Ends the long-lived environment workflows a test started (they would otherwise wait for requests for ever). */
export async function endEnvironments(client: Client, repoId: string): Promise<void> {
  for (const environment of ['staging', 'production'])
    await client.workflow
      .getHandle(`environment:${repoId}:${environment}`)
      .terminate('the test is over')
      .catch(() => undefined);
}
