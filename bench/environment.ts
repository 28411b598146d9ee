import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import {
  bundleWorkflowCode,
  DefaultLogger,
  makeTelemetryFilterString,
  NativeConnection,
  Runtime,
  type Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { parseConfig } from '../config/load.js';
import type { RepositoryInput } from '../config/schema.js';
import type { ShipgateConfig } from '../config/types.js';
import { startDevServer, type RunningDevServer } from '../devserver/dev-server.js';
import { provisionTemporalCli, type CliExecutable } from '../devserver/temporal-cli.js';
import { loadReportKeys } from '../activities/report-signing.js';
import { createWorkers, runWorkers } from '../worker/create-workers.js';
import { workflowsPath } from '../worker/workflows-path.js';

/** The embedded dev server and a client of it, shared by the benchmarks that need Temporal. */
export interface TemporalEnvironment {
  executable: CliExecutable;
  address: string;
  client: Client;
  stop(): Promise<void>;
}

let runtimeInstalled = false;

export async function startTemporal(log: (line: string) => void): Promise<TemporalEnvironment> {
  const executable = await provisionTemporalCli({ log });
  const server: RunningDevServer = await startDevServer({ executable, port: 0, ui: false });
  const connection = await Connection.connect({ address: server.address });
  return {
    executable,
    address: server.address,
    client: new Client({ connection, namespace: 'default' }),
    async stop() {
      await connection.close();
      await server.stop();
    },
  };
}

/** A configuration as the service would load it from YAML, with its data folder under `root`. */
export function benchConfig(
  root: string,
  address: string,
  taskQueue: string,
  repositories: RepositoryInput[],
): ShipgateConfig {
  const text = stringify({ dataDir: path.join(root, 'data'), temporal: { address, taskQueue }, repositories });
  return parseConfig(text, { file: null, cwd: root, env: {} });
}

export interface InProcessWorker {
  stop(): Promise<void>;
}

/** The service's own worker pair (`createWorkers`) in this process, on the configured task queue. */
export async function startInProcessWorker(
  config: ShipgateConfig,
  address: string,
  workerId: string,
): Promise<InProcessWorker> {
  if (!runtimeInstalled) {
    Runtime.install({
      logger: new DefaultLogger('WARN'),
      telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }) } },
    });
    runtimeInstalled = true;
  }
  const bundle: WorkflowBundleWithSourceMap = await bundleWorkflowCode({
    workflowsPath: workflowsPath(),
    logger: new DefaultLogger('WARN'),
  });
  const connection = await NativeConnection.connect({ address });
  const workers: Worker[] = await createWorkers({
    connection,
    config,
    logger: pino({ level: 'warn' }),
    workerId,
    reportKeys: await loadReportKeys(config),
    workflowBundle: bundle,
    shutdownGraceMs: 1_000,
  });
  const running = runWorkers(workers);
  return {
    async stop() {
      for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection.close();
    },
  };
}

/** A temp folder that is removed however the benchmark ends. */
export async function tempRoot(prefix: string): Promise<{ root: string; remove(): Promise<void> }> {
  const root = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { root, remove: () => rm(root, { recursive: true, force: true }) };
}
