import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ViewMemoKey } from '../../../vocabulary/messages.js';
import { AUTH, buildTestApp, connectTestClient, pollUntil, type TestApp } from '../../helpers/api.js';
import { createTestRepo, type TestRepo } from '../../helpers/git-repo.js';
import { SAMPLE_FILES, sampleRepoSettings } from '../../helpers/sample-project.js';
import { createSampleService, type SampleService } from '../../helpers/sample-service.js';
import { startTestWorker, testConfig, type TestWorker } from '../../helpers/temporal.js';

const suffix = randomBytes(4).toString('hex');
const plain = `views-${suffix}`;
const deployed = `views-dep-${suffix}`;
const old = `views-old-${suffix}`;

/**
 * The reads answer from what the Temporal server holds: every run below is read after its worker
 * has stopped, through an app whose client never talked to a worker.
 */
describe('run views without a worker', () => {
  let worker: TestWorker | null;
  let app: TestApp;
  let repo: TestRepo;
  let service: SampleService;
  let reader: Awaited<ReturnType<typeof connectTestClient>>;
  let readerApp: TestApp;
  const released: { runId: string; version: string }[] = [];
  let openRelease = '';

  const get = (target: TestApp, url: string) => target.inject({ method: 'GET', url, headers: AUTH });
  const post = (url: string, payload?: object) =>
    app.inject({ method: 'POST', url, headers: AUTH, ...(payload ? { payload } : {}) });
  const until = (url: string, done: (run: any) => boolean) =>
    pollUntil(async (): Promise<any> => (await get(app, url)).json(), done);
  const releaseUrl = (repoId: string) => `/releases/${encodeURIComponent(`release:${repoId}`)}`;

  beforeAll(async () => {
    repo = await createTestRepo(SAMPLE_FILES);
    service = await createSampleService(deployed);
    worker = await startTestWorker(await testConfig([sampleRepoSettings(plain, repo.dir), service.settings]));
    app = await buildTestApp(worker.config, worker.client);
    reader = await connectTestClient(worker.config);
    readerApp = await buildTestApp(reader.config, reader.client);
  });

  afterAll(async () => {
    if (openRelease)
      await reader?.client.workflow
        .getHandle(openRelease)
        .terminate('test over')
        .catch(() => undefined);
    await Promise.all([app?.close(), readerApp?.close()]);
    await worker?.stop();
    await reader?.close();
    await Promise.all([repo?.cleanup(), service?.stop()]);
  });

  it("keeps an open run's view in memo as it goes through its steps", async () => {
    await service.fault('fail-deploy');
    const { workflowId } = (await post(`/repos/${deployed}/releases`)).json();
    openRelease = workflowId;
    const waiting = await until(releaseUrl(deployed), (run) => run.state?.deploy?.state?.awaitingDecision === true);
    const steps = waiting.state.steps as { name: string; finishedAt: string | null }[];
    expect(steps.map((s) => s.name)).toEqual(['pin', 'preflight', 'qa', 'commit', 'push', 'deploy']);
    expect(steps.filter((s) => s.finishedAt === null).map((s) => s.name)).toEqual(['deploy']);
    expect(waiting).toMatchObject({ status: 'RUNNING', state: { stage: 'deploy', version: '1.0.0' } });
    // The view is the run's memo itself, not an answer of its state query.
    const description = await reader.client.workflow.getHandle(workflowId).describe();
    expect(description.memo?.[ViewMemoKey]).toMatchObject({
      kind: 'release',
      stage: 'deploy',
      deploy: { state: null },
    });
  });

  it('releases twice under one workflow ID', async () => {
    for (const message of ['feat: widgets', 'fix: widgets']) {
      await repo.commit(message);
      const started = await post(`/repos/${plain}/releases`, { deploy: false });
      expect(started.statusCode).toBe(202);
      const done = await until(`${releaseUrl(plain)}?runId=${started.json().runId}`, (run) => run.status !== 'RUNNING');
      expect(done.result.outcome).toBe('released');
      released.push({ runId: started.json().runId, version: done.result.version });
    }
    expect(released.map((r) => r.version)).toEqual(['1.0.0', '1.0.1']);
  });

  it('answers a finished release with its state and result after every worker has stopped', async () => {
    await worker!.stop();
    worker = null;
    const response = await get(readerApp, releaseUrl(plain));
    expect(response.statusCode).toBe(200);
    const run = response.json();
    expect(run).toMatchObject({
      workflowId: `release:${plain}`,
      runId: released[1]!.runId,
      status: 'COMPLETED',
      state: { kind: 'release', stage: 'done', outcome: 'released', version: '1.0.1' },
      result: { outcome: 'released', version: '1.0.1', tag: 'v1.0.1' },
    });
    expect(run.state.steps.every((s: { finishedAt: string | null }) => s.finishedAt !== null)).toBe(true);
  });

  it('answers an open run and its deployment after every worker has stopped', async () => {
    const run = (await get(readerApp, releaseUrl(deployed))).json();
    expect(run).toMatchObject({
      status: 'RUNNING',
      state: {
        stage: 'deploy',
        deploy: {
          workflowId: `deploy:${deployed}:production`,
          state: { awaitingDecision: true, decisionsAllowed: ['retry', 'abandon'] },
        },
      },
    });
    const deployment = (
      await get(readerApp, `/deployments/${encodeURIComponent(`deploy:${deployed}:production`)}`)
    ).json();
    expect(deployment).toMatchObject({ status: 'RUNNING', state: { kind: 'deploy', awaitingDecision: true } });
  });

  it('reads an older run of release:<repo> by its run ID, and lists both runs newest first', async () => {
    const older = (await get(readerApp, `${releaseUrl(plain)}?runId=${released[0]!.runId}`)).json();
    expect(older).toMatchObject({
      runId: released[0]!.runId,
      status: 'COMPLETED',
      state: { version: '1.0.0' },
      result: { version: '1.0.0' },
    });
    const { runs } = await pollUntil(
      async (): Promise<any> => (await get(readerApp, `${releaseUrl(plain)}/runs`)).json(),
      (body) => body.runs?.length === 2 && body.runs.every((r: { outcome: string | null }) => r.outcome !== null),
      30_000,
    );
    expect(runs.map((r: { runId: string }) => r.runId)).toEqual([released[1]!.runId, released[0]!.runId]);
    expect(runs[0]).toMatchObject({ status: 'COMPLETED', version: '1.0.1', outcome: 'released' });
    expect(runs[0].closeTime).toEqual(expect.any(String));
  });

  it('answers 404 for a run ID that is not a run of the ID, and 400 for a malformed one', async () => {
    const stranger = await get(readerApp, `${releaseUrl(plain)}?runId=${randomUUID()}`);
    expect(stranger.statusCode).toBe(404);
    expect(stranger.json()).toMatchObject({ code: 'SHIPGATE_RUN_NOT_FOUND' });
    const another = await get(readerApp, `${releaseUrl(deployed)}?runId=${released[0]!.runId}`);
    expect(another.statusCode).toBe(404);
    const malformed = await get(readerApp, `${releaseUrl(plain)}?runId=not-a-run`);
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ code: 'SHIPGATE_BAD_REQUEST' });
    expect((await get(readerApp, `${releaseUrl(`never-${suffix}`)}/runs`)).statusCode).toBe(404);
  });

  it('nests a QA run’s state under state, like the other two', async () => {
    const release = (await get(readerApp, `${releaseUrl(plain)}?runId=${released[0]!.runId}`)).json();
    const qaId = release.state.qa.workflowId as string;
    const qa = (await get(readerApp, `/qa/${encodeURIComponent(qaId)}`)).json();
    expect(qa).toMatchObject({
      workflowId: qaId,
      status: 'COMPLETED',
      state: { kind: 'qa', stage: 'done', outcome: 'test-pass', autoRelease: null },
      result: { outcome: 'test-pass' },
    });
    expect(qa).not.toHaveProperty('stage');
    const runs = (await get(readerApp, `/qa/${encodeURIComponent(qaId)}/runs`)).json().runs;
    expect(runs[0]).toMatchObject({ workflowId: qaId, type: 'qaWorkflow' });
  });

  it('reads a run recorded before the view was kept in memo through its state query', async () => {
    const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
    const taskQueue = `pre-memo-${randomUUID()}`;
    const preMemo = await Worker.create({
      connection,
      taskQueue,
      workflowsPath: fileURLToPath(new URL('../../fixtures/workflows/pre-memo.ts', import.meta.url)),
    });
    const workflowId = `release:${old}`;
    const read = async () => (await get(readerApp, releaseUrl(old))).json();
    const answered = await preMemo.runUntil(async () => {
      await reader.client.workflow.execute('releaseWorkflow', { taskQueue, workflowId, args: [{ repoId: old }] });
      return read();
    });
    await connection.close();
    expect(answered).toMatchObject({
      status: 'COMPLETED',
      state: { kind: 'release', reason: 'recorded before the view was kept in memo' },
      result: { outcome: 'nothing-to-release' },
    });
    // Cached by its run ID once read: a closed run never changes.
    expect(await read()).toEqual(answered);
  });
});
