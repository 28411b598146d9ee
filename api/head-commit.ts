import type { RepoConfig } from '../config/types.js';
import type { ApiDeps } from './deps.js';
import { readRepositoryOnWorker } from './worker-reads.js';

/**
 * The commit a QA run should test: HEAD of the configured working copy, or the tip of the
 * configured branch at the configured URL, read by a worker (`head:<repo>`): the working copy
 * and the remote's credentials are the workers', not the API's.
 */
export async function headCommit(deps: Pick<ApiDeps, 'client' | 'config'>, repo: RepoConfig): Promise<string> {
  const { sha } = await readRepositoryOnWorker(deps, 'head', repo.id);
  return sha;
}
