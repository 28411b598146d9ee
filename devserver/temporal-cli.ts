import { access, chmod, constants, mkdir, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import lockfile from 'proper-lockfile';

/** Later tags carry `replace` directives, which `go install` refuses; 1.5.1 builds cleanly. */
export const TEMPORAL_CLI_VERSION = '1.5.1';
const GO_PACKAGE = `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`;

export type CliExecutable =
  { type: 'path'; path: string; source: 'TEMPORAL_CLI_PATH' | 'PATH' | 'cache' | 'built' } | { type: 'sdk-download' };

export class ProvisioningError extends Error {
  override name = 'ProvisioningError';
}

export interface ProvisionOptions {
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

/** Where shipgate keeps what it builds once (`SHIPGATE_CACHE_DIR`, else `~/.cache/shipgate`). */
export function shipgateCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.SHIPGATE_CACHE_DIR ?? path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'shipgate');
}

export function cliCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(shipgateCacheRoot(env), 'temporal-cli', TEMPORAL_CLI_VERSION);
}

export async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export async function onPath(name: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return null;
}

/** Finds an existing Temporal CLI without building or downloading anything. */
export async function locateTemporalCli(env: NodeJS.ProcessEnv = process.env): Promise<CliExecutable | null> {
  if (env.TEMPORAL_CLI_PATH) {
    if (await isExecutable(env.TEMPORAL_CLI_PATH))
      return { type: 'path', path: env.TEMPORAL_CLI_PATH, source: 'TEMPORAL_CLI_PATH' };
    throw new ProvisioningError(
      `TEMPORAL_CLI_PATH is set to ${env.TEMPORAL_CLI_PATH}, ` +
        `but no executable is there. Point it at a Temporal CLI binary or unset it.`,
    );
  }
  const fromPath = await onPath('temporal', env);
  if (fromPath) return { type: 'path', path: fromPath, source: 'PATH' };
  const cached = path.join(cliCacheDir(env), 'temporal');
  if (await isExecutable(cached)) return { type: 'path', path: cached, source: 'cache' };
  return null;
}

/**
 * Finds the Temporal CLI or builds it into the cache with Go. Falls back to the SDK's own
 * download (machines with internet) and says so; `startDevServer` reports if that fails too.
 */
export async function provisionTemporalCli(options: ProvisionOptions = {}): Promise<CliExecutable> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const found = await locateTemporalCli(env);
  if (found) return found;
  const go = await onPath('go', env);
  if (!go) {
    log('shipgate: no Temporal CLI found and no Go toolchain to build one; trying the SDK download.');
    return { type: 'sdk-download' };
  }
  return { type: 'path', path: await buildWithGo(go, env, log), source: 'built' };
}

async function buildWithGo(go: string, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<string> {
  const dir = cliCacheDir(env);
  const target = path.join(dir, 'temporal');
  await mkdir(dir, { recursive: true });
  // Two processes may start at once (the start command and a test run): one builds, the
  // other waits for the lock and then finds the finished binary.
  const release = await lockBuildDir(dir);
  try {
    if (await isExecutable(target)) return target;
    const staging = path.join(dir, `.build-${process.pid}`);
    await rm(staging, { recursive: true, force: true });
    await mkdir(staging, { recursive: true });
    log(
      `shipgate: building the Temporal CLI ${TEMPORAL_CLI_VERSION} with Go into ${dir} ` +
        `(first time only; a few minutes on 2 cores)…`,
    );
    const started = Date.now();
    const ticker = setInterval(
      () => log(`shipgate: still building the Temporal CLI (${Math.round((Date.now() - started) / 1000)}s)…`),
      30_000,
    );
    try {
      await execa(go, ['install', GO_PACKAGE], {
        env: { ...env, GOBIN: staging, GOFLAGS: '-mod=mod', GO111MODULE: 'on' },
        stdin: 'ignore',
        all: true,
      });
    } catch (error) {
      const output = String((error as { all?: string }).all ?? (error as Error).message)
        .trim()
        .split('\n')
        .slice(-15)
        .join('\n');
      throw new ProvisioningError(`Building the Temporal CLI with \`go install ${GO_PACKAGE}\` failed:\n${output}`);
    } finally {
      clearInterval(ticker);
    }
    await chmod(path.join(staging, 'temporal'), 0o755);
    // rename is atomic within one file system, so a reader never sees half a binary.
    await rename(path.join(staging, 'temporal'), target);
    await rm(staging, { recursive: true, force: true });
    log(`shipgate: Temporal CLI built in ${Math.round((Date.now() - started) / 1000)}s: ${target}`);
    return target;
  } finally {
    await release();
  }
}

export function noTemporalParagraph(reason: string): string {
  return [
    `shipgate cannot start a Temporal server: ${reason}`,
    'Any one of these fixes it:',
    '  (1) set TEMPORAL_ADDRESS to an existing Temporal cluster (e.g. localhost:7233) and shipgate starts no server;',
    '  (2) set TEMPORAL_CLI_PATH to a Temporal CLI binary, or put `temporal` on PATH;',
    `  (3) install Go ` +
      `(1.22 or newer) so shipgate can build the CLI into ${cliCacheDir()} with \`go install ${GO_PACKAGE}\`;`,
    '  (4) allow the Temporal SDK to download its dev server (needs internet access);',
    '  (5) use docker-compose.yml where a Docker engine is available.',
  ].join('\n');
}

/**
 * Holds `<dir>/.build.lock` while one process builds into `dir`; another waits (up to ten
 * minutes) and then finds the finished build. Returns the release function.
 */
export function lockBuildDir(dir: string): Promise<() => Promise<void>> {
  return lockfile.lock(dir, {
    lockfilePath: path.join(dir, '.build.lock'),
    stale: 60_000,
    update: 10_000,
    retries: { retries: 120, minTimeout: 5_000, maxTimeout: 5_000 },
  });
}
