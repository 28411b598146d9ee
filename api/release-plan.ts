import type { RepoConfig } from '../config/types.js';
import type { ReleaseBranch } from '../domain/branches.js';
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

type PlanInput = Parameters<typeof planReadWorkflow>[0];

/**
 * The dry run of a release, read by a worker (`plan:<repo>`): the API host needs no working copy.
 * A plan with an override is a read of its own (`plan:<repo>:<override>`), and so is any page but
 * the first of 100 (`…@<sha>.<offset>+<limit>`) and any branch but the release branch
 * (`…#<branch>`: `#` is in no override, page or branch name): equal reads share one run,
 * different ones never. `branch` is a configured branch (`configuredBranch`); the answer names
 * it, as the worker planned it or, from a worker that does not say, as the configuration has it.
 */
export async function currentPlan(
  deps: Pick<ApiDeps, 'client' | 'config'>,
  repo: RepoConfig,
  branch: ReleaseBranch,
  override?: string,
  page: PlanPageQuery = {},
) {
  const { cursor, limit } = page;
  const pageKey =
    cursor === undefined && limit === undefined
      ? ''
      : `@${cursor ? `${cursor.sha}.${cursor.offset}` : 'head'}+${limit ?? 'default'}`;
  const onRelease = branch.kind === 'release';
  const branchKey = onRelease ? '' : `#${branch.name}`;
  const extra =
    override === undefined && pageKey === '' && branchKey === ''
      ? undefined
      : `${override ?? ''}${pageKey}${branchKey}`;
  // Typed apart from the literal: a worker from before release channels plans the release branch, and ignores `branch`.
  const input: PlanInput & { branch?: string } = {
    repoId: repo.id,
    ...(onRelease ? {} : { branch: branch.name }),
    ...(override === undefined ? {} : { override }),
    ...(cursor ? { at: cursor.sha, offset: cursor.offset } : {}),
    ...(limit === undefined ? {} : { limit }),
  };
  const plan = await readOnWorker<typeof planReadWorkflow>(deps, {
    workflowType: 'planReadWorkflow',
    workflowId: workflowIdFor('plan', repo.id, extra),
    repoId: repo.id,
    input,
    summary: `Plan of ${repo.id}${onRelease ? '' : ` on ${branch.name}`}${override === undefined ? '' : ` with ${override}`}`,
  });
  const planned = (plan as { branch?: ReleaseBranch }).branch;
  return { ...plan, branch: planned ?? branch };
}

/** Refuses an override that could never succeed (lower than the branch's current version) before anything starts. */
export async function validateOverride(
  deps: Pick<ApiDeps, 'client' | 'config'>,
  repo: RepoConfig,
  branch: ReleaseBranch,
  override: string,
): Promise<void> {
  await currentPlan(deps, repo, branch, override);
}
