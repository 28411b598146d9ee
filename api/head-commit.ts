import type { RepoConfig } from '../config/types.js';
import { workflowIdFor } from '../vocabulary/messages.js';
import type { headReadWorkflow } from '../workflows/reads.js';
import type { ApiDeps } from './deps.js';
import { readOnWorker } from './worker-reads.js';

/**
 * The commit a QA run should test: HEAD of the configured working copy, or the tip of the
 * configured branch at the configured URL, read by a worker (`head:<repo>`): the working copy
 * and the remote's credentials are the workers', not the API's.
 */
export async function headCommit(deps: Pick<ApiDeps, 'client' | 'config'>, repo: RepoConfig): Promise<string> {
  const { sha } = await readOnWorker<typeof headReadWorkflow>(deps, {
    workflowType: 'headReadWorkflow',
    workflowId: workflowIdFor('head', repo.id),
    repoId: repo.id,
    input: { repoId: repo.id },
    summary: `Head commit of ${repo.id}`,
  });
  return sha;
}
