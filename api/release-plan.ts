import type { RepoConfig } from '../config/types.js';
import { workflowIdFor } from '../vocabulary/messages.js';
import type { planReadWorkflow } from '../workflows/reads.js';
import type { ApiDeps } from './deps.js';
import { readOnWorker } from './worker-reads.js';

/**
 * The dry run of a release, read by a worker (`plan:<repo>`): the API host needs no working copy.
 * A plan with an override is a read of its own (`plan:<repo>:<override>`).
 */
export async function currentPlan(deps: Pick<ApiDeps, 'client' | 'config'>, repo: RepoConfig, override?: string) {
  return readOnWorker<typeof planReadWorkflow>(deps, {
    workflowType: 'planReadWorkflow',
    workflowId: workflowIdFor('plan', repo.id, override),
    repoId: repo.id,
    input: override === undefined ? { repoId: repo.id } : { repoId: repo.id, override },
    summary: `Plan of ${repo.id}${override === undefined ? '' : ` with ${override}`}`,
  });
}

/** Refuses an override that could never succeed (lower than the current version) before anything starts. */
export async function validateOverride(
  deps: Pick<ApiDeps, 'client' | 'config'>,
  repo: RepoConfig,
  override: string,
): Promise<void> {
  await currentPlan(deps, repo, override);
}
