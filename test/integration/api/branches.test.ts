import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RepositoryInput } from '../../../config/schema.js';
import { BranchKey, TriggerKey } from '../../../vocabulary/search-attributes.js';
import { AUTH, authedRequests, buildTestApp, pollUntil, type TestApp } from '../../helpers/api.js';
import { createTestRepo, type TestRepo } from '../../helpers/git-repo.js';
import { SAMPLE_FILES, sampleRepoSettings } from '../../helpers/sample-project.js';
import { startTestWorker, testConfig, type TestWorker } from '../../helpers/temporal.js';

const suffix = randomBytes(4).toString('hex');
const repoId = `branches-${suffix}`;
const SECRET_ENV = `SHIPGATE_TEST_BRANCH_HOOK_${suffix.toUpperCase()}`;
const secret = randomBytes(16).toString('hex');

const BETA = { name: 'beta', kind: 'prerelease', channel: 'beta', prerelease: 'beta', range: null, deploy: false };
const MAIN = { name: 'main', kind: 'release', channel: 'latest', prerelease: null, range: null, deploy: true };
const ONE_X = {
  name: '1.x',
  kind: 'maintenance',
  channel: '1.x',
  prerelease: null,
  range: { min: '1.0.0', max: '2.0.0' },
  deploy: false,
};

/**
 * A repository with a release branch, a prerelease branch `beta` and a maintenance branch `1.x`,
 * reached as a URL (the worker clones it), through the real API, worker and dev server. The
 * release starts go to a second app whose queue no worker polls, so a started run stays at its
 * start, which is all those tests look at.
 */
