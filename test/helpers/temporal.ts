import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import {
  bundleWorkflowCode,
  DefaultLogger,
  NativeConnection,
  Runtime,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { pino, type Logger } from 'pino';
import { expect, inject } from 'vitest';
import { stringify } from 'yaml';
import { reportKey, type ReportKeys } from '../../activities/report-signing.js';
import { parseConfig } from '../../config/load.js';
import type { RepositoryInput } from '../../config/schema.js';
import type { ShipgateConfig } from '../../config/types.js';
import { createWorkers, runWorkers } from '../../worker/create-workers.js';
import { workflowInterceptorModules, workflowsPath } from '../../worker/workflows-path.js';
import { releaseWorkflow } from '../../workflows/release.js';
import type { ReleaseInput } from '../../vocabulary/messages.js';

/** The key test workers and test apps share, as every worker and API of one service must. */
export const TEST_REPORT_KEYS: ReportKeys = {
  current: reportKey(randomUUID().replaceAll('-', ''), 'the tests'),
  previous: [],
};

let bundle: Promise<WorkflowBundleWithSourceMap> | null = null;
let runtimeInstalled = false;

function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: workflowsPath(),
    workflowInterceptorModules: workflowInterceptorModules(),
    logger: new DefaultLogger('WARN'),
  });
  return bundle;
}

/** A configuration as the service would load it from YAML, with a fresh data folder. */
export async function testConfig(repositories: RepositoryInput[]): Promise<ShipgateConfig> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'shipgate-data-'));
  return parseConfig(stringify({ dataDir, repositories }), { file: null, cwd: dataDir, env: {} });
}

export interface TestWorker {
  client: Client;
  taskQueue: string;
  config: ShipgateConfig;
  stop(): Promise<void>;
}

/** A real worker on its own task queue against the shared dev server. */
/** `taskQueue`: another worker's, so that both serve one shared queue, as workers on separate hosts do. */
export async function startTestWorker(
  config: ShipgateConfig,
  options: { workerId?: string; reportKeys?: ReportKeys; taskQueue?: string; logger?: Logger } = {},
): Promise<TestWorker> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    runtimeInstalled = true;
  }
  const address = inject('temporalAddress');
  const taskQueue = options.taskQueue ?? `test-${randomUUID()}`;
  const scoped: ShipgateConfig = { ...config, temporal: { ...config.temporal, address, taskQueue } };
  const nativeConnection = await NativeConnection.connect({ address });
  const workers = await createWorkers({
    connection: nativeConnection,
    config: scoped,
    logger: options.logger ?? pino({ level: 'warn' }),
    workerId: options.workerId ?? 'test-worker',
    reportKeys: options.reportKeys ?? TEST_REPORT_KEYS,
    taskQueue,
    workflowBundle: await workflowBundle(),
    shutdownGraceMs: 1_000,
  });
  const running = runWorkers(workers);
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: scoped.temporal.namespace });
  return {
    client,
    taskQueue,
    config: scoped,
    async stop() {
      for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection.close();
      await nativeConnection.close();
    },
  };
}

/** How often each activity of a run was attempted (its last attempt), read from the run's history. */
export async function activityAttempts(handle: WorkflowHandle): Promise<Record<string, number>> {
  const events = (await handle.fetchHistory()).events ?? [];
  const names = new Map(
    events
      .filter((e) => e.activityTaskScheduledEventAttributes)
      .map((e) => [String(e.eventId), e.activityTaskScheduledEventAttributes!.activityType!.name!]),
  );
  const attempts: Record<string, number> = {};
  for (const e of events) {
    const started = e.activityTaskStartedEventAttributes;
    if (started) attempts[names.get(String(started.scheduledEventId))!] = started.attempt ?? 1;
  }
  return attempts;
}

/** A release run on the test worker under a fresh workflow ID, to its result. */
export async function runRelease(worker: TestWorker, input: ReleaseInput) {
  const handle = await worker.client.workflow.start(releaseWorkflow, {
    taskQueue: worker.taskQueue,
    workflowId: `release:${input.repoId}:${Math.random().toString(36).slice(2)}`,
    args: [input],
  });
  return { handle, result: await handle.result() };
}

/**
 * A release run that must fail: its failure's type and message, how often each activity was
 * attempted, and which activities were scheduled, in order.
 */
export async function failedReleaseRun(worker: TestWorker, input: ReleaseInput) {
  const handle = await worker.client.workflow.start(releaseWorkflow, {
    taskQueue: worker.taskQueue,
    workflowId: `release:${input.repoId}:${Math.random().toString(36).slice(2)}`,
    args: [input],
  });
  const error = await handle.result().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(WorkflowFailedError);
  const cause = (error as WorkflowFailedError).cause?.cause as (Error & { type?: string }) | undefined;
  const attempts = await activityAttempts(handle);
  const events = (await handle.fetchHistory()).events ?? [];
  const activities = events.flatMap((e) =>
    e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes.activityType!.name!] : [],
  );
  return { type: cause?.type, message: cause?.message ?? '', attempts, activities };
}

/** A client of the shared dev server for a whole test file; closing its connection joins `cleanups`. */
export async function sharedServerClient(cleanups: (() => Promise<unknown>)[]): Promise<Client> {
  const connection = await Connection.connect({ address: inject('temporalAddress') });
  cleanups.push(() => connection.close());
  return new Client({ connection });
}
