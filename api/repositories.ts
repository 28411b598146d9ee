import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { SimpleGit } from 'simple-git';
import type { RepoConfig, ShipgateConfig } from '../config/types.js';
import { ShipgateError } from '../domain/errors.js';
import { openGit } from './working-copy.js';

export function configuredRepo(config: ShipgateConfig, id: string): RepoConfig {
  const repo = config.repositories.find((r) => r.id === id);
  if (!repo) throw new ShipgateError('SHIPGATE_REPO_NOT_FOUND', `unknown repository "${id}"`);
  return repo;
}

/** The working copy on this host: the configured path, or where workers clone a URL repository. */
export function workingCopyDir(config: ShipgateConfig, repo: RepoConfig): string {
  return repo.source.kind === 'path' ? repo.source.path : path.join(config.dataDir, 'work', repo.id);
}

/** git in the working copy. simple-git throws on a missing folder; that is the repository's state (422), not a server fault. */
export async function workingCopyGit(config: ShipgateConfig, repo: RepoConfig): Promise<SimpleGit> {
  const dir = workingCopyDir(config, repo);
  if (!(await stat(dir).then((s) => s.isDirectory(), () => false))) {
    throw new ShipgateError('SHIPGATE_REPO_UNAVAILABLE', repo.source.kind === 'url'
      ? `repository "${repo.id}" has not been cloned by a worker yet; run QA once first`
      : `repository "${repo.id}": ${dir} does not exist`);
  }
  return openGit(dir);
}
