import type { RepoConfig } from '../config/types.js';
import type { ApiDeps } from './deps.js';
import { readRepositoryOnWorker } from './worker-reads.js';

/**
 * The QA reports in the repository's context/ folder, newest first, read by a worker
 * (`reports:<repo>`), which also checks each signature: the report key is the workers' alone.
 */
export async function reportList(deps: Pick<ApiDeps, 'client' | 'config'>, repo: RepoConfig) {
  return readRepositoryOnWorker(deps, 'reports', repo.id);
}
