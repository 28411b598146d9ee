import { randomBytes, randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ShipgateConfig } from '../../../config/types.js';
import { decisionUpdate, deployStateQuery, releaseStateQuery, type DeployState } from '../../../vocabulary/messages.js';
import { pinnedQueue } from '../../../activities/deps.js';
import { deployWorkflow } from '../../../workflows/deploy.js';
import { releaseWorkflow } from '../../../workflows/release.js';
import { pollUntil } from '../../helpers/api.js';
import { runCleanups } from '../../helpers/processes.js';
import { createSampleService, type SampleService } from '../../helpers/sample-service.js';
import { activityAttempts, startTestWorker, testConfig, type TestWorker } from '../../helpers/temporal.js';

/**
 * Two workers on one shared queue, each with its own data folder as on separate hosts. The
 * deployment is pinned to the first, which is then stopped for good while a decision is awaited.
 */
const run = randomBytes(3).toString('hex');
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  await runCleanups(cleanups);
});

/** A short heartbeat timeout: a pinned queue not served for 15 s (the floor) counts as a lost worker. */
async function hostConfig(services: SampleService[]): Promise<ShipgateConfig> {
  const config = await testConfig(services.map((s) => s.settings));
  return { ...config, temporal: { ...config.temporal, heartbeatTimeoutMs: 3_000 } };
}

async function worker(config: ShipgateConfig, workerId: string, taskQueue?: string): Promise<TestWorker> {
  const started = await startTestWorker(config, { workerId, ...(taskQueue ? { taskQueue } : {}) });
  cleanups.push(() => started.stop());
  return started;
}

async function awaitingDecision(w: TestWorker, repoId: string): Promise<DeployState> {
  return pollUntil(
    () =>
      w.client.workflow
        .getHandle(`deploy:${repoId}:production`)
        .query(deployStateQuery)
        .catch(() => null),
    (s) => s?.awaitingDecision === true,
    120_000,
  ) as Promise<DeployState>;
}

/** Releases the sample on worker A with its deploy command failing; A is lost once a decision is awaited, B lives on. */
async function loseWorkerWhileAwaiting(service: SampleService) {
  const repoId = service.settings.id;
  await service.fault('fail-deploy');
  const a = await worker(await hostConfig([service]), `lost-a-${run}`);
  const started = await a.client.workflow.start(releaseWorkflow, {
    taskQueue: a.taskQueue,
    workflowId: `release:${repoId}:${randomUUID().slice(0, 8)}`,
    args: [{ repoId }],
  });
  await awaitingDecision(a, repoId);
  const bConfig = await hostConfig([service]);
  const b = await worker(bConfig, `live-b-${run}`, a.taskQueue);
  await a.stop();
  // A's client closed with it; B's answers from here on.
  return {
    repoId,
    b,
    handle: b.client.workflow.getHandle<typeof releaseWorkflow>(started.workflowId),
    bConfig,
    deploy: b.client.workflow.getHandle(`deploy:${repoId}:production`),
  };
}

describe('a deployment whose worker is lost while it awaits a decision', () => {
  it('moves a url repository to a live worker, which runs the lost deploy command again from its own clone', async () => {
    const service = await createSampleService(`lost-url-${run}`);
    cleanups.push(() => service.stop());
    service.settings.url = service.repo.remote;
    delete service.settings.path;
    const { repoId, handle, b, bConfig, deploy } = await loseWorkerWhileAwaiting(service);

    await service.clearFault('fail-deploy');
    expect((await deploy.executeUpdate(decisionUpdate, { args: ['retry'] })).accepted).toBe('retry');
    const result = await handle.result();
    expect(result.outcome, result.reason).toBe('deployed');
    expect(await service.servingVersion()).toBe('1.0.0');

    const state = await deploy.query(deployStateQuery);
    expect(state.repins).toEqual([
      { from: `lost-a-${run}`, to: `live-b-${run}`, step: 'deploy 1.0.0', at: expect.any(String) },
    ]);
    // The report is the new worker's, in its own clone.
    const reports = await readdir(path.join(bConfig.dataDir, 'work', repoId, 'context'));
    expect(reports).toContain(state.report);

    // A deployment a release starts pins itself on the release's worker first: when that one is
    // gone, it pins itself on the shared queue instead of waiting.
    const redeploy = await b.client.workflow.start(deployWorkflow, {
      taskQueue: b.taskQueue,
      workflowId: `deploy:${repoId}:production`,
      args: [{ repoId, version: '1.0.0', pinnedTaskQueue: pinnedQueue(b.taskQueue, `lost-a-${run}`) }],
    });
    const again = await redeploy.result();
    expect(again.outcome, again.reason).toBe('deployed');
    expect(await activityAttempts(redeploy)).toMatchObject({ pinRun: 1 });
    const pins = ((await redeploy.fetchHistory()).events ?? []).filter(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'pinRun',
    );
    expect(pins.map((e) => e.activityTaskScheduledEventAttributes!.taskQueue!.name)).toEqual([
      pinnedQueue(b.taskQueue, `lost-a-${run}`),
      b.taskQueue,
    ]);
  });

  it('ends a deployment of a path repository at once, naming the lost worker, when it is abandoned', async () => {
    const service = await createSampleService(`lost-path-${run}`);
    cleanups.push(() => service.stop());
    const { handle, deploy } = await loseWorkerWhileAwaiting(service);

    await deploy.executeUpdate(decisionUpdate, { args: ['abandon'] });
    const result = await handle.result();
    expect(result.outcome).toBe('abandoned');
    expect(result.reason).toMatch(new RegExp(`worker lost-a-${run} is lost .*is a path on that worker's host`));
    const state = await deploy.query(deployStateQuery);
    expect(state.outcome).toBe('abandoned');
    expect(state.report).toBeNull();
  });
});

describe('a release stuck in QA on a lost worker', () => {
  it('terminated, with its QA run, does not make the next release on a live worker skip the releasable commit', async () => {
    const service = await createSampleService(`lost-qa-${run}`, (s) => {
      s.test = { ...s.test, command: ['sh', '-c', 'sleep 5 && npm test --silent'] };
    });
    cleanups.push(() => service.stop());
    service.settings.url = service.repo.remote;
    delete service.settings.path;
    const repoId = service.settings.id;
    const a = await worker(await hostConfig([service]), `qa-lost-a-${run}`);
    const first = await a.client.workflow.start(releaseWorkflow, {
      taskQueue: a.taskQueue,
      workflowId: `release:${repoId}:${randomUUID().slice(0, 8)}`,
      args: [{ repoId, deploy: false }],
    });
    const state = await pollUntil(
      () => first.query(releaseStateQuery).catch(() => null),
      (s) => s?.stage === 'qa' && s.qa?.workflowId !== undefined,
      120_000,
    );
    await a.stop();
    const b = await worker(await hostConfig([service]), `qa-live-b-${run}`, a.taskQueue);
    // The operator ends what waits for the lost worker, by hand, as before shipgate could cancel.
    await b.client.workflow.getHandle(first.workflowId).terminate('stuck: its worker is gone');
    await b.client.workflow
      .getHandle(state!.qa!.workflowId!)
      .terminate('stuck: its worker is gone')
      .catch(() => undefined);

    const next = await b.client.workflow.start(releaseWorkflow, {
      taskQueue: b.taskQueue,
      workflowId: `release:${repoId}:${randomUUID().slice(0, 8)}`,
      args: [{ repoId, deploy: false }],
    });
    const result = await next.result();
    expect(result, JSON.stringify(await next.query(releaseStateQuery))).toMatchObject({
      outcome: 'released',
      version: '1.0.0',
    });
  });
});
