import type { Static } from 'typebox';
import { readLedgerOf } from './working-copy.js';
import type { ApiDeps } from './deps.js';
import { configuredRepo, workingCopyDir } from './repositories.js';
import type { DeploymentLedger } from './state-schemas.js';

/** What was deployed to each environment of a repository, newest first, at most `limit` runs per environment. */
export async function deploymentLedger({ config, reportKeys }: Pick<ApiDeps, 'config' | 'reportKeys'>, repoId: string, limit: number): Promise<Static<typeof DeploymentLedger>> {
  const repo = configuredRepo(config, repoId);
  const ledger = await readLedgerOf(workingCopyDir(config, repo), reportKeys);
  return {
    environments: ledger.environments.map(({ environment, live, entries }) => ({
      environment,
      live,
      entries: entries.slice(0, limit).map(({ environment: _environment, ...entry }) => entry),
    })),
    warnings: ledger.warnings,
  };
}
