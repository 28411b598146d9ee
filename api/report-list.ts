import type { RepoConfig } from '../config/types.js';
import { workflowIdFor } from '../vocabulary/messages.js';
import type { reportsReadWorkflow } from '../workflows/reads.js';
import type { ApiDeps } from './deps.js';
import { readOnWorker } from './worker-reads.js';

/**
 * The QA reports in the repository's context/ folder, newest first, read by a worker
 * (`reports:<repo>`), which also checks each signature: the report key is the workers' alone.
 */
export async function reportList(deps: Pick<ApiDeps, 'client' | 'config'>, repo: RepoConfig) {
  return readOnWorker<typeof reportsReadWorkflow>(deps, {
    workflowType: 'reportsReadWorkflow',
    workflowId: workflowIdFor('reports', repo.id),
    repoId: repo.id,
    input: { repoId: repo.id },
    summary: `QA reports of ${repo.id}`,
  });
}
