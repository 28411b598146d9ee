import type { RepoConfig, ShipgateConfig } from '../config/types.js';
import { findBranch, type ReleaseBranch } from '../domain/branches.js';
import { ShipgateError } from '../domain/errors.js';

export function configuredRepo(config: ShipgateConfig, id: string): RepoConfig {
  const repo = config.repositories.find((r) => r.id === id);
  if (!repo) throw new ShipgateError('SHIPGATE_REPO_NOT_FOUND', `unknown repository "${id}"`);
  return repo;
}

/**
 * The configured branch a request names, or the release branch when it names none. Asked before
 * anything starts: a branch the configuration does not list is a 400 naming the ones it does,
 * never a run that fails on a worker.
 */
export function configuredBranch(repo: RepoConfig, name?: string | null): ReleaseBranch {
  const branch = findBranch(repo.branches, name);
  if (!branch)
    throw new ShipgateError(
      'SHIPGATE_UNKNOWN_BRANCH',
      `repository "${repo.id}" has no branch "${name ?? ''}" configured; its branches: ${repo.branches.map((b) => b.name).join(', ')}`,
    );
  return branch;
}
