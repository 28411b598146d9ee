import { readdir, chown, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { freePort } from './dev-server.js';
import { isExecutable, onPath, ProvisioningError, type ProvisionOptions } from './temporal-cli.js';

/** Debian's `postgresql` package puts each major version's programs here, not on PATH. */
const DEBIAN_ROOT = '/usr/lib/postgresql';
const PROGRAMS = ['initdb', 'pg_ctl', 'postgres'] as const;

export interface PostgresBinaries {
  /** Folder holding initdb, pg_ctl and postgres. */
  binDir: string;
  /** The PostgreSQL server refuses to run as root: as root, its programs run as this user. */
  runAs: { user: string; uid: number; gid: number } | null;
}

export type PostgresLookup = { found: PostgresBinaries } | { missing: string };

async function hasPrograms(dir: string): Promise<boolean> {
  for (const program of PROGRAMS) if (!(await isExecutable(path.join(dir, program)))) return false;
  return true;
}

async function binDirCandidates(env: NodeJS.ProcessEnv): Promise<string[]> {
  if (env.SHIPGATE_POSTGRES_BIN) return [env.SHIPGATE_POSTGRES_BIN];
  const candidates: string[] = [];
  // Newest major first: numeric folder names, so 15 sorts above 9.6.
  const versions = await readdir(DEBIAN_ROOT).catch(() => [] as string[]);
  for (const version of versions.sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a)))
    candidates.push(path.join(DEBIAN_ROOT, version, 'bin'));
  const initdb = await onPath('initdb', env);
  if (initdb) candidates.push(path.dirname(initdb));
  return candidates;
}

async function serviceUser(): Promise<PostgresBinaries['runAs'] | string> {
  if (process.getuid?.() !== 0) return null;
  if (!(await onPath('runuser', process.env)))
    return 'running as root, and runuser (util-linux), which starts PostgreSQL as the postgres user, is missing';
  try {
    const uid = Number((await execa('id', ['-u', 'postgres'])).stdout.trim());
    const gid = Number((await execa('id', ['-g', 'postgres'])).stdout.trim());
    return { user: 'postgres', uid, gid };
  } catch {
    return 'running as root, and there is no postgres user to run PostgreSQL as (PostgreSQL refuses to run as root)';
  }
}

/** Finds PostgreSQL's server programs without installing anything, or says why they cannot be used. */
export async function locatePostgres(env: NodeJS.ProcessEnv = process.env): Promise<PostgresLookup> {
  let binDir: string | null = null;
  for (const candidate of await binDirCandidates(env)) {
    if (await hasPrograms(candidate)) {
      binDir = candidate;
      break;
    }
  }
  if (!binDir) {
    return {
      missing: env.SHIPGATE_POSTGRES_BIN
        ? `SHIPGATE_POSTGRES_BIN is set to ${env.SHIPGATE_POSTGRES_BIN}, which lacks ${PROGRAMS.join(', ')}`
        : `PostgreSQL is not installed (no ${PROGRAMS.join('/')} in ${DEBIAN_ROOT}/*/bin or on PATH)`,
    };
  }
  const runAs = await serviceUser();
  if (typeof runAs === 'string') return { missing: runAs };
  return { found: { binDir, runAs } };
}

/**
 * Finds PostgreSQL, and installs Debian's `postgresql` package when it is absent and this
 * process may (root, apt-get). Anything else is a ProvisioningError saying what to do.
 */
export async function provisionPostgres(options: ProvisionOptions = {}): Promise<PostgresBinaries> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const first = await locatePostgres(env);
  if ('found' in first) return first.found;
  const aptGet = await onPath('apt-get', env);
  if (env.SHIPGATE_POSTGRES_BIN || process.getuid?.() !== 0 || !aptGet) {
    const how = !aptGet ? 'this system has no apt-get' : 'installing it needs root';
    throw new ProvisioningError(
      `${first.missing}; ${how}. Install PostgreSQL (Debian: apt-get install postgresql) or point SHIPGATE_POSTGRES_BIN at its bin folder.`,
    );
  }
  log('shipgate: installing PostgreSQL (Debian package postgresql) for the production-like cluster…');
  const install = () =>
    execa(aptGet, ['install', '-y', '--no-install-recommends', 'postgresql'], {
      env: { ...env, DEBIAN_FRONTEND: 'noninteractive' },
      stdin: 'ignore',
      all: true,
    });
  try {
    await install().catch(async () => {
      // A fresh image has no package lists yet.
      await execa(aptGet, ['update'], { env, stdin: 'ignore', all: true });
      return install();
    });
  } catch (error) {
    const output = String((error as { all?: string }).all ?? (error as Error).message)
      .trim()
      .split('\n')
      .slice(-10)
      .join('\n');
    throw new ProvisioningError(`Installing PostgreSQL with apt-get failed:\n${output}`);
  }
  const second = await locatePostgres(env);
  if ('found' in second) return second.found;
  throw new ProvisioningError(`apt-get installed postgresql, but it is still unusable: ${second.missing}`);
}

export interface RunningPostgres {
  /** The temp folder holding the data, the socket and the log; `stop` removes it. */
  dir: string;
  host: string;
  port: number;
  /** The superuser, reachable without a password from loopback only. */
  user: string;
  stop(): Promise<void>;
}

/**
 * A throw-away PostgreSQL cluster: its own data folder in a temp directory, listening on a free
 * loopback port with trust authentication (loopback only), gone without a trace after `stop`.
 */
export async function startPostgres(
  binaries: PostgresBinaries,
  options: { port?: number } = {},
): Promise<RunningPostgres> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'shipgate-pg-'));
  const data = path.join(root, 'data');
  const sockets = path.join(root, 'sockets');
  const logFile = path.join(root, 'postgres.log');
  const run = (program: string, args: string[]) => {
    const file = path.join(binaries.binDir, program);
    return binaries.runAs
      ? execa('runuser', ['-u', binaries.runAs.user, '--', file, ...args], { cwd: root, stdin: 'ignore', all: true })
      : execa(file, args, { cwd: root, stdin: 'ignore', all: true });
  };
  const stopped = async () => {
    await run('pg_ctl', ['stop', '-D', data, '-m', 'fast', '-w', '-t', '30']).catch(() =>
      run('pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w']).catch(() => undefined),
    );
    await rm(root, { recursive: true, force: true });
  };
  try {
    await mkdir(sockets);
    if (binaries.runAs) {
      await chown(root, binaries.runAs.uid, binaries.runAs.gid);
      await chown(sockets, binaries.runAs.uid, binaries.runAs.gid);
    }
    await run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-sync']);
    const port = options.port ?? (await freePort());
    // The Temporal server opens a pool per store and service; the default of 100 is close to that.
    const settings = `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${sockets} -c max_connections=300`;
    await run('pg_ctl', ['start', '-D', data, '-l', logFile, '-w', '-t', '60', '-o', settings]);
    return { dir: root, host: '127.0.0.1', port, user: 'postgres', stop: stopped };
  } catch (error) {
    const log = await readFile(logFile, 'utf8').catch(() => '');
    await stopped();
    const output = String((error as { all?: string }).all ?? (error as Error).message).trim();
    throw new ProvisioningError(
      `PostgreSQL did not start: ${output}${log ? `\n${log.trim().split('\n').slice(-10).join('\n')}` : ''}`,
    );
  }
}
