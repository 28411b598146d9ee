import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authedRequests, buildTestApp, pollUntil, type TestApp } from '../../helpers/api.js';
import { createTestRepo, type TestRepo } from '../../helpers/git-repo.js';
import { SAMPLE_FILES, sampleRepoSettings } from '../../helpers/sample-project.js';
import { createSampleService, type SampleService } from '../../helpers/sample-service.js';
import { startTestWorker, testConfig, type TestWorker } from '../../helpers/temporal.js';

const suffix = randomBytes(4).toString('hex');
// QA that takes a while, so that a run can be stopped while it tests.
const SLOW_TESTS = {
  command: ['sh', '-c', 'sleep 6 && npm test --silent'],
  timeout: '2m',
  results: { format: 'junit' as const, path: 'reports/junit.xml' },
};
const terminatedPath = `term-path-${suffix}`;
const terminatedUrl = `term-url-${suffix}`;
const cancelled = `cancel-qa-${suffix}`;
const deploying = `cancel-dep-${suffix}`;

describe('cancelling and terminating runs', () => {
  let worker: TestWorker;
  let app: TestApp;
  const repos = new Map<string, TestRepo>();
  let service: SampleService;

  const { get, post, until } = authedRequests(() => app);
  const release = async (repoId: string) => {
    const started = await post(`/repos/${repoId}/releases`, { deploy: false });
    expect(started.statusCode, started.body).toBe(202);
    return `/releases/${encodeURIComponent(started.json().workflowId)}`;
  };
  /** Releases again once the first run is gone: the releasable commit must not be skipped. */
  const releasesOneZeroZero = async (repoId: string) => {
    const done = await until(await release(repoId), (run) => run.status !== 'RUNNING');
    expect(done.result, JSON.stringify(done)).toMatchObject({ outcome: 'released', version: '1.0.0' });
  };

  beforeAll(async () => {
    for (const id of [terminatedPath, terminatedUrl, cancelled]) {
      const repo = await createTestRepo(SAMPLE_FILES);
      await repo.commit('feat(api): list widgets');
      await repo.push();
      repos.set(id, repo);
    }
    service = await createSampleService(deploying);
    const url = sampleRepoSettings(terminatedUrl, '', { test: SLOW_TESTS });
    delete url.path;
    url.url = repos.get(terminatedUrl)!.remote;
    worker = await startTestWorker(
      await testConfig([
        sampleRepoSettings(terminatedPath, repos.get(terminatedPath)!.dir, { test: SLOW_TESTS }),
        url,
        sampleRepoSettings(cancelled, repos.get(cancelled)!.dir, { test: SLOW_TESTS }),
        service.settings,
      ]),
    );
    app = await buildTestApp(worker.config, worker.client);
  });

  afterAll(async () => {
    await app?.close();
    await worker?.stop();
    await Promise.all([...[...repos.values()].map((r) => r.cleanup()), service?.stop()]);
  });

  it.each([
    ['path', terminatedPath, 'at once'],
    ['url', terminatedUrl, 'once its QA run has ended'],
  ])(
    'a release terminated while QA runs (%s repository %s) does not make the next one, started %s, skip the releasable commit',
    async (_kind, repoId, when) => {
      const url = await release(repoId);
      const running = await until(url, (run) => run.state?.stage === 'qa');
      await worker.client.workflow.getHandle(running.workflowId).terminate('stuck in QA');
      // The QA run was the release's child, abandoned when its parent closes: it goes on alone.
      if (when !== 'at once')
        await pollUntil(
          () => worker.client.workflow.getHandle(running.state.qa.workflowId).describe(),
          (d) => d.status.name !== 'RUNNING',
        );
      await releasesOneZeroZero(repoId);
    },
  );

  it('cancels a release while QA runs: QA is cancelled with it, the answer says so, and the next release releases', async () => {
    const url = await release(cancelled);
    const running = await until(url, (run) => run.state?.stage === 'qa');
    const qaId = running.state.qa.workflowId;
    const answer = await post(`${url}/cancel`, { reason: 'stuck in QA', by: 'the tests' });
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.json()).toMatchObject({
      workflowId: running.workflowId,
      status: 'CANCELLED',
      by: 'the tests',
      reason: 'stuck in QA',
      undone: [`QA run ${qaId} cancelled with the release`],
    });
    const after = (await get(url)).json();
    expect(after.status).toBe('CANCELLED');
    expect(after.state).toMatchObject({
      outcome: 'cancelled',
      cancellation: { by: 'the tests', reason: 'stuck in QA' },
    });
    expect(after.state.reason).toMatch(/^cancelled by the tests: stuck in QA/);
    const qa = await pollUntil(
      () => worker.client.workflow.getHandle(qaId).describe(),
      (d) => d.status.name !== 'RUNNING',
    );
    expect(qa.status.name, 'no orphaned QA run').toBe('CANCELLED');

    const again = await post(`${url}/cancel`);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'SHIPGATE_RUN_CLOSED' });
    await releasesOneZeroZero(cancelled);
  });

  it('cancels a QA run: its tests are stopped and it ends CANCELLED', async () => {
    const started = await post(`/repos/${terminatedPath}/qa`);
    expect(started.statusCode, started.body).toBe(202);
    const url = `/qa/${encodeURIComponent(started.json().workflowId)}`;
    await until(url, (run) => run.state?.stage === 'test');
    const answer = await post(`${url}/cancel`, { by: 'the tests' });
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.json()).toMatchObject({ status: 'CANCELLED', by: 'the tests', undone: [] });
    expect((await post(`${url}/cancel`)).statusCode).toBe(409);
  });

  it('answers 404 for a run it does not know', async () => {
    for (const url of [
      `/releases/release:nope-${suffix}/cancel`,
      `/deployments/deploy:nope-${suffix}:production/cancel`,
      `/qa/qa:nope-${suffix}:abc/cancel`,
    ]) {
      const answer = await post(url);
      expect(answer.statusCode, url).toBe(404);
      expect(answer.json()).toMatchObject({ code: 'SHIPGATE_RUN_NOT_FOUND' });
    }
  });

  it('cancels a release whose deployment awaits a decision: the deployment ends with a report, the release stays released', async () => {
    await service.fault('fail-deploy');
    const started = await post(`/repos/${deploying}/releases`, {});
    const url = `/releases/${encodeURIComponent(started.json().workflowId)}`;
    await until(url, (run) => run.state?.deploy?.state?.awaitingDecision === true);
    const answer = await post(`${url}/cancel`, { reason: 'giving up' });
    expect(answer.statusCode, answer.body).toBe(200);
    // The single token is one admin: a body that names no one is recorded as admin.
    expect(answer.json()).toMatchObject({ status: 'CANCELLED', by: 'admin', reason: 'giving up' });
    expect(answer.json().undone).toEqual([`deployment deploy:${deploying}:production cancelled with the release`]);
    const deployment = await until(`/deployments/deploy:${deploying}:production`, (run) => run.status !== 'RUNNING');
    expect(deployment.status).toBe('CANCELLED');
    expect(deployment.state).toMatchObject({
      outcome: 'abandoned',
      cancellation: { by: 'admin', reason: 'giving up' },
    });
    expect(deployment.state.report).toMatch(/^deploy-/);
    expect(await service.repo.git('ls-remote', '--tags', 'origin')).toContain('refs/tags/v1.0.0');
  });
});
