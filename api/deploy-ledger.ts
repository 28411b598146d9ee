import type { Static } from 'typebox';
import type { ApiDeps } from './deps.js';
import { configuredRepo } from './repositories.js';
import type { DeploymentLedger } from './state-schemas.js';
import { readRepositoryOnWorker } from './worker-reads.js';

/**
 * What was deployed to each environment of a repository, newest first, at most `limit` runs per
 * environment, read by a worker (`ledger:<repo>`) from the signed deploy reports in its working copy.
 */
export async function deploymentLedger(
  deps: Pick<ApiDeps, 'client' | 'config'>,
  repoId: string,
  limit: number,
): Promise<Static<typeof DeploymentLedger>> {
  const repo = configuredRepo(deps.config, repoId);
  const ledger = await readRepositoryOnWorker(deps, 'ledger', repo.id);
  return {
    environments: ledger.environments.map(({ environment, live, entries }) => ({
      environment,
      live,
      entries: entries.slice(0, limit),
    })),
    warnings: ledger.warnings,
  };
}
