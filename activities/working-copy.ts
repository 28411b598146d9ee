import { access, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { SimpleGit } from 'simple-git';
import type { RepoConfig, ShipgateConfig } from '../config/types.js';
import { onBranch } from '../domain/branches.js';
import type { ActivityDeps } from './deps.js';
import { activityFailure } from './failure.js';
import { openGit } from './git.js';

/** A repository's settings, for steps that need no working copy. */
export function repoOrFail(config: ShipgateConfig, repoId: string): RepoConfig {
  const repo = config.repositories.find((r) => r.id === repoId);
  if (!repo)
    throw activityFailure('SHIPGATE_REPO_NOT_FOUND', `repository "${repoId}" is not in this worker's configuration`);
  return repo;
}

/**
 * A repository's settings seen from one of its configured branches (`onBranch`: `branch` names
 * it, so every fetch, checkout, lease and push is that branch's); the release branch when none
 * is named. A branch not in `branches` fails for good, before anything is read or written.
 */
export function branchOrFail(repo: RepoConfig, branch: string | undefined): RepoConfig {
  const seen = onBranch(repo, branch);
  if (!seen)
    throw activityFailure(
      'SHIPGATE_UNKNOWN_BRANCH',
      `branch ${JSON.stringify(branch)} is not one of the branches of repository "${repo.id}" (${repo.branches.map((b) => b.name).join(', ')})`,
    );
  return seen;
}

/** A repository's working copy on this worker, opened: its settings, its folder and git in it. */
export interface WorkingCopy {
  repo: RepoConfig;
  dir: string;
  git: SimpleGit;
}

/**
 * The working copy a step uses on this worker: the configured path, or a worker-local clone of
 * the configured URL under the data folder. Runs are pinned to one worker, so the clone a run
 * starts with is the clone it finishes with.
 *
 * `fetch` brings a clone up to date with its remote first. Only the steps that must see the
 * remote as it is now ask for it (pre-flight, QA's inspection, the push's lease check, the
 * deploy's resolve, a watch tick's head); every later step of the run reads what they fetched,
 * so one release fetches a handful of times rather than once per step. A configured path is
 * never fetched here: its owner decides what it holds.
 */
export async function openWorkingCopy(
  deps: Pick<ActivityDeps, 'config'>,
  repoId: string,
  options: { fetch: boolean; branch?: string },
): Promise<WorkingCopy> {
  const repo = branchOrFail(repoOrFail(deps.config, repoId), options.branch);
  if (repo.source.kind === 'path') {
    const dir = repo.source.path;
    const problem = await notARepository(dir);
    if (problem) throw activityFailure('SHIPGATE_REPO_UNAVAILABLE', `repository "${repo.id}": ${dir} ${problem}`);
    return { repo, dir, git: openGit(dir) };
  }
  const dir = path.join(deps.config.dataDir, 'work', repo.id);
  if (await notARepository(dir)) {
    await mkdir(path.dirname(dir), { recursive: true });
    try {
      await openGit(path.dirname(dir)).clone(repo.source.url, dir, [
        '--origin',
        repo.remote,
        '--branch',
        repo.branch,
        '--',
      ]);
    } catch (error) {
      throw activityFailure(
        'SHIPGATE_REPO_UNAVAILABLE',
        `repository "${repo.id}": cannot clone ${repo.source.url}: ${(error as Error).message.trim()}`,
      );
    }
    return { repo, dir, git: openGit(dir) };
  }
  const git = openGit(dir);
  if (options.fetch) {
    try {
      // The remote's default refspec: every branch, so a clone checks out any configured one.
      await git.fetch([repo.remote, '--tags', '--prune', '--force']);
    } catch (error) {
      throw activityFailure(
        'SHIPGATE_REMOTE_UNREACHABLE',
        `repository "${repo.id}": cannot fetch ${repo.remote}: ${(error as Error).message.trim()}`,
      );
    }
  }
  return { repo, dir, git };
}

async function notARepository(dir: string): Promise<string | null> {
  try {
    if (!(await stat(dir)).isDirectory()) return 'is not a directory';
  } catch {
    return 'does not exist';
  }
  try {
    await access(path.join(dir, '.git'));
  } catch {
    return 'is not a git repository (no .git)';
  }
  return null;
}
