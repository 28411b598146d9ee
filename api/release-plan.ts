import type { RepoConfig, ShipgateConfig } from '../config/types.js';
import { ShipgateError } from '../domain/errors.js';
import { planRelease, resolveCommit, type ReleasePlan } from './working-copy.js';
import { workingCopyGit } from './repositories.js';

/**
 * The dry run of a release: reads the working copy's refs and objects and writes nothing — no
 * fetch, no files. A URL repository is planned from the last fetch the workers made.
 */
export async function currentPlan(config: ShipgateConfig, repo: RepoConfig, override?: string): Promise<ReleasePlan> {
  const git = await workingCopyGit(config, repo);
  const ref = repo.source.kind === 'url' ? `refs/remotes/${repo.remote}/${repo.branch}` : 'HEAD';
  const sha = await resolveCommit(git, ref).catch(() => null);
  if (!sha) {
    throw new ShipgateError('SHIPGATE_REPO_UNAVAILABLE', repo.source.kind === 'url'
      ? `repository "${repo.id}" has not been cloned by a worker yet; run QA once first`
      : `repository "${repo.id}" has no commit checked out at ${repo.source.path}`);
  }
  return planRelease(git, repo, { sha, override, date: new Date().toISOString().slice(0, 10) });
}

/** Refuses an override that could never succeed (lower than the current version) before anything starts. */
export async function validateOverride(config: ShipgateConfig, repo: RepoConfig, override: string): Promise<void> {
  await currentPlan(config, repo, override);
}
