import path from 'node:path';
import type { RepoConfig, ShipgateConfig } from '../config/types.js';
import { ShipgateError } from '../domain/errors.js';

export function configuredRepo(config: ShipgateConfig, id: string): RepoConfig {
  const repo = config.repositories.find((r) => r.id === id);
  if (!repo) throw new ShipgateError('SHIPGATE_REPO_NOT_FOUND', `unknown repository "${id}"`);
  return repo;
}

/** The working copy on this host: the configured path, or where workers clone a URL repository. */
export function workingCopyDir(config: ShipgateConfig, repo: RepoConfig): string {
  return repo.source.kind === 'path' ? repo.source.path : path.join(config.dataDir, 'work', repo.id);
}
