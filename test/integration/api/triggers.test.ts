import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcileSchedules } from '../../../worker/schedules.js';
import { AUTH, buildTestApp, pollUntil, type TestApp } from '../../helpers/api.js';
import { createTestRepo, type TestRepo } from '../../helpers/git-repo.js';
import { SAMPLE_FILES, sampleRepoSettings } from '../../helpers/sample-project.js';
import { startTestWorker, testConfig, type TestWorker } from '../../helpers/temporal.js';

const suffix = randomBytes(4).toString('hex');
const hooked = `hook-${suffix}`;
const watched = `watch-${suffix}`;
/** Watched, but its schedule starts ticks on a task queue no worker polls: a tick that never ends. */
const stalled = `watch-stalled-${suffix}`;
/** Releases by itself after a pass that a push started. */
const autoHooked = `hook-auto-${suffix}`;
const SECRET_ENV = `SHIPGATE_TEST_HOOK_SECRET_${suffix.toUpperCase()}`;
const secret = randomBytes(16).toString('hex');
const logger = pino({ level: 'silent' });

describe('webhooks and the branch watch over HTTP', () => {
  let worker: TestWorker;
  let app: TestApp;
  let repo: TestRepo;
  let watchRepo: TestRepo;
  let autoRepo: TestRepo;

  const github = (payload: object, event: string, signature?: string | null, delivery: string = randomUUID()) => {
    const body = JSON.stringify(payload);
    const sig =
      signature === undefined ? `sha256=${createHmac('sha256', secret).update(body).digest('hex')}` : signature;
    return app.inject({
      method: 'POST',
      url: '/hooks/github',
      headers: {
        'content-type': 'application/json',
        'x-github-event': event,
        'x-github-delivery': delivery,
        ...(sig ? { 'x-hub-signature-256': sig } : {}),
      },
      payload: body,
    });
  };
  /** The QA runs of a commit that visibility knows of, once it has caught up with `atLeast` of them. */
  const qaRunsOf = (sha: string, atLeast = 1) =>
    pollUntil(
      async () => {
        const runs: string[] = [];
        for await (const run of worker.client.workflow.list({ query: `WorkflowId = 'qa:${hooked}:${sha}'` }))
          runs.push(run.runId);
        return runs;
      },
      (runs) => runs.length >= atLeast,
      30_000,
    );
  const pushPayload = (sha: string, ref = 'refs/heads/main') => ({
    ref,
    after: sha,
    repository: { clone_url: repo.remote, full_name: 'acme/sample' },
  });
  const stalledQueue = () => `${worker.taskQueue}-unpolled`;
  const qaExists = (sha: string) => runExists(`qa:${hooked}:${sha}`);
  const runExists = async (workflowId: string) => {
    try {
      await worker.client.workflow.getHandle(workflowId).describe();
      return true;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return false;
      throw error;
    }
  };

  beforeAll(async () => {
    process.env[SECRET_ENV] = secret;
    repo = await createTestRepo(SAMPLE_FILES);
    watchRepo = await createTestRepo(SAMPLE_FILES);
    autoRepo = await createTestRepo(SAMPLE_FILES);
    const urlRepo = {
      ...sampleRepoSettings(hooked, repo.dir),
      path: undefined,
      url: repo.remote,
      webhook: { secretEnv: SECRET_ENV },
    };
    const autoSettings = sampleRepoSettings(autoHooked, autoRepo.dir, {
      webhook: { secretEnv: SECRET_ENV },
      release: { auto: 'on-qa-pass' },
    });
    worker = await startTestWorker(
      await testConfig([
        urlRepo,
        sampleRepoSettings(watched, watchRepo.dir, { watch: { interval: '1h' } }),
        sampleRepoSettings(stalled, watchRepo.dir, { watch: { interval: '1h' } }),
        autoSettings,
      ]),
    );
    await reconcileSchedules(worker.client, worker.config, worker.taskQueue, logger);
    app = await buildTestApp(worker.config, worker.client);
  });

  afterAll(async () => {
    await reconcileSchedules(worker.client, { ...worker.config, repositories: [] }, worker.taskQueue, logger);
    await reconcileSchedules(worker.client, { ...worker.config, repositories: [] }, stalledQueue(), logger);
    await app?.close();
    await worker?.stop();
    await Promise.all([repo?.cleanup(), watchRepo?.cleanup(), autoRepo?.cleanup()]);
    delete process.env[SECRET_ENV];
  });

  it('starts QA of the pushed commit for a correctly signed GitHub push', async () => {
    await repo.commit('fix: pushed');
    await repo.push();
    const sha = await repo.head();
    const answer = await github(pushPayload(sha), 'push');
    expect(answer.statusCode).toBe(202);
    expect(answer.json()).toEqual({ status: 'started', workflowId: `qa:${hooked}:${sha}`, sha });
    await pollUntil(() => qaExists(sha), Boolean, 30_000);
    const result = await worker.client.workflow.getHandle(`qa:${hooked}:${sha}`).result();
    expect(result.outcome).toBe('test-pass');
  });

  it('starts one QA run for a GitHub delivery sent four times, before and after that run ended', async () => {
    const sha = await repo.commit('fix: delivered four times');
    await repo.push();
    const delivery = randomUUID();
    const first = await github(pushPayload(sha), 'push', undefined, delivery);
    expect(first.statusCode, first.body).toBe(202);
    expect(first.json()).toMatchObject({ status: 'started', workflowId: `qa:${hooked}:${sha}` });
    const whileRunning = await github(pushPayload(sha), 'push', undefined, delivery);
    expect(whileRunning.statusCode, whileRunning.body).toBe(200);
    expect(whileRunning.json()).toMatchObject({
      status: 'duplicate',
      workflowId: `qa:${hooked}:${sha}`,
      reason: expect.stringContaining(delivery),
    });

    await pollUntil(() => qaExists(sha), Boolean, 30_000);
    const qa = worker.client.workflow.getHandle(`qa:${hooked}:${sha}`);
    expect((await qa.result()).outcome).toBe('test-pass');
    const { runId } = await qa.describe();
    const replays = await Promise.all([1, 2].map(() => github(pushPayload(sha), 'push', undefined, delivery)));
    for (const replay of replays)
      expect(replay.json()).toMatchObject({ status: 'duplicate', workflowId: `qa:${hooked}:${sha}` });

    expect((await qa.describe()).runId).toBe(runId);
    expect(await qaRunsOf(sha)).toEqual([runId]);
  });

  it('releases once after a pushed pass with release.auto, however often the delivery is replayed', async () => {
    const sha = await autoRepo.commit('feat: released by a push');
    await autoRepo.push();
    const delivery = randomUUID();
    const payload = { ref: 'refs/heads/main', after: sha, repository: { clone_url: autoRepo.remote } };
    expect((await github(payload, 'push', undefined, delivery)).json()).toMatchObject({
      status: 'started',
      workflowId: `qa:${autoHooked}:${sha}`,
    });
    await pollUntil(() => runExists(`qa:${autoHooked}:${sha}`), Boolean, 30_000);
    expect((await worker.client.workflow.getHandle(`qa:${autoHooked}:${sha}`).result()).outcome).toBe('test-pass');
    const release = worker.client.workflow.getHandle(`release:${autoHooked}`);
    expect(await release.result()).toMatchObject({ outcome: 'released', version: '1.0.0' });
    const { runId } = await release.describe();
    // No person asked: both runs name the bot behind the push.
    const qaView = (await worker.client.workflow.getHandle(`qa:${autoHooked}:${sha}`).describe()).memo?.view;
    expect(qaView).toMatchObject({ trigger: 'webhook', requestedBy: 'webhook' });
    expect((await release.describe()).memo?.view).toMatchObject({ trigger: 'auto', requestedBy: 'webhook' });

    const replays = await Promise.all([1, 2, 3].map(() => github(payload, 'push', undefined, delivery)));
    for (const replay of replays) expect(replay.json()).toMatchObject({ status: 'duplicate' });
    expect((await release.describe()).runId).toBe(runId);
    const releases = await pollUntil(
      async () => {
        const runs: string[] = [];
        for await (const run of worker.client.workflow.list({ query: `WorkflowId = 'release:${autoHooked}'` }))
          runs.push(run.runId);
        return runs;
      },
      (runs) => runs.length >= 1,
      30_000,
    );
    expect(releases).toEqual([runId]);
    expect(await autoRepo.git('tag', '--list')).toBe('v1.0.0');
  });

  it('shows what followed a pushed pass with release.auto in the QA run the API answers', async () => {
    await autoRepo.commit('fix: another change to release');
    const sha = await autoRepo.commit('fix: shown by the QA run');
    await autoRepo.push();
    const payload = { ref: 'refs/heads/main', after: sha, repository: { clone_url: autoRepo.remote } };
    const workflowId = `qa:${autoHooked}:${sha}`;
    expect((await github(payload, 'push')).json()).toMatchObject({ status: 'started', workflowId });
    await pollUntil(() => runExists(workflowId), Boolean, 30_000);
    await worker.client.workflow.getHandle(workflowId).result();
    const response = await app.inject({ method: 'GET', url: `/qa/${encodeURIComponent(workflowId)}`, headers: AUTH });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      status: 'COMPLETED',
      state: { outcome: 'test-pass', autoRelease: { started: true, workflowId: `release:${autoHooked}` } },
    });
    expect(response.json().state.autoRelease.reason).toEqual(expect.any(String));
    await worker.client.workflow.getHandle(`release:${autoHooked}`).result();
  });

  it('starts one QA run for a GitLab event sent twice, by its event UUID', async () => {
    const sha = await repo.commit('fix: delivered twice by gitlab');
    await repo.push();
    const payload = JSON.stringify({
      ref: 'refs/heads/main',
      checkout_sha: sha,
      project: { git_http_url: repo.remote },
    });
    const headers = {
      'content-type': 'application/json',
      'x-gitlab-event': 'Push Hook',
      'x-gitlab-token': secret,
      'x-gitlab-event-uuid': randomUUID(),
    };
    const answers = [];
    for (let i = 0; i < 2; i += 1)
      answers.push(await app.inject({ method: 'POST', url: '/hooks/gitlab', payload, headers }));
    expect(answers.map((a) => a.json<{ status: string }>().status)).toEqual(['started', 'duplicate']);
    await pollUntil(() => qaExists(sha), Boolean, 30_000);
    await worker.client.workflow.getHandle(`qa:${hooked}:${sha}`).result();
    expect(await qaRunsOf(sha)).toHaveLength(1);
  });

  it('answers 401 and starts nothing for an unsigned or wrongly signed push', async () => {
    const sha = await repo.commit('fix: another');
    await repo.push();
    const unsigned = await github(pushPayload(sha), 'push', null);
    expect(unsigned.statusCode).toBe(401);
    expect(unsigned.json()).toMatchObject({ code: 'SHIPGATE_BAD_SIGNATURE' });
    const wrong = await github(pushPayload(sha), 'push', `sha256=${'0'.repeat(64)}`);
    expect(wrong.statusCode).toBe(401);
    const tampered = await app.inject({
      method: 'POST',
      url: '/hooks/github',
      payload: JSON.stringify(pushPayload(sha)),
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update('{}').digest('hex')}`,
      },
    });
    expect(tampered.statusCode).toBe(401);
    expect(await qaExists(sha)).toBe(false);
  });

  it('acknowledges pings, other branches and unknown repositories without starting anything', async () => {
    expect((await github({ zen: 'hi', repository: { clone_url: repo.remote } }, 'ping')).json()).toEqual({
      status: 'pong',
    });
    const sha = await repo.head();
    const topic = await github(pushPayload(sha, 'refs/heads/topic'), 'push');
    expect(topic.statusCode).toBe(202);
    expect(topic.json()).toMatchObject({
      status: 'ignored',
      reason: 'push to refs/heads/topic, not to a configured branch (refs/heads/main)',
    });
    const unknown = await github(
      { ref: 'refs/heads/main', after: sha, repository: { clone_url: 'https://github.com/acme/other.git' } },
      'push',
    );
    expect(unknown.json()).toMatchObject({ status: 'ignored', reason: 'no configured repository has this remote URL' });
  });

  it('verifies X-Gitlab-Token for GitLab pushes', async () => {
    const sha = await repo.commit('fix: from gitlab');
    await repo.push();
    const payload = JSON.stringify({
      ref: 'refs/heads/main',
      checkout_sha: sha,
      project: { git_http_url: repo.remote },
    });
    const headers = { 'content-type': 'application/json', 'x-gitlab-event': 'Push Hook' };
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/hooks/gitlab',
          payload,
          headers: { ...headers, 'x-gitlab-token': 'nope' },
        })
      ).statusCode,
    ).toBe(401);
    expect(await qaExists(sha)).toBe(false);
    const accepted = await app.inject({
      method: 'POST',
      url: '/hooks/gitlab',
      payload,
      headers: { ...headers, 'x-gitlab-token': secret },
    });
    expect(accepted.statusCode).toBe(202);
    expect(accepted.json()).toMatchObject({ status: 'started', sha });
  });

  it('shows, pauses with a note and resumes the branch watch', async () => {
    const url = `/repos/${watched}/watch`;
    const state = await app.inject({ method: 'GET', url, headers: AUTH });
    expect(state.json()).toMatchObject({
      repoId: watched,
      scheduleId: `watch:${watched}`,
      paused: false,
      intervalMs: 3_600_000,
    });
    expect((await app.inject({ method: 'POST', url: `${url}/pause`, headers: AUTH, payload: {} })).statusCode).toBe(
      400,
    );
    const paused = await app.inject({
      method: 'POST',
      url: `${url}/pause`,
      headers: AUTH,
      payload: { note: 'release freeze' },
    });
    expect(paused.json()).toMatchObject({ paused: true, note: 'release freeze' });
    const resumed = await app.inject({ method: 'POST', url: `${url}/resume`, headers: AUTH });
    expect(resumed.json()).toMatchObject({ paused: false });
    const none = await app.inject({ method: 'GET', url: `/repos/${hooked}/watch`, headers: AUTH });
    expect(none.statusCode).toBe(404);
    expect(none.json()).toMatchObject({ code: 'SHIPGATE_WATCH_NOT_CONFIGURED' });
  });

  it('shows the last tick as it stands — running, or stopped with why — without waiting for it to end', async () => {
    await reconcileSchedules(
      worker.client,
      { ...worker.config, repositories: worker.config.repositories.filter((r) => r.id === stalled) },
      stalledQueue(),
      logger,
    );
    const schedule = worker.client.schedule.getHandle(`watch:${stalled}`);
    await schedule.trigger();
    const action = await pollUntil(
      async () => (await schedule.describe()).info.recentActions.at(-1),
      (last) => last !== undefined,
      30_000,
    );
    const workflowId = action!.action.workflow.workflowId;
    const url = `/repos/${stalled}/watch`;
    const running = await app.inject({ method: 'GET', url, headers: AUTH });
    expect(running.statusCode).toBe(200);
    expect(running.json().lastTick).toEqual({
      at: action!.takenAt.toISOString(),
      workflowId,
      status: 'running',
      sha: null,
      startedQa: null,
      reason: null,
    });
    // Pausing while a tick runs answers with the paused watch and the tick as it stands.
    const paused = await app.inject({
      method: 'POST',
      url: `${url}/pause`,
      headers: AUTH,
      payload: { note: 'runner maintenance' },
    });
    expect(paused.statusCode).toBe(200);
    expect(paused.json()).toMatchObject({ paused: true, note: 'runner maintenance', lastTick: { status: 'running' } });

    await worker.client.workflow.getHandle(workflowId).terminate('stopped by an operator');
    const stopped = await app.inject({ method: 'GET', url, headers: AUTH });
    expect(stopped.json().lastTick).toMatchObject({
      workflowId,
      status: 'terminated',
      sha: null,
      reason: 'stopped by an operator',
    });
  });
});
