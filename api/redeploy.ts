import type { RepoConfig } from '../config/types.js';
import { ShipgateError } from '../domain/errors.js';
import { workflowIdFor } from '../vocabulary/messages.js';
import type { releaseCheckReadWorkflow } from '../workflows/reads.js';
import type { ApiDeps } from './deps.js';
import { startDeployment } from './release-runs.js';
import { configuredRepo } from './repositories.js';
import { readOnWorker } from './worker-reads.js';

/**
 * Deploys a released version again (or an older one). Only a version shipgate released deploys:
 * a worker checks the tag in its working copy (`release-check:<repo>:<version>`) for a fast
 * answer, and the deployment's own resolveRelease checks it again, so a run started any other
 * way is refused too.
 */
export async function redeploy(
  deps: Pick<ApiDeps, 'client' | 'config'>,
  repoId: string,
  requested: string,
  requestedBy: string,
) {
  const repo = configuredRepo(deps.config, repoId);
  if (!repo.deploy)
    throw new ShipgateError('SHIPGATE_REPO_UNAVAILABLE', `repository "${repo.id}" has no deploy command configured`);
  const version = requested.replace(/^v/, '');
  await checkReleased(deps, repo, version);
  return startDeployment(deps, repo, version, requestedBy);
}

/** A version shipgate released, or the release check's own refusal (SHIPGATE_NOT_RELEASED, SHIPGATE_TAG_NOT_FOUND). */
export async function checkReleased(
  deps: Pick<ApiDeps, 'client' | 'config'>,
  repo: Pick<RepoConfig, 'id'>,
  version: string,
): Promise<void> {
  const released = await readOnWorker<typeof releaseCheckReadWorkflow>(deps, {
    workflowType: 'releaseCheckReadWorkflow',
    workflowId: workflowIdFor('release-check', repo.id, version),
    repoId: repo.id,
    input: { repoId: repo.id, version },
    summary: `Release check of ${repo.id} ${version}`,
  });
  if (!released.ok) throw new ShipgateError(released.code, released.reason);
}
