import os from 'node:os';
import { Client } from '@temporalio/client';
import { NativeConnection, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import { loadReportKeys } from '../activities/report-signing.js';
import { loadConfigFile } from '../config/load.js';
import { createLogger, temporalLogger } from './logger.js';
import { createWorkers, runWorkers } from './create-workers.js';
import { lockDataDir, refuseDuplicateWorker, workerInstance, WorkerInUseError } from './identity.js';
import { reconcileSchedules } from './schedules.js';
import { workflowsPath } from './workflows-path.js';

const logger = createLogger('shipgate-worker');

async function main(): Promise<void> {
  const metrics = process.env.SHIPGATE_METRICS_ADDRESS;
  Runtime.install({
    logger: temporalLogger(logger),
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'WARN' }) },
      // Prometheus scrapes the worker's Temporal metrics (task latencies, slots, polls) here.
      ...(metrics ? { metrics: { prometheus: { bindAddress: metrics } } } : {}),
    },
  });
  const config = await loadConfigFile();
  const reportKeys = await loadReportKeys(config);
  const address = config.temporal.address ?? `127.0.0.1:${config.temporal.port}`;
  const connection = await NativeConnection.connect({ address });
  const workerId = process.env.SHIPGATE_WORKER_ID || os.hostname();
  const client = new Client({ connection, namespace: config.temporal.namespace });
  // One worker per data folder and one live host per worker ID: either shared, releases break.
  const unlock = await lockDataDir(config.dataDir, workerId);
  const instance = await workerInstance(config.dataDir);
  await refuseDuplicateWorker(client, {
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    workerId,
    instance,
  }).catch(async (error: unknown) => {
    await unlock();
    throw error;
  });
  const workers = await createWorkers({
    connection,
    config,
    logger,
    workerId,
    instance,
    reportKeys,
    workflowsPath: workflowsPath(),
  });
  const schedules = await reconcileSchedules(client, config, config.temporal.taskQueue, logger);
  logger.info(
    {
      address,
      taskQueue: config.temporal.taskQueue,
      workerId,
      instance,
      reportKeyId: reportKeys.current.id,
      schedules: schedules.kept,
      metrics: metrics ? `http://${metrics}/metrics` : null,
    },
    'worker polling',
  );
  try {
    await runWorkers(workers);
  } finally {
    await unlock();
    await connection.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    // A refused start is the operator's to fix, and says how in one line.
    if (error instanceof WorkerInUseError) logger.fatal(`shipgate-worker refused to start: ${error.message}`);
    else logger.fatal({ err: error }, 'worker stopped on a fatal error');
    process.exit(1);
  },
);