describe('branches and channels over HTTP', () => {
  let repo: TestRepo;
  let worker: TestWorker;
  let app: TestApp;
  let idle: TestApp;
  let client: Client;
  let betaSha: string;
  let mainSha: string;
  const started: string[] = [];

  const { get, post } = authedRequests(() => app);
  const idlePost = (url: string, payload?: object) =>
    idle.inject({ method: 'POST', url, headers: AUTH, ...(payload ? { payload } : {}) });
  const github = (ref: string, after: string) => {
    const body = JSON.stringify({ ref, after, repository: { clone_url: repo.remote } });
    return app.inject({
      method: 'POST',
      url: '/hooks/github',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': randomUUID(),
        'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
      },
      payload: body,
    });
  };
  const exists = (workflowId: string) =>
    client.workflow
      .getHandle(workflowId)
      .describe()
      .then(
        () => true,
        (error: unknown) => {
          if (error instanceof WorkflowNotFoundError) return false;
          throw error;
        },
      );

  beforeAll(async () => {
    process.env[SECRET_ENV] = secret;
    repo = await createTestRepo(SAMPLE_FILES);
    await repo.git('tag', 'v1.0.0');
    await repo.git('push', '-q', 'origin', 'v1.0.0');
    await repo.git('branch', '1.x');
    await repo.git('push', '-q', 'origin', '1.x');
    await repo.git('checkout', '-q', '-b', 'beta');
    betaSha = await repo.commit('feat!: greet in a new way');
    await repo.git('push', '-q', 'origin', 'beta');
    await repo.git('checkout', '-q', 'main');
    mainSha = await repo.commit('fix: greet politely');
    await repo.push();

    const settings: RepositoryInput = {
      ...sampleRepoSettings(repoId, repo.dir),
      path: undefined,
      url: repo.remote,
      branches: ['main', { name: 'beta', prerelease: true }, '1.x'],
      webhook: { secretEnv: SECRET_ENV },
      release: { auto: 'on-qa-pass' },
    };
    worker = await startTestWorker(await testConfig([settings]));
    client = worker.client;
    app = await buildTestApp(worker.config, client);
    const config = worker.config;
    idle = await buildTestApp(
      { ...config, temporal: { ...config.temporal, taskQueue: `branches-idle-${suffix}` } },
      client,
    );
  });

  afterAll(async () => {
    for (const workflowId of started)
      await client?.workflow
        .getHandle(workflowId)
        .terminate('test over')
        .catch(() => undefined);
    await app?.close();
    await idle?.close();
    await worker?.stop();
    await repo?.cleanup();
    delete process.env[SECRET_ENV];
  });

  it('lists the branches of the repository: kind, channel, prerelease, range and deploy', async () => {
    const answer = await get(`/repos/${repoId}`);
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.json()).toMatchObject({ branch: 'main', branches: [MAIN, BETA, ONE_X] });
    const all = await get('/repos');
    expect(all.json().repositories).toEqual([expect.objectContaining({ id: repoId, branches: [MAIN, BETA, ONE_X] })]);
  });

  it.each([
    ['GET', `/repos/${repoId}/plan?branch=feature/x`, undefined],
    ['POST', `/repos/${repoId}/releases`, { branch: 'feature/x' }],
    ['POST', `/repos/${repoId}/releases`, { branch: 'feature/x', bump: 'major' }],
    ['POST', `/repos/${repoId}/qa`, { branch: 'feature/x' }],
  ] as const)(
    'answers %s %s %j with 400 SHIPGATE_UNKNOWN_BRANCH naming the configured branches, and starts nothing',
    async (method, url, payload) => {
      const answer = await app.inject({ method, url, headers: AUTH, ...(payload ? { payload } : {}) });
      expect(answer.statusCode, answer.body).toBe(400);
      expect(answer.json()).toMatchObject({
        code: 'SHIPGATE_UNKNOWN_BRANCH',
        message: `repository "${repoId}" has no branch "feature/x" configured; its branches: main, beta, 1.x`,
      });
      expect(await exists(`release:${repoId}`)).toBe(false);
      expect(await exists(`plan:${repoId}:#feature/x`)).toBe(false);
      expect(await exists(`head:${repoId}:feature/x`)).toBe(false);
    },
  );

  it.each([
    ['GET', `/repos/${repoId}/plan?branch=-beta`, undefined],
    ['GET', `/repos/${repoId}/plan?branch=be%20ta`, undefined],
    ['POST', `/repos/${repoId}/releases`, { branch: 'beta~1' }],
    ['POST', `/repos/${repoId}/releases`, { branch: 'b'.repeat(201) }],
    ['POST', `/repos/${repoId}/qa`, { branch: 7 }],
  ] as const)(
    'answers %s %s %j with 400 SHIPGATE_BAD_REQUEST for a malformed branch name',
    async (method, url, payload) => {
      const answer = await app.inject({ method, url, headers: AUTH, ...(payload ? { payload } : {}) });
      expect(answer.statusCode, answer.body).toBe(400);
      expect(answer.json()).toMatchObject({ code: 'SHIPGATE_BAD_REQUEST' });
    },
  );

  it("plans the beta branch on a read of its own, and the release branch's plan stays plan:<repo>", async () => {
    const beta = await get(`/repos/${repoId}/plan?branch=beta`);
    expect(beta.statusCode, beta.body).toBe(200);
    expect(beta.json()).toMatchObject({
      branch: BETA,
      sha: betaSha,
      version: '2.0.0-beta.1',
      tag: 'v2.0.0-beta.1',
      previous: { tag: 'v1.0.0' },
    });
    const read = await client.workflow.getHandle(`plan:${repoId}:#beta`).describe();
    expect(read.type).toBe('planReadWorkflow');

    const main = await get(`/repos/${repoId}/plan`);
    expect(main.json()).toMatchObject({ branch: MAIN, sha: mainSha, version: '1.0.1', previous: { tag: 'v1.0.0' } });
    // Naming the release branch is the same read as naming none.
    const named = await get(`/repos/${repoId}/plan?branch=main`);
    expect(named.json()).toEqual(main.json());
    expect(await exists(`plan:${repoId}:#main`)).toBe(false);
  });

  it('starts a release of beta: the run gets the branch, ShipgateBranch and a summary naming branch and channel', async () => {
    const answer = await idlePost(`/repos/${repoId}/releases`, { branch: 'beta', deploy: false });
    expect(answer.statusCode, answer.body).toBe(202);
    const { workflowId } = answer.json();
    started.push(workflowId);
    expect(workflowId).toBe(`release:${repoId}`);
    const handle = client.workflow.getHandle(workflowId);
    const description = await handle.describe();
    expect(description.typedSearchAttributes.get(BranchKey)).toBe('beta');
    expect(description.typedSearchAttributes.get(TriggerKey)).toBe('manual');
    expect(await description.staticSummary()).toBe(`Release of ${repoId} from beta (channel beta), no deploy`);
    const history = await handle.fetchHistory();
    const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
    expect(JSON.parse(Buffer.from(input!).toString())).toMatchObject({ repoId, branch: 'beta', deploy: false });

    // Visibility lists it with its branch.
    const listed = await pollUntil(
      async () => (await idle.inject({ method: 'GET', url: `/releases?repo=${repoId}`, headers: AUTH })).json(),
      (body) => body.runs?.some((run: { workflowId: string }) => run.workflowId === workflowId),
      30_000,
    );
    expect(listed.runs).toEqual([expect.objectContaining({ workflowId, branch: 'beta', status: 'RUNNING' })]);

    await handle.terminate('test over');
    const main = await idlePost(`/repos/${repoId}/releases`, {});
    expect(main.statusCode, main.body).toBe(202);
    const mainHandle = client.workflow.getHandle(main.json().workflowId);
    const mainRun = await mainHandle.describe();
    expect(mainRun.typedSearchAttributes.get(BranchKey)).toBe('main');
    expect(await mainRun.staticSummary()).toBe(`Release of ${repoId} from main`);
    await mainHandle.terminate('test over');
  });

  it('starts QA of the pushed commit for beta on a push to beta, and with release.auto releases beta after the pass; ignores a push to a branch not configured', async () => {
    const pushed = await github('refs/heads/beta', betaSha);
    expect(pushed.statusCode, pushed.body).toBe(202);
    expect(pushed.json()).toEqual({ status: 'started', workflowId: `qa:${repoId}:${betaSha}`, sha: betaSha });
    const qa = client.workflow.getHandle(`qa:${repoId}:${betaSha}`);
    const description = await pollUntil(
      () => qa.describe().catch(() => null),
      (d) => d !== null,
      30_000,
    );
    expect(description!.typedSearchAttributes.get(BranchKey)).toBe('beta');
    const history = await qa.fetchHistory();
    const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
    expect(JSON.parse(Buffer.from(input!).toString())).toMatchObject({
      repoId,
      sha: betaSha,
      branch: 'beta',
      trigger: 'webhook',
    });

    const elsewhere = await github('refs/heads/feature/x', betaSha);
    expect(elsewhere.statusCode).toBe(202);
    expect(elsewhere.json()).toEqual({
      status: 'ignored',
      reason:
        'push to refs/heads/feature/x, not to a configured branch (refs/heads/main, refs/heads/beta, refs/heads/1.x)',
    });
    for (const ref of ['refs/tags/v9.0.0', 'refs/heads/', 'beta'])
      expect((await github(ref, betaSha)).json(), ref).toMatchObject({ status: 'ignored' });

    // The pass releases the branch it was for: beta, on its channel, and nothing of main.
    const passed = await qa.result();
    expect(passed).toMatchObject({ outcome: 'test-pass' });
    const view = await get(`/qa/${encodeURIComponent(qa.workflowId)}`);
    expect(view.json()).toMatchObject({ state: { autoRelease: { started: true, workflowId: `release:${repoId}` } } });
    const release = client.workflow.getHandle(`release:${repoId}`);
    expect((await release.describe()).typedSearchAttributes.get(BranchKey)).toBe('beta');
    expect(await release.result()).toMatchObject({
      outcome: 'released',
      version: '2.0.0-beta.1',
      tag: 'v2.0.0-beta.1',
    });
    const qaRuns = await get(`/qa?repo=${repoId}`);
    expect(qaRuns.json().runs).toEqual(
      expect.arrayContaining([expect.objectContaining({ workflowId: qa.workflowId, branch: 'beta' })]),
    );
    const shown = await get(`/releases/${encodeURIComponent(`release:${repoId}`)}`);
    expect(shown.json()).toMatchObject({ status: 'COMPLETED', state: { branch: 'beta', channel: 'beta' } });
    const remote = await repo.git('ls-remote', 'origin');
    expect(remote).toContain('refs/tags/v2.0.0-beta.1');
    expect(remote).not.toContain('refs/tags/v1.0.1');
    expect(remote).toMatch(new RegExp(`^${mainSha}\trefs/heads/main$`, 'm'));
  });

  it('starts QA of the head of beta when asked for the branch', async () => {
    // beta's head is now its release commit.
    const head = (await repo.git('ls-remote', 'origin', 'refs/heads/beta')).split('\t')[0]!;
    expect(head).not.toBe(betaSha);
    const answer = await post(`/repos/${repoId}/qa`, { branch: 'beta' });
    expect(answer.statusCode, answer.body).toBe(202);
    expect(answer.json()).toMatchObject({ sha: head, workflowId: `qa:${repoId}:${head}` });
    expect(await exists(`head:${repoId}:beta`)).toBe(true);
  });
});
