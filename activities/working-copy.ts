import { access, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { RepoConfig, ShipgateConfig } from '../config/types.js';
import { activityFailure } from './failure.js';
import { openGit } from './git.js';

export function repoOrFail(config: ShipgateConfig, repoId: string): RepoConfig {
  const repo = config.repositories.find((r) => r.id === repoId);
  if (!repo) throw activityFailure('SHIPGATE_REPO_NOT_FOUND', `repository "${repoId}" is not in this worker's configuration`);
  return repo;
}

/**
 * The working copy a run uses on this worker: the configured path, or a worker-local clone of
 * the configured URL under the data folder. Runs are pinned to one worker, so the clone a run
 * starts with is the clone it finishes with.
 */
export async function workingCopy(config: ShipgateConfig, repo: RepoConfig): Promise<string> {
  if (repo.source.kind === 'path') {
    const dir = repo.source.path;
    const problem = await notARepository(dir);
    if (problem) throw activityFailure('SHIPGATE_REPO_UNAVAILABLE', `repository "${repo.id}": ${dir} ${problem}`);
    return dir;
  }
  const dir = path.join(config.dataDir, 'work', repo.id);
  if (await notARepository(dir)) {
    await mkdir(path.dirname(dir), { recursive: true });
    try {
      await openGit(path.dirname(dir)).clone(repo.source.url, dir, ['--origin', repo.remote, '--branch', repo.branch, '--']);
    } catch (error) {
      throw activityFailure('SHIPGATE_REPO_UNAVAILABLE', `repository "${repo.id}": cannot clone ${repo.source.url}: ${(error as Error).message.trim()}`);
    }
  } else {
    await openGit(dir).fetch([repo.remote, '--tags', '--prune', '--force']);
  }
  return dir;
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
