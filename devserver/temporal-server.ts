import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { access, chmod, cp, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { SEARCH_ATTRIBUTE_NAMES } from '../vocabulary/search-attributes.js';
import { startPostgres, type PostgresBinaries, type RunningPostgres } from './postgres.js';
import {
  isExecutable,
  lockBuildDir,
  onPath,
  ProvisioningError,
  shipgateCacheRoot,
  type ProvisionOptions,
} from './temporal-cli.js';

/** The server version docker-compose.yml runs too (its test holds the two equal). */
export const TEMPORAL_SERVER_VERSION = '1.29.1';
const MODULE = `go.temporal.io/server@v${TEMPORAL_SERVER_VERSION}`;
const PACKAGES = [
  `go.temporal.io/server/cmd/server@v${TEMPORAL_SERVER_VERSION}`,
  `go.temporal.io/server/cmd/tools/sql@v${TEMPORAL_SERVER_VERSION}`,
];
/** The server's SQL plugin for PostgreSQL 12 and newer, and the schema folder that goes with it. */
const SQL_PLUGIN = 'postgres12';
const SCHEMA = path.join('schema', 'postgresql', 'v12');

export interface ServerBinaries {
  server: string;
  sql: string;
  /** `schema/postgresql/v12` of the server's module: `temporal/versioned` and `visibility/versioned`. */
  schemaDir: string;
}

export function serverCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(shipgateCacheRoot(env), 'temporal-server', TEMPORAL_SERVER_VERSION);
}

function cached(env: NodeJS.ProcessEnv): ServerBinaries {
  const dir = serverCacheDir(env);
  return {
    server: path.join(dir, 'bin', 'server'),
    sql: path.join(dir, 'bin', 'sql'),
    schemaDir: path.join(dir, SCHEMA),
  };
}

async function complete(binaries: ServerBinaries): Promise<boolean> {
  return (
    (await isExecutable(binaries.server)) &&
    (await isExecutable(binaries.sql)) &&
    (await access(path.join(binaries.schemaDir, 'visibility', 'versioned')).then(
      () => true,
      () => false,
    ))
  );
}

/** The cached server, SQL tool and schemas, if all three are there; builds nothing. */
export async function locateTemporalServer(env: NodeJS.ProcessEnv = process.env): Promise<ServerBinaries | null> {
  const binaries = cached(env);
  return (await complete(binaries)) ? binaries : null;
}

/**
 * The Temporal server and its SQL tool, built once with Go into the cache, with the PostgreSQL
 * schemas copied beside them from the module, so the cache alone is enough afterwards.
 */
