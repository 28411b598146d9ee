import type { EnvironmentConfig, RepoConfig } from './types.js';
import { ShipgateError } from '../domain/errors.js';

/** The environment of a repository by name, or null. */
export function environmentOf(repo: Pick<RepoConfig, 'environments'>, name: string): EnvironmentConfig | null {
  return repo.environments.find((env) => env.name === name) ?? null;
}

/** The environment a request names, or a 404 listing the configured ones. */
export function environmentOrFail(repo: Pick<RepoConfig, 'id' | 'environments'>, name: string): EnvironmentConfig {
  const env = environmentOf(repo, name);
  if (env) return env;
  const names = repo.environments.map((e) => e.name);
  throw new ShipgateError(
    'SHIPGATE_UNKNOWN_ENVIRONMENT',
    names.length
      ? `repository "${repo.id}" has no environment "${name}"; its environments are ${names.join(', ')}`
      : `repository "${repo.id}" has no environments: it has no deploy settings`,
  );
}

/** Where a release deploys: the first environment, or null when the repository deploys nowhere. */
export function firstEnvironment(repo: Pick<RepoConfig, 'environments'>): EnvironmentConfig | null {
  return repo.environments[0] ?? null;
}

/** The environments a version healthy in `from` is promoted to next (those whose `after` names it). */
export function promotionTargets(repo: Pick<RepoConfig, 'environments'>, from: string): EnvironmentConfig[] {
  return repo.environments.filter((env) => env.after === from);
}

/** The environments a version passes on its way to `name`, first one first, `name` last. */
export function pathTo(repo: Pick<RepoConfig, 'environments'>, name: string): EnvironmentConfig[] {
  const path: EnvironmentConfig[] = [];
  for (let env = environmentOf(repo, name); env; env = env.after ? environmentOf(repo, env.after) : null)
    path.unshift(env);
  return path;
}

/**
 * The repository's settings as a step working for one environment sees them: `deploy` and
 * `health` are that environment's (as `onBranch` does for a branch), so every read of them in an
 * activity is the environment at hand. Without a name, the first environment's, as configured.
 */
export function withEnvironment<T extends Pick<RepoConfig, 'id' | 'environments' | 'deploy' | 'health'>>(
  repo: T,
  name: string | null | undefined,
): T {
  if (name === null || name === undefined) return repo;
  const env = environmentOrFail(repo, name);
  if (env === repo.environments[0]) return repo;
  return { ...repo, deploy: env.deploy, health: env.health };
}
