import { randomBytes, randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RepositoryInput } from '../../../config/schema.js';
import type { ShipgateConfig } from '../../../config/types.js';
import { AUTH, authedRequests, buildTestApp, type TestApp } from '../../helpers/api.js';
import { createSampleService, type SampleService } from '../../helpers/sample-service.js';
import { startTestWorker, testConfig, type TestWorker } from '../../helpers/temporal.js';

const id = `own-host-${randomBytes(4).toString('hex')}`;

/**
 * The API on a host of its own: its data folder is not the worker's, and the repository is a URL
 * it never cloned. Everything it answers about the repository comes from the worker, through
 * Temporal.
 */
describe('an API that has no working copy, beside a worker that has one', () => {
  let service: SampleService;
  let worker: TestWorker;
  let apiConfig: ShipgateConfig;
  let app: TestApp;

  const { get, post, until } = authedRequests(() => app);

  beforeAll(async () => {
    service = await createSampleService(id);
    const settings: RepositoryInput = { ...service.settings, path: undefined, url: service.repo.remote };
    worker = await startTestWorker(await testConfig([settings]));
    const own = await testConfig([settings]);
    apiConfig = { ...own, temporal: worker.config.temporal };
    expect(apiConfig.dataDir).not.toBe(worker.config.dataDir);
    app = await buildTestApp(apiConfig, worker.client);
  });

  afterAll(async () => {
    await app?.close();
    await worker?.stop();
    await service?.stop();
  });

  it('plans through the worker, and a plan after a push plans the new commit', async () => {
    await service.repo.commit('feat: greet in two languages');
    await service.repo.push();
    const first = await get(`/repos/${id}/plan`);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({
      sha: await service.repo.head(),
      version: '1.0.0',
      tag: 'v1.0.0',
      previous: null,
    });

    await service.repo.commit('fix: greet politely');
    await service.repo.push();
    const second = await get(`/repos/${id}/plan`);
    expect(second.json()).toMatchObject({ sha: await service.repo.head(), commitCount: first.json().commitCount + 1 });
    // Equal reads at once share one run, and every one of them gets the answer.
    const together = await Promise.all(Array.from({ length: 5 }, () => get(`/repos/${id}/plan`)));
    for (const answer of together) expect(answer.json()).toEqual(second.json());
  });

  it('starts QA of the commit the worker reads at the URL', async () => {
    const started = await post(`/repos/${id}/qa`);
    expect(started.statusCode, started.body).toBe(202);
    expect(started.json()).toMatchObject({
      sha: await service.repo.head(),
      workflowId: `qa:${id}:${await service.repo.head()}`,
    });
    // Done before the release starts: a QA run and a release at once on one clone race today (see the report of this change).
    const run = await until(`/qa/${encodeURIComponent(started.json().workflowId)}`);
    expect(run.result).toMatchObject({ outcome: 'test-pass' });
  });

  it('releases and deploys, then lists the reports and the deploy ledger the worker holds', async () => {
    const started = await post(`/repos/${id}/releases`);
    expect(started.statusCode, started.body).toBe(202);
    const run = await until(`/releases/${encodeURIComponent(started.json().workflowId)}`);
    expect(run.result).toMatchObject({ outcome: 'deployed', version: '1.0.0' });

    const reports = await get(`/repos/${id}/reports`);
    expect(reports.statusCode, reports.body).toBe(200);
    expect(reports.json().reports).toEqual(
      expect.arrayContaining([expect.objectContaining({ outcome: 'test-pass', verified: true })]),
    );

    const ledger = await get(`/repos/${id}/deployments?limit=5`);
    expect(ledger.statusCode, ledger.body).toBe(200);
    expect(ledger.json().environments).toEqual([
      expect.objectContaining({ environment: 'production', live: expect.objectContaining({ version: '1.0.0' }) }),
    ]);
  });

  it('checks a deployment through the worker: refuses a version never released, deploys a released one', async () => {
    const missing = await post(`/repos/${id}/deployments`, { version: '9.9.9' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({
      code: 'SHIPGATE_TAG_NOT_FOUND',
      message: `repository "${id}" has no release tag v9.9.9`,
    });
    const started = await post(`/repos/${id}/deployments`, { version: '1.0.0' });
    expect(started.statusCode, started.body).toBe(202);
    const run = await until(`/deployments/${encodeURIComponent(started.json().workflowId)}`);
    expect(run.result).toMatchObject({ outcome: 'deployed', version: '1.0.0' });
  });

  it('never made a working copy on the API host', async () => {
    expect(await readdir(apiConfig.dataDir)).toEqual([]);
    expect(await readdir(worker.config.dataDir)).toContain('work');
  });

  it('answers 503 SHIPGATE_WORKER_UNAVAILABLE, naming the queue, when no worker serves it', async () => {
    const taskQueue = `nobody-${randomUUID()}`;
    const alone = await buildTestApp({ ...apiConfig, temporal: { ...apiConfig.temporal, taskQueue } }, worker.client);
    try {
      for (const url of [`/repos/${id}/plan`, `/repos/${id}/reports`, `/repos/${id}/deployments`]) {
        const response = await alone.inject({ method: 'GET', url, headers: AUTH });
        expect(response.statusCode, url).toBe(503);
        expect(response.json()).toMatchObject({
          code: 'SHIPGATE_WORKER_UNAVAILABLE',
          message: expect.stringContaining(`no worker serves the task queue "${taskQueue}"`),
        });
      }
    } finally {
      await alone.close();
    }
  });
});
