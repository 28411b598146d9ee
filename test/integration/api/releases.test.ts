import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authedRequests, buildTestApp, finished, pollUntil, type TestApp } from '../../helpers/api.js';
import { createTestRepo, type TestRepo } from '../../helpers/git-repo.js';
import { SAMPLE_FILES, sampleRepoSettings } from '../../helpers/sample-project.js';
import { createSampleService, type SampleService } from '../../helpers/sample-service.js';
import { startTestWorker, testConfig, type TestWorker } from '../../helpers/temporal.js';

const suffix = randomBytes(4).toString('hex');
const plain = `rel-api-${suffix}`;
const deployed = `dep-api-${suffix}`;
const racing = `race-api-${suffix}`;

describe('releases and deployments over HTTP', () => {
  let worker: TestWorker;
  let app: TestApp;
  let repo: TestRepo;
  let raceRepo: TestRepo;
  let service: SampleService;

  const { get, post, until } = authedRequests(() => app);

  beforeAll(async () => {
    repo = await createTestRepo(SAMPLE_FILES);
    raceRepo = await createTestRepo(SAMPLE_FILES);
    service = await createSampleService(deployed);
    worker = await startTestWorker(
      await testConfig([
        sampleRepoSettings(plain, repo.dir),
        sampleRepoSettings(racing, raceRepo.dir),
        service.settings,
      ]),
    );
    app = await buildTestApp(worker.config, worker.client);
  });

  afterAll(async () => {
    await app?.close();
    await worker?.stop();
    await Promise.all([repo?.cleanup(), raceRepo?.cleanup(), service?.stop()]);
  });

  it('plans a release without touching the repository', async () => {
    await repo.commit('feat(api): list widgets');
    const refsBefore = await repo.git('for-each-ref');
    const plan = await get(`/repos/${plain}/plan`);
    expect(plan.statusCode).toBe(200);
    expect(plan.json()).toMatchObject({
      version: '1.0.0',
      tag: 'v1.0.0',
      bump: 'minor',
      previous: null,
      commitCount: 2,
    });
    expect(plan.json().changelogEntry).toMatch(/### Features\n\n\* \*\*api:\*\* list widgets/);
    expect(plan.json().commits[0]).toMatchObject({ type: 'feat', scope: 'api', bump: 'minor', reason: 'feat → minor' });
    expect(await repo.git('for-each-ref')).toBe(refsBefore);
    expect(await repo.git('status', '--porcelain')).toBe('');
  });

  it('refuses an invalid or lower version override with 400', async () => {
    expect((await post(`/repos/${plain}/releases`, { bump: 'huge' })).statusCode).toBe(400);
    expect((await get(`/repos/${plain}/plan?bump=--upload-pack=x`)).statusCode).toBe(400);
  });

  it('releases through the API and shows the live state until it is done', async () => {
    const started = await post(`/repos/${plain}/releases`, { deploy: false });
    expect(started.statusCode).toBe(202);
    const { workflowId } = started.json();
    expect(workflowId).toBe(`release:${plain}`);
    const run = await until(`/releases/${encodeURIComponent(workflowId)}`, finished);
    expect(run).toMatchObject({
      status: 'COMPLETED',
      result: { outcome: 'released', version: '1.0.0' },
      state: { stage: 'done', version: '1.0.0' },
    });
    expect(run.state.steps.map((s: { name: string }) => s.name)).toContain('push');
    const lower = await post(`/repos/${plain}/releases`, { bump: '0.9.0' });
    expect(lower.statusCode).toBe(400);
    expect(lower.json()).toMatchObject({ code: 'SHIPGATE_INVALID_VERSION' });
    expect(lower.json().message).toMatch(/must be greater than the current version 1\.0\.0/);
  });

  it('answers 20 simultaneous release requests with one release and 409s naming it', async () => {
    await raceRepo.commit('fix: race');
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => post(`/repos/${racing}/releases`, { deploy: false })),
    );
    const accepted = answers.filter((a) => a.statusCode === 202);
    const refused = answers.filter((a) => a.statusCode === 409);
    expect(accepted).toHaveLength(1);
    expect(refused).toHaveLength(19);
    for (const answer of refused)
      expect(answer.json()).toMatchObject({ code: 'SHIPGATE_RELEASE_RUNNING', workflowId: `release:${racing}` });
    const run = await until(`/releases/${encodeURIComponent(`release:${racing}`)}`, finished);
    expect(run.result.outcome).toBe('released');
    expect(await raceRepo.git('tag', '--list')).toBe('v1.0.0');
  });

  it('retries a failed deployment from the API without tagging or pushing again', async () => {
    await service.fault('fail-deploy');
    const { workflowId } = (await post(`/repos/${deployed}/releases`)).json();
    const url = `/releases/${encodeURIComponent(workflowId)}`;
    const waiting = await until(url, (run) => run.state?.deploy?.state?.awaitingDecision === true);
    expect(waiting.state.deploy.state).toMatchObject({
      decisionsAllowed: ['retry', 'abandon'],
      lastError: 'the deploy command exited with 1',
    });
    const remote = await service.repo.git('ls-remote', 'origin');
    await service.clearFault('fail-deploy');
    const decided = await post(`${url}/retry`);
    expect(decided.statusCode).toBe(200);
    expect(decided.json()).toMatchObject({ accepted: 'retry', deployWorkflowId: `deploy:${deployed}:production` });
    const done = await until(url, finished);
    expect(done.result.outcome).toBe('deployed');
    expect(done.state.deploy.state.samples.at(-1)).toMatchObject({ ok: true, version: '1.0.0' });
    expect(await service.repo.git('ls-remote', 'origin')).toBe(remote);
    const late = await post(`${url}/rollback`);
    expect(late.statusCode).toBe(409);
    expect(late.json()).toMatchObject({ code: 'SHIPGATE_NO_DECISION_AWAITED' });
  });

  it('re-deploys a released version, and 404s a version that was never released', async () => {
    const missing = await post(`/repos/${deployed}/deployments`, { version: '9.9.9' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'SHIPGATE_TAG_NOT_FOUND' });
    const started = await post(`/repos/${deployed}/deployments`, { version: '1.0.0' });
    expect(started.statusCode).toBe(202);
    const run = await until(`/deployments/${encodeURIComponent(started.json().workflowId)}`, finished);
    expect(run.result).toMatchObject({ outcome: 'deployed', version: '1.0.0' });
  });

  it('lists releases by repository and status from visibility', async () => {
    const listed = await pollUntil(
      async () => (await get(`/releases?repo=${plain}&status=completed`)).json(),
      (body) => body.runs.length > 0,
      30_000,
    );
    expect(listed.runs[0]).toMatchObject({
      workflowId: `release:${plain}`,
      repo: plain,
      outcome: 'released',
      version: '1.0.0',
      type: 'releaseWorkflow',
    });
    expect((await get('/releases?status=sideways')).statusCode).toBe(400);
  });
});
