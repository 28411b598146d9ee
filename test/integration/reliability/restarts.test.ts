import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { freePort, startDevServer, type RunningDevServer } from '../../../devserver/dev-server.js';
import { locateTemporalCli } from '../../../devserver/temporal-cli.js';
import { deployStateQuery, releaseStateQuery } from '../../../vocabulary/messages.js';
import { releaseWorkflow } from '../../../workflows/release.js';
import { pollUntil } from '../../helpers/api.js';
import { runCleanups, type ServiceProcess, startProcess, writeConfigFile } from '../../helpers/processes.js';
import { createSampleService, type SampleService } from '../../helpers/sample-service.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  await runCleanups(cleanups);
});

function track<T extends { stop(): Promise<unknown> }>(thing: T): T {
  cleanups.push(() => thing.stop());
  return thing;
}

async function exactlyOneRelease(service: SampleService): Promise<void> {
  const git = service.repo.git;
  expect(
    (await git('log', '--format=%s', 'origin/main')).split('\n').filter((s) => s === 'chore(release): v1.0.0'),
  ).toHaveLength(1);
  expect(await git('tag', '--list')).toBe('v1.0.0');
  expect((await git('ls-remote', '--tags', 'origin')).split('\n').filter((l) => !l.endsWith('^{}'))).toHaveLength(1);
  expect((await readFile(path.join(service.repo.dir, 'CHANGELOG.md'), 'utf8')).match(/^## 1\.0\.0/gm)).toHaveLength(1);
  expect(await service.servingVersion()).toBe('1.0.0');
}

describe('the API process is killed and restarted', () => {
  it('loses nothing when the API dies during a release and while a decision is awaited', async () => {
    const repoId = `api-crash-${randomUUID().slice(0, 6)}`;
    const service = track(
      await createSampleService(repoId, (s) => {
        s.health = { ...s.health!, deadline: '60s' };
      }),
    );
    const configFile = await writeConfigFile([service.settings], { heartbeatTimeout: '3s' });
    const port = await freePort();
    const token = randomUUID();
    const env = {
      SHIPGATE_CONFIG: configFile,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      SHIPGATE_TASK_QUEUE: `api-crash-${randomUUID()}`,
      SHIPGATE_WORKER_ID: 'api-crash',
      SHIPGATE_API_TOKEN: token,
      SHIPGATE_API_PORT: String(port),
    };
    track(startProcess('worker/main.js', env));
    const startApi = async (): Promise<ServiceProcess> => {
      const api = track(startProcess('api/server.js', env));
      await pollUntil(
        () =>
          fetch(`http://127.0.0.1:${port}/healthz`).then(
            (r) => r.status,
            () => 0,
          ),
        (status) => status === 200,
        30_000,
      );
      return api;
    };
    const call = async (method: string, url: string, body?: object) => {
      const response = await fetch(`http://127.0.0.1:${port}${url}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: response.status, body: (await response.json()) as Record<string, any> };
    };

    await service.fault('fail-deploy');
    let api = await startApi();
    const started = await call('POST', `/repos/${repoId}/releases`, {});
    expect(started.status).toBe(202);
    const url = `/releases/${encodeURIComponent(started.body.workflowId)}`;
    await api.stop();

    api = await startApi();
    await pollUntil(
      () => call('GET', url),
      (r) => r.body.state?.deploy?.state?.awaitingDecision === true,
      120_000,
    );
    await api.stop();

    api = await startApi();
    await service.clearFault('fail-deploy');
    expect((await call('POST', `${url}/retry`)).status).toBe(200);
    const done = await pollUntil(
      () => call('GET', url),
      (r) => r.body.status !== 'RUNNING',
      120_000,
    );
    expect(done.body.result.outcome).toBe('deployed');
    await exactlyOneRelease(service);
  });
});

describe('the Temporal dev server is killed and restarted on the same SQLite file', () => {
  it('completes the release when the server dies during QA and during health verification', async () => {
    const cli = await locateTemporalCli();
    if (!cli) throw new Error('no Temporal CLI');
    const dbFile = path.join(await mkdtemp(path.join(os.tmpdir(), 'shipgate-db-')), 'dev.sqlite');
    const port = await freePort();
    const startServer = () => startDevServer({ executable: cli, port, ui: false, dbFile });
    let server: RunningDevServer = await startServer();
    cleanups.push(() => server.stop());
    const kill = async () => {
      process.kill(server.pid!, 'SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, 500));
      server = await startServer();
    };

    const repoId = `server-crash-${randomUUID().slice(0, 6)}`;
    const service = track(
      await createSampleService(repoId, (s) => {
        s.health = { ...s.health!, interval: '1s', successes: 5, deadline: '90s' };
        s.test = { ...s.test, command: ['sh', '-c', 'sleep 3 && npm test --silent'] };
      }),
    );
    const configFile = await writeConfigFile([service.settings], { heartbeatTimeout: '3s' });
    const taskQueue = `server-crash-${randomUUID()}`;
    track(
      startProcess('worker/main.js', {
        SHIPGATE_CONFIG: configFile,
        TEMPORAL_ADDRESS: server.address,
        SHIPGATE_TASK_QUEUE: taskQueue,
        SHIPGATE_WORKER_ID: 'server-crash',
      }),
    );

    const connection = await Connection.connect({ address: server.address });
    cleanups.push(() => connection.close());
    const client = new Client({ connection });
    const handle = await client.workflow.start(releaseWorkflow, {
      taskQueue,
      workflowId: `release:${repoId}`,
      args: [{ repoId }],
    });

    await pollUntil(
      () => handle.query(releaseStateQuery).catch(() => null),
      (s) => s?.stage === 'qa',
      60_000,
    );
    await kill();
    const deploy = client.workflow.getHandle(`deploy:${repoId}:production`);
    await pollUntil(
      () => deploy.query(deployStateQuery).catch(() => null),
      (s) => s?.stage.startsWith('verify') === true,
      120_000,
    );
    await kill();

    const result = await Promise.race([
      handle.result(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no result')), 150_000)),
    ]);
    expect(result.outcome).toBe('deployed');
    await exactlyOneRelease(service);
  });
});
