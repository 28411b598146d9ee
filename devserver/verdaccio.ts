import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { lockBuildDir, ProvisioningError, shipgateCacheRoot, type ProvisionOptions } from './temporal-cli.js';

/**
 * The local npm registry the tests publish to. 6.10 and later want Node 22; 6.8.0 runs on the
 * Node 20 shipgate supports, once its `node-fetch` is pinned to 2.7.0 (see verdaccio/package.json).
 */
export const VERDACCIO_VERSION = '6.8.0';

const MANIFESTS = ['package.json', 'package-lock.json'] as const;

export function verdaccioCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(shipgateCacheRoot(env), `verdaccio-${VERDACCIO_VERSION}`);
}

/** The manifest and lock file shipped beside this module (found from the source tree or dist alike). */
function manifestDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, 'verdaccio'), path.join(here, '..', '..', 'devserver', 'verdaccio')];
  const found = candidates.find((dir) => MANIFESTS.every((file) => existsSync(path.join(dir, file))));
  if (!found) throw new ProvisioningError(`the registry's manifest is missing (looked in ${candidates.join(', ')})`);
  return found;
}

/** One install per content of the manifests: editing the lock file installs anew beside the old one. */
async function installName(source: string): Promise<string> {
  const hash = createHash('sha256');
  for (const file of MANIFESTS) hash.update(await readFile(path.join(source, file)));
  return `install-${hash.digest('hex').slice(0, 12)}`;
}

function entryPoint(installDir: string): string {
  return path.join(installDir, 'node_modules', 'verdaccio', 'bin', 'verdaccio');
}

/**
 * Installs Verdaccio once into the cache (outside the project, whose dependencies it must not
 * join) and returns the script to run with `node`. Fast when it is already there.
 */
export async function provisionVerdaccio(options: ProvisionOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const source = manifestDir();
  const dir = verdaccioCacheDir(env);
  const installDir = path.join(dir, await installName(source));
  // The install folder appears by one rename once complete, so its entry point means a whole install.
  if (existsSync(entryPoint(installDir))) return entryPoint(installDir);
  await mkdir(dir, { recursive: true });
  // Test files start in parallel: one installs, the others wait for the lock and find the result.
  const release = await lockBuildDir(dir);
  try {
    if (existsSync(entryPoint(installDir))) return entryPoint(installDir);
    const staging = path.join(dir, `.staging-${process.pid}`);
    await rm(staging, { recursive: true, force: true });
    await mkdir(staging, { recursive: true });
    for (const file of MANIFESTS) await copyFile(path.join(source, file), path.join(staging, file));
    log(`shipgate: installing Verdaccio ${VERDACCIO_VERSION} (the tests' npm registry) into ${dir}…`);
    const started = Date.now();
    try {
      await execa('npm', ['ci', '--no-audit', '--no-fund', '--ignore-scripts'], {
        cwd: staging,
        env: withoutProjectNpmEnv(env),
        extendEnv: false,
        stdin: 'ignore',
        all: true,
      });
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      const output = String((error as { all?: string }).all ?? (error as Error).message)
        .trim()
        .split('\n')
        .slice(-15)
        .join('\n');
      throw new ProvisioningError(`Installing Verdaccio ${VERDACCIO_VERSION} with \`npm ci\` failed:\n${output}`);
    }
    await rename(staging, installDir);
    log(`shipgate: Verdaccio installed in ${Math.round((Date.now() - started) / 1000)}s: ${installDir}`);
    return entryPoint(installDir);
  } finally {
    await release();
  }
}

/**
 * `npm run` hands its children the project's own package and folder (`npm_package_*`,
 * `npm_config_local_prefix`); an npm started for another folder must not inherit them.
 * The user's and the machine's npm settings still apply.
 */
export function withoutProjectNpmEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const kept: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(env)) {
    const lower = key.toLowerCase();
    if (lower.startsWith('npm_package_') || lower.startsWith('npm_lifecycle_')) continue;
    if (lower === 'npm_config_local_prefix' || lower === 'init_cwd') continue;
    kept[key] = value;
  }
  return kept;
}
