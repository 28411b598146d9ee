import { Client } from '@temporalio/client';
import { startReleaseRun } from '../client/starts.js';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createActivities } from '../activities/index.js';
import { pinnedQueue } from '../activities/deps.js';
import type { ReportKeys } from '../activities/report-signing.js';
import { workerIdentity, workerInstance } from './identity.js';
import { heartbeatWhileRunning, killAfterActivity, logActivities } from './interceptors.js';
import { workflowInterceptorModules } from './workflows-path.js';
import type { ShipgateConfig } from '../config/types.js';

export interface WorkerSetup {
  connection: NativeConnection;
  config: ShipgateConfig;
  logger: Logger;
  /** Stable across restarts of the same worker, so pinned runs find it again. */
  workerId: string;
  /** Names the data folder (`workerInstance`); read from `<dataDir>/worker-instance` when left out. */
  instance?: string;
  /** Loaded once at start (`loadReportKeys`); every worker and the API must hold the same key. */
  reportKeys: ReportKeys;
  /** Overrides the configured task queue (tests use one each). */
  taskQueue?: string;
  /** Pre-bundled workflow code, or the path of the workflows module. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  workflowsPath?: string;
  /** Milliseconds a shutting-down worker lets running activities finish. */
  shutdownGraceMs?: number;
}

/**
 * Three workers in one process: one on the shared queue (workflows, and the activity that pins a
 * run), one on this machine's own queue (every activity that touches a working copy), named by
 * worker ID and data folder, and one on the worker ID's queue of old, where runs pinned before
 * data folders had names still finish (and where a second live host of one ID shows itself).
 */
export async function createWorkers(setup: WorkerSetup): Promise<Worker[]> {
  const taskQueue = setup.taskQueue ?? setup.config.temporal.taskQueue;
  const instance = setup.instance ?? (await workerInstance(setup.config.dataDir));
  const client = new Client({ connection: setup.connection, namespace: setup.config.temporal.namespace });
  const activities = createActivities({
    config: setup.config,
    workerId: setup.workerId,
    instance,
    taskQueue,
    logger: setup.logger,
    client,
    reportKeys: setup.reportKeys,
    startRelease: (input) => startReleaseRun({ client, taskQueue }, input),
  });
  const faults = killAfterActivity(process.env.SHIPGATE_FAULT_KILL_AFTER);
  const common = {
    connection: setup.connection,
    interceptors: { activity: [logActivities(setup.logger), heartbeatWhileRunning, ...(faults ? [faults] : [])] },
    namespace: setup.config.temporal.namespace,
    shutdownGraceTime: setup.shutdownGraceMs ?? 10_000,
    identity: workerIdentity(setup.workerId, instance),
  };
  const shared = await Worker.create({
    ...common,
    taskQueue,
    activities,
    // A bundle has its interceptors built in (bundleWorkflowCode's workflowInterceptorModules).
    ...(setup.workflowBundle
      ? { workflowBundle: setup.workflowBundle }
      : {
          workflowsPath: setup.workflowsPath,
          interceptors: { ...common.interceptors, workflowModules: workflowInterceptorModules() },
        }),
  });
  const pinned = await Worker.create({
    ...common,
    taskQueue: pinnedQueue(taskQueue, setup.workerId, instance),
    activities,
  });
  const legacy = await Worker.create({
    ...common,
    taskQueue: pinnedQueue(taskQueue, setup.workerId),
    activities,
  });
  return [shared, pinned, legacy];
}

/** Runs the workers until one fails or all are shut down; a failure stops the others too. */
export async function runWorkers(workers: Worker[]): Promise<void> {
  try {
    await Promise.all(workers.map((worker) => worker.run()));
  } catch (error) {
    for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
    throw error;
  }
}
