import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { stringify } from 'yaml';
import { ConfigError, DEFAULT_CONFIG_FILE, loadConfigFile } from '../config/load.js';
import { startDevServer, type RunningDevServer } from '../devserver/dev-server.js';
import { ProvisioningError, provisionTemporalCli } from '../devserver/temporal-cli.js';
import { ensureSample } from '../sample/create-sample.js';
import { formatLogLine } from './log-lines.js';
import { registerSearchAttributes } from './search-attributes.js';

const dist = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const say = (line: string) => process.stdout.write(`shipgate: ${line}\n`);

/**
 * The one command that brings up everything: the embedded Temporal dev server (unless
 * TEMPORAL_ADDRESS names a cluster), the worker and the API; Ctrl-C stops them all.
 */
async function main(): Promise<number> {
  const configFile = await configFileOrSample();
  const config = await loadConfigFile({ file: configFile });
  const token = process.env.SHIPGATE_API_TOKEN || randomBytes(24).toString('base64url');
  // The demo and the CLI on this machine read it from here; only this user may.
  await mkdir(config.dataDir, { recursive: true });
  await writeFile(path.join(config.dataDir, '.api-token'), `${token}\n`, { mode: 0o600 });

  let server: RunningDevServer | null = null;
  let address = config.temporal.address;
  if (!address) {
    const executable = await provisionTemporalCli({ log: say });
    server = await startDevServer({
      executable,
      port: config.temporal.port,
      ui: true,
      uiPort: config.temporal.uiPort,
      namespace: config.temporal.namespace,
      dbFile: path.join(config.dataDir, 'temporal', 'dev.sqlite'),
      logFile: path.join(config.dataDir, 'logs', 'temporal.log'),
    });
    address = server.address;
    say(`Temporal dev server on ${address}; runs are kept in ${path.join(config.dataDir, 'temporal', 'dev.sqlite')}`);
  } else {
    await registerSearchAttributes(address, config.temporal.namespace);
    say(`using the Temporal cluster at ${address}`);
  }

  const env = { ...process.env, SHIPGATE_CONFIG: configFile, TEMPORAL_ADDRESS: address, SHIPGATE_API_TOKEN: token };
  const children: ChildProcess[] = [];
  let stopping = false;
  const stopAll = async (code: number): Promise<number> => {
    if (stopping) return code;
    stopping = true;
    say('stopping…');
    await Promise.all(children.map((child) => stopChild(child)));
    await server?.stop();
    say('stopped');
    return code;
  };
  const exited = new Promise<number>((resolve) => {
    const start = (name: string, script: string) => {
      const child = spawn(process.execPath, [path.join(dist, script)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      for (const stream of [child.stdout, child.stderr]) {
        if (stream)
          createInterface({ input: stream }).on('line', (line) =>
            process.stdout.write(`${formatLogLine(line, name.toLowerCase())}\n`),
          );
      }
      child.once('exit', (code, signal) => {
        if (stopping) return;
        say(`the ${name} stopped unexpectedly (${code ?? signal}); stopping everything`);
        void stopAll(1).then(resolve);
      });
      children.push(child);
    };
    start('worker', 'worker/main.js');
    start('API', 'api/server.js');
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stopAll(0).then(resolve));
  });

  const ready = await Promise.race([
    waitUntilReady(
      address,
      config.temporal.namespace,
      config.temporal.taskQueue,
      `http://${config.api.host}:${config.api.port}/healthz`,
    ),
    exited.then(() => false),
  ]);
  if (ready) {
    say('ready');
    if (server?.uiUrl) say(`Temporal Web UI   ${server.uiUrl}/namespaces/${config.temporal.namespace}/workflows`);
    say(`API               http://${config.api.host}:${config.api.port}  (docs: /docs)`);
    say(
      process.env.SHIPGATE_API_TOKEN
        ? 'API token         from SHIPGATE_API_TOKEN'
        : `API token         ${token}  (set SHIPGATE_API_TOKEN to choose your own)`,
    );
    say(`repositories      ${config.repositories.map((r) => r.id).join(', ') || '(none)'}  from ${configFile}`);
    say('press Ctrl-C to stop');
  }
  return exited;
}

async function configFileOrSample(): Promise<string> {
  const chosen = process.env.SHIPGATE_CONFIG ?? DEFAULT_CONFIG_FILE;
  if (existsSync(chosen)) return path.resolve(chosen);
  if (process.env.SHIPGATE_CONFIG)
    throw new ConfigError(`${chosen}: the configuration file named by SHIPGATE_CONFIG does not exist.`);
  const dataDir = path.resolve(process.env.SHIPGATE_DATA_DIR ?? 'data');
  const sample = await ensureSample({
    root: path.join(dataDir, 'sample'),
    port: Number(process.env.SHIPGATE_SAMPLE_PORT ?? 4480),
  });
  const file = path.join(dataDir, 'sample', 'shipgate.sample.yaml');
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(
    file,
    `# Written by npm start because there is no ${DEFAULT_CONFIG_FILE}.\n${stringify({ dataDir, repositories: [sample.settings] })}`,
  );
  say(`no ${DEFAULT_CONFIG_FILE} here: using the sample repository "sample" (${sample.dir})`);
  return file;
}

async function waitUntilReady(
  address: string,
  namespace: string,
  taskQueue: string,
  healthUrl: string,
): Promise<boolean> {
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace });
  try {
    for (let i = 0; i < 600; i += 1) {
      const [polling, api] = await Promise.all([
        client.workflowService.describeTaskQueue({ namespace, taskQueue: { name: taskQueue }, taskQueueType: 1 }).then(
          (r) => (r.pollers?.length ?? 0) > 0,
          () => false,
        ),
        fetch(healthUrl, { signal: AbortSignal.timeout(1_000) }).then(
          (r) => r.ok,
          () => false,
        ),
      ]);
      if (polling && api) return true;
      await sleep(200);
    }
    return false;
  } finally {
    await connection.close();
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  if (!(await Promise.race([exited.then(() => true), sleep(15_000).then(() => false)]))) {
    child.kill('SIGKILL');
    await exited;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const known = error instanceof ConfigError || error instanceof ProvisioningError;
    process.stderr.write(`shipgate: ${known ? error.message : ((error as Error).stack ?? String(error))}\n`);
    process.exit(1);
  },
);