export async function provisionTemporalServer(options: ProvisionOptions = {}): Promise<ServerBinaries> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const found = await locateTemporalServer(env);
  if (found) return found;
  const go = await onPath('go', env);
  if (!go) {
    const binaries = cached(env);
    const what =
      (await isExecutable(binaries.server)) && (await isExecutable(binaries.sql))
        ? `The PostgreSQL schemas of the Temporal server ${TEMPORAL_SERVER_VERSION} are not in ${binaries.schemaDir}, ` +
          `and there is no Go toolchain to fetch them`
        : `The Temporal server ${TEMPORAL_SERVER_VERSION} is not in ${serverCacheDir(env)}, ` +
          `and there is no Go toolchain to build it`;
    throw new ProvisioningError(
      `${what}. Install Go (1.22 or newer), or use docker-compose.yml where a Docker engine is available.`,
    );
  }
  const dir = serverCacheDir(env);
  await mkdir(dir, { recursive: true });
  // The provision script and a test run may start at once: one builds, the other waits and finds it.
  const release = await lockBuildDir(dir);
  try {
    const binaries = cached(env);
    if (await complete(binaries)) return binaries;
    const goEnv = { ...env, GOFLAGS: '-mod=mod', GO111MODULE: 'on' };
    if (!(await isExecutable(binaries.server)) || !(await isExecutable(binaries.sql))) {
      const staging = path.join(dir, `.build-${process.pid}`);
      await rm(staging, { recursive: true, force: true });
      await mkdir(staging, { recursive: true });
      log(
        `shipgate: building the Temporal server ${TEMPORAL_SERVER_VERSION} and its SQL tool with Go into ${dir} ` +
          `(first time only; about 3 minutes on 2 cores)…`,
      );
      const started = Date.now();
      const ticker = setInterval(
        () => log(`shipgate: still building the Temporal server (${Math.round((Date.now() - started) / 1000)}s)…`),
        30_000,
      );
      try {
        await execa(go, ['install', ...PACKAGES], { env: { ...goEnv, GOBIN: staging }, stdin: 'ignore', all: true });
      } catch (error) {
        throw new ProvisioningError(
          `Building the Temporal server with \`go install ${PACKAGES.join(' ')}\` failed:\n${tailOf(error, 15)}`,
        );
      } finally {
        clearInterval(ticker);
      }
      await mkdir(path.dirname(binaries.server), { recursive: true });
      for (const name of ['server', 'sql'] as const) {
        await chmod(path.join(staging, name), 0o755);
        // rename is atomic within one file system, so a reader never sees half a binary.
        await rename(path.join(staging, name), binaries[name]);
      }
      await rm(staging, { recursive: true, force: true });
      log(`shipgate: Temporal server built in ${Math.round((Date.now() - started) / 1000)}s: ${binaries.server}`);
    }
    let moduleDir: string;
    try {
      moduleDir = (
        JSON.parse(
          (await execa(go, ['mod', 'download', '-json', MODULE], { env: goEnv, stdin: 'ignore', cwd: os.tmpdir() }))
            .stdout,
        ) as { Dir: string }
      ).Dir;
    } catch (error) {
      throw new ProvisioningError(
        `Finding the PostgreSQL schemas of ${MODULE} with \`go mod download\` failed:\n${tailOf(error, 10)}`,
      );
    }
    const staging = `${binaries.schemaDir}.staging-${process.pid}`;
    await rm(staging, { recursive: true, force: true });
    await cp(path.join(moduleDir, SCHEMA), staging, { recursive: true });
    // The module cache is read-only; the copy must stay removable.
    await execa('chmod', ['-R', 'u+w', staging]);
    await rm(binaries.schemaDir, { recursive: true, force: true });
    await rename(staging, binaries.schemaDir);
    return binaries;
  } finally {
    await release();
  }
}

function tailOf(error: unknown, lines: number): string {
  return String(
    (error as { all?: string; stderr?: string }).all ??
      (error as { stderr?: string }).stderr ??
      (error as Error).message,
  )
    .trim()
    .split('\n')
    .slice(-lines)
    .join('\n');
}

export interface ClusterOptions {
  server: ServerBinaries;
  postgres: PostgresBinaries;
  namespace?: string;
  /** The frontend's gRPC port; 0 or omitted picks a free one. */
  port?: number;
  readyTimeoutMs?: number;
}

export interface RunningCluster {
  /** The frontend, host:port, as TEMPORAL_ADDRESS takes it. */
  address: string;
  namespace: string;
  /** The temp folders the cluster owns (the server's configuration and log, PostgreSQL's data); `stop` removes them. */
  folders: string[];
  /** The server process; it changes with every restart. */
  pid(): number | null;
  /** Stops the server and then PostgreSQL, and removes every file they had. */
  stop(): Promise<void>;
  /** Stops the server process and starts it again on the same ports and the same database. */
  restart(): Promise<void>;
}

/** A port nobody listens on below 32768: the server stores membership ports as smallint. */
async function lowPort(taken: Set<number>): Promise<number> {
  for (let tries = 0; tries < 200; tries += 1) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (taken.has(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const probe = net.createServer();
      probe.once('error', () => resolve(false));
      probe.listen({ host: '127.0.0.1', port, exclusive: true }, () => probe.close(() => resolve(true)));
    });
    if (free) {
      taken.add(port);
      return port;
    }
  }
  throw new ProvisioningError('found no free port between 20000 and 32000 on 127.0.0.1 for the Temporal server');
}

type Ports = Record<
  | 'frontend'
  | 'frontendHttp'
  | 'frontendMembership'
  | 'history'
  | 'historyMembership'
  | 'matching'
  | 'matchingMembership'
  | 'worker'
  | 'workerMembership',
  number
>;

async function pickPorts(frontend: number | undefined): Promise<Ports> {
  const taken = new Set<number>(frontend ? [frontend] : []);
  const next = () => lowPort(taken);
  return {
    frontend: frontend || (await next()),
    frontendHttp: await next(),
    frontendMembership: await next(),
    history: await next(),
    historyMembership: await next(),
    matching: await next(),
    matchingMembership: await next(),
    worker: await next(),
    workerMembership: await next(),
  };
}

