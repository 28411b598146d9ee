import type { RepoConfig } from '../config/types.js';
import { workflowIdFor } from '../vocabulary/messages.js';
import type { planReadWorkflow } from '../workflows/reads.js';
import type { ApiDeps } from './deps.js';
import { readOnWorker } from './worker-reads.js';

/** Which page of the plan's commits to answer: from a cursor the plan gave, or the first. */
export interface PlanPageQuery {
  /** The commit the paged plan was made at, and the offset of the page, from `page.next`. */
  cursor?: { sha: string; offset: number };
  limit?: number;
}

/**
 * The dry run of a release, read by a worker (`plan:<repo>`): the API host needs no working copy.
 * A plan with an override is a read of its own (`plan:<repo>:<override>`), and so is any page but
 * the first of 100 (`…@<sha>.<offset>+<limit>`): equal reads share one run, different pages never.
 */
export async function currentPlan(
  deps: Pick<ApiDeps, 'client' | 'config'>,
  repo: RepoConfig,
  override?: string,
  page: PlanPageQuery = {},
) {
  const { cursor, limit } = page;
  const pageKey =
    cursor === undefined && limit === undefined
      ? ''
      : `@${cursor ? `${cursor.sha}.${cursor.offset}` : 'head'}+${limit ?? 'default'}`;
  const extra = override === undefined && pageKey === '' ? undefined : `${override ?? ''}${pageKey}`;
  return readOnWorker<typeof planReadWorkflow>(deps, {
    workflowType: 'planReadWorkflow',
    workflowId: workflowIdFor('plan', repo.id, extra),
    repoId: repo.id,
    input: {
      repoId: repo.id,
      ...(override === undefined ? {} : { override }),
      ...(cursor ? { at: cursor.sha, offset: cursor.offset } : {}),
      ...(limit === undefined ? {} : { limit }),
    },
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
