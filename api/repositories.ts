import type { RepoConfig, ShipgateConfig } from '../config/types.js';
import { ShipgateError } from '../domain/errors.js';

export function configuredRepo(config: ShipgateConfig, id: string): RepoConfig {
  const repo = config.repositories.find((r) => r.id === id);
  if (!repo) throw new ShipgateError('SHIPGATE_REPO_NOT_FOUND', `unknown repository "${id}"`);
  return repo;
}
