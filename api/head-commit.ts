import type { RepoConfig } from '../config/types.js';
import type { ReleaseBranch } from '../domain/branches.js';
import { workflowIdFor } from '../vocabulary/messages.js';
import type { headReadWorkflow } from '../workflows/reads.js';
import type { ApiDeps } from './deps.js';
import { readOnWorker, readRepositoryOnWorker } from './worker-reads.js';

/**
 * The commit a QA run should test: HEAD of the configured working copy, or the tip of the
 * configured branch at the configured URL, read by a worker (`head:<repo>`): the working copy
 * and the remote's credentials are the workers', not the API's. Another configured branch is a
 * read of its own (`head:<repo>:<branch>`), of that branch's tip.
 */
export async function headCommit(
  deps: Pick<ApiDeps, 'client' | 'config'>,
  repo: RepoConfig,
  branch?: ReleaseBranch,
): Promise<string> {
  if (!branch || branch.kind === 'release') return (await readRepositoryOnWorker(deps, 'head', repo.id)).sha;
  const { sha } = await readOnWorker<typeof headReadWorkflow>(deps, {
    workflowType: 'headReadWorkflow',
    workflowId: workflowIdFor('head', repo.id, branch.name),
    repoId: repo.id,
    input: { repoId: repo.id, branch: branch.name },
    summary: `Head commit of ${repo.id} on ${branch.name}`,
  });
  return sha;
}
