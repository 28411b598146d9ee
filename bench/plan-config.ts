import { parseConfig } from '../config/load.js';
import type { RepoConfig } from '../config/types.js';

/** The synthetic history's settings, resolved by the same loader the service uses. */
export function historyRepoConfig(dir: string): RepoConfig {
  const config = parseConfig(
    JSON.stringify({ dataDir: dir, repositories: [{ id: 'history', path: dir, test: { command: ['true'] } }] }),
    { file: null, cwd: dir, env: {} },
  );
  const repo = config.repositories[0];
  if (!repo) throw new Error('the history configuration has no repository');
  return repo;
}