/** The server's static configuration: both stores on the one PostgreSQL, every port on loopback. */
function serverConfig(db: RunningPostgres, ports: Ports, dynamicConfig: string): Record<string, unknown> {
  const store = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: SQL_PLUGIN,
      databaseName,
      connectAddr: `${db.host}:${db.port}`,
      connectProtocol: 'tcp',
      user: db.user,
      password: '',
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const service = (grpcPort: number, membershipPort: number, extra: Record<string, unknown> = {}) => ({
    rpc: { grpcPort, membershipPort, bindOnLocalHost: true, ...extra },
  });
  return {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'default',
      visibilityStore: 'visibility',
      numHistoryShards: 4,
      datastores: { default: store('temporal', 20), visibility: store('temporal_visibility', 4) },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' } },
    services: {
      frontend: service(ports.frontend, ports.frontendMembership, { httpPort: ports.frontendHttp }),
      history: service(ports.history, ports.historyMembership),
      matching: service(ports.matching, ports.matchingMembership),
      worker: service(ports.worker, ports.workerMembership),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: `127.0.0.1:${ports.frontend}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    // The server reads this path from its working directory unless it is absolute.
    dynamicConfigClient: { filepath: dynamicConfig, pollInterval: '10s' },
  };
}

/**
 * Creates `temporal` and `temporal_visibility` and brings both to the schema version this server
 * expects, with the server's own SQL tool, as an operator installing it would.
 */
async function setUpDatabases(server: ServerBinaries, db: RunningPostgres): Promise<void> {
  const base = ['--plugin', SQL_PLUGIN, '--ep', db.host, '-p', String(db.port), '-u', db.user];
  for (const [database, schema] of [
    ['temporal', 'temporal'],
    ['temporal_visibility', 'visibility'],
  ] as const) {
    const sql = (...args: string[]) =>
      execa(server.sql, [...base, '--db', database, ...args], { stdin: 'ignore', all: true });
    try {
      await sql('create-database');
      await sql('setup-schema', '-v', '0.0');
      await sql('update-schema', '-d', path.join(server.schemaDir, schema, 'versioned'));
    } catch (error) {
      throw new ProvisioningError(`Setting up the ${database} database failed:\n${tailOf(error, 10)}`);
    }
  }
}

/**
 * A Temporal server on PostgreSQL as production runs it (four services in one process, SQL
 * persistence and visibility), with the namespace and shipgate's search attributes in place.
 */
export async function startTemporalCluster(options: ClusterOptions): Promise<RunningCluster> {
  const namespace = options.namespace ?? 'default';
  const readyTimeoutMs = options.readyTimeoutMs ?? 90_000;
  const root = await mkdtemp(path.join(os.tmpdir(), 'shipgate-temporal-'));
  let db: RunningPostgres | null = null;
  let child: ChildProcess | null = null;
  const stopAll = async () => {
    if (child) await stopServer(child);
    child = null;
    await db?.stop();
    db = null;
    await rm(root, { recursive: true, force: true });
  };
  try {
    db = await startPostgres(options.postgres);
    await setUpDatabases(options.server, db);
    const ports = await pickPorts(options.port);
    const dynamicConfig = path.join(root, 'dynamicconfig.yaml');
    // Search attributes registered a moment ago are usable at once, as on the dev server.
    await writeFile(
      dynamicConfig,
      stringify({ 'system.forceSearchAttributesCacheRefreshOnRead': [{ value: true, constraints: {} }] }),
    );
    await mkdir(path.join(root, 'config'));
    await writeFile(path.join(root, 'config', 'shipgate.yaml'), stringify(serverConfig(db, ports, dynamicConfig)));
    const address = `127.0.0.1:${ports.frontend}`;
    const logFile = path.join(root, 'server.log');
    const launch = async () => {
      child = spawnServer(options.server.server, root, logFile);
      await waitUntilServing(child, address, readyTimeoutMs, logFile);
    };
    await launch();
    await createNamespace(address, namespace, readyTimeoutMs);
    await registerSearchAttributesOn(address, namespace, readyTimeoutMs);
    return {
      address,
      namespace,
      folders: [root, db.dir],
      pid: () => child?.pid ?? null,
      stop: stopAll,
      async restart() {
        if (child) await stopServer(child);
        await launch();
        await waitForNamespace(address, namespace, readyTimeoutMs);
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function spawnServer(executable: string, root: string, logFile: string): ChildProcess {
  // Straight into the file: no pipe of ours outlives the process or slows it when it logs a lot.
  const log = openSync(logFile, 'a');
  try {
    return spawn(executable, ['--root', root, '--config', 'config', '--env', 'shipgate', '--allow-no-auth', 'start'], {
      cwd: root,
      stdio: ['ignore', log, log],
    });
  } finally {
    closeSync(log);
  }
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  if (!(await Promise.race([exited.then(() => true), sleep(20_000).then(() => false)]))) {
    child.kill('SIGKILL');
    await exited;
  }
}

async function logTail(logFile: string): Promise<string> {
  return (await readFile(logFile, 'utf8').catch(() => '')).trim().split('\n').slice(-15).join('\n');
}

async function withConnection<T>(address: string, call: (connection: Connection) => Promise<T>): Promise<T> {
  const connection = await Connection.connect({ address, connectTimeout: 1_000 });
  try {
    return await call(connection);
  } finally {
    await connection.close();
  }
}

/** Calls `probe` until it resolves; its last error goes into the ProvisioningError. */
async function retrying<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T>,
  alive: () => string | null = () => null,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'not answering yet';
  while (Date.now() < deadline) {
    const dead = alive();
    if (dead) throw new ProvisioningError(dead);
    try {
      return await probe();
    } catch (error) {
      lastError = (error as Error).message;
    }
    await sleep(500);
  }
  throw new ProvisioningError(`${what} within ${Math.round(timeoutMs / 1000)}s (${lastError})`);
}

async function waitUntilServing(
  child: ChildProcess,
  address: string,
  timeoutMs: number,
  logFile: string,
): Promise<void> {
  let exited: string | null = null;
  child.once('exit', (code, signal) => {
    exited = `The Temporal server exited (${code ?? signal}) while starting`;
  });
  try {
    await retrying(
      `The Temporal server did not answer on ${address}`,
      timeoutMs,
      () => withConnection(address, (c) => c.workflowService.describeNamespace({ namespace: 'temporal-system' })),
      () => exited,
    );
  } catch (error) {
    await stopServer(child);
    throw new ProvisioningError(`${(error as Error).message}:\n${await logTail(logFile)}`);
  }
}

async function createNamespace(address: string, namespace: string, timeoutMs: number): Promise<void> {
  await withConnection(address, async (connection) => {
    try {
      await connection.workflowService.registerNamespace({
        namespace,
        workflowExecutionRetentionPeriod: msToTs('3 days'),
      });
    } catch (error) {
      // Registered before (a restart on the same database): nothing to do.
      if (!/already exists|already registered/i.test((error as Error).message)) throw error;
    }
  });
  await waitForNamespace(address, namespace, timeoutMs);
}

/** The frontend caches namespaces: a new one is usable only once a list call on it succeeds. */
async function waitForNamespace(address: string, namespace: string, timeoutMs: number): Promise<void> {
  await retrying(`Namespace ${namespace} was not usable on ${address}`, timeoutMs, () =>
    withConnection(address, (c) => c.workflowService.listWorkflowExecutions({ namespace, pageSize: 1 })),
  );
}

const KEYWORD = 2;

async function registerSearchAttributesOn(address: string, namespace: string, timeoutMs: number): Promise<void> {
  await withConnection(address, async (connection) => {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    const missing = SEARCH_ATTRIBUTE_NAMES.filter((name) => !(name in (existing.customAttributes ?? {})));
    if (missing.length > 0) {
      await connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(missing.map((name) => [name, KEYWORD])),
      });
    }
  });
  await retrying(`shipgate's search attributes did not appear on ${address}`, timeoutMs, () =>
    withConnection(address, async (c) => {
      const listed = await c.operatorService.listSearchAttributes({ namespace });
      const absent = SEARCH_ATTRIBUTE_NAMES.filter((name) => !(name in (listed.customAttributes ?? {})));
      if (absent.length > 0) throw new Error(`still missing ${absent.join(', ')}`);
    }),
  );
}
