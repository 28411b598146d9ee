import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authedRequests, buildTestApp, finished, pollUntil, type TestApp } from '../../helpers/api.js';
import { endEnvironments, twoEnvironments, type TwoEnvironments } from '../../helpers/promotion.js';
import { createSampleService, type SampleService } from '../../helpers/sample-service.js';
import { startTestWorker, testConfig, type TestWorker } from '../../helpers/temporal.js';

// Fresh IDs per run: environments are long-lived workflows, and an earlier run's would hold a fixed ID.
const run = randomBytes(3).toString('hex');
const manual = `envapi-${run}`;
const legacy = `envapi-legacy-${run}`;
const soaking = `envapi-soak-${run}`;

describe('environments over HTTP', () => {
  let worker: TestWorker;
  let app: TestApp;
  let envs: TwoEnvironments;
  let single: SampleService;
  let soaker: TwoEnvironments;
  const { get, post, until } = authedRequests(() => app);

  const environmentOf = async (repo: string, name: string) =>
    (await get(`/repos/${repo}/environments`)).json().environments.find((e: { name: string }) => e.name === name);

  /** Releases the repository through the API and waits for the release to end (it ends at its handover). */
  async function release(repo = manual): Promise<any> {
    const started = await post(`/repos/${repo}/releases`);
    expect(started.statusCode, started.body).toBe(202);
    const { workflowId, runId } = started.json();
    const done = await until(`/releases/${encodeURIComponent(workflowId)}?runId=${runId}`);
    expect(done.result?.outcome, JSON.stringify(done)).toBe('released');
    return done;
  }

  /** The release's view once its promotion awaits a promotion into production (autoPromote: false). */
  async function awaitingProduction(view: any): Promise<any> {
    return until(
      `/releases/${encodeURIComponent(view.workflowId)}?runId=${view.runId}`,
      (body) =>
        body.promotion?.state?.steps?.find((s: any) => s.environment === 'production')?.status === 'awaiting promotion',
    );
  }

  beforeAll(async () => {
    envs = await twoEnvironments(manual, { autoPromote: false, soak: '1s' });
    single = await createSampleService(legacy);
    soaker = await twoEnvironments(soaking, { autoPromote: false, soak: '1h' });
    worker = await startTestWorker(await testConfig([envs.settings, single.settings, soaker.settings]));
    app = await buildTestApp(worker.config, worker.client);
  });

  afterAll(async () => {
    await app?.close();
    if (worker) {
      await endEnvironments(worker.client, manual);
      await endEnvironments(worker.client, soaking);
      await worker.client.workflow
        .getHandle(`promotion:${soaking}:1.0.0`)
        .terminate('the test is over')
        .catch(() => undefined);
    }
    await worker?.stop();
    await Promise.all([envs?.stop(), single?.stop(), soaker?.stop()]);
  });

  it('lists the environments in promotion order before anything deployed, and a legacy repository as one', async () => {
    const listed = await get(`/repos/${manual}/environments`);
    expect(listed.statusCode, listed.body).toBe(200);
    expect(listed.json()).toMatchObject({ repoId: manual, promotes: true });
    expect(
      listed.json().environments.map((e: any) => [e.name, e.after, e.autoPromote, e.started, e.live, e.pinned]),
    ).toEqual([
      ['staging', null, true, false, null, null],
      ['production', 'staging', false, false, null, null],
    ]);
    expect(listed.json().environments[1]).toMatchObject({
      soakMs: 1000,
      workflowId: `environment:${manual}:production`,
      pending: [],
      ledger: [],
    });

    const old = await get(`/repos/${legacy}/environments`);
    expect(old.statusCode, old.body).toBe(200);
    expect(old.json()).toMatchObject({ repoId: legacy, promotes: false });
    expect(old.json().environments).toHaveLength(1);
    expect(old.json().environments[0]).toMatchObject({ after: null, pinned: null, started: false, pending: [] });

    expect((await get(`/repos/${manual}/environments?limit=0`)).statusCode).toBe(400);
    const anonymous = await app.inject({ method: 'GET', url: `/repos/${manual}/environments` });
    expect(anonymous.json()).toMatchObject({ statusCode: 401, code: 'SHIPGATE_UNAUTHORIZED' });
    const anonymousPin = await app.inject({
      method: 'POST',
      url: `/repos/${manual}/environments/production/pin`,
      payload: { reason: 'x' },
    });
    expect(anonymousPin.statusCode).toBe(401);
    expect((await get(`/repos/nope-${run}/environments`)).json().code).toBe('SHIPGATE_REPO_NOT_FOUND');
  });

  it('answers 404 for an environment the repository does not have, naming the ones it has', async () => {
    for (const path of ['promotions', 'pin', 'unpin']) {
      const body = path === 'promotions' ? { version: '1.0.0' } : { reason: 'freeze' };
      const answer = await post(`/repos/${manual}/environments/qa/${path}`, body);
      expect(answer.statusCode, answer.body).toBe(404);
      expect(answer.json()).toMatchObject({ code: 'SHIPGATE_UNKNOWN_ENVIRONMENT' });
      expect(answer.json().message).toContain('staging, production');
    }
    const deploy = await post(`/repos/${manual}/deployments`, { version: '1.0.0', environment: 'qa' });
    expect(deploy.json()).toMatchObject({ statusCode: 404, code: 'SHIPGATE_UNKNOWN_ENVIRONMENT' });
  });

  it('refuses to promote into the first environment, or what is not live and verified in the one before', async () => {
    const first = await post(`/repos/${manual}/environments/staging/promotions`, { version: '1.0.0' });
    expect(first.statusCode, first.body).toBe(409);
    expect(first.json().code).toBe('SHIPGATE_NOT_PROMOTABLE');
    expect(first.json().message).toContain(`POST /repos/${manual}/deployments`);

    const notLive = await post(`/repos/${manual}/environments/production/promotions`, { version: '1.0.0' });
    expect(notLive.statusCode, notLive.body).toBe(409);
    expect(notLive.json()).toMatchObject({ code: 'SHIPGATE_NOT_PROMOTABLE' });
    expect(notLive.json().message).toBe(
      '1.0.0 is not live and verified healthy in staging, which production is promoted from: nothing is live there yet',
    );
  });

  it("shows a release's promotion in its view, and promotes through it when it awaits production", async () => {
    const released = await release();
    const view = await awaitingProduction(released);
    expect(view.state.promotion).toEqual({ workflowId: `promotion:${manual}:1.0.0` });
    expect(view.promotion).toMatchObject({ workflowId: `promotion:${manual}:1.0.0`, status: 'RUNNING' });
    expect(view.promotion.state.steps.map((s: any) => [s.environment, s.status])).toEqual([
      ['staging', 'deployed'],
      ['production', 'awaiting promotion'],
    ]);
    expect(view.promotion.state.reached).toEqual(['staging']);

    const staging = await environmentOf(manual, 'staging');
    expect(staging).toMatchObject({ started: true, live: { version: '1.0.0', verified: true } });
    expect(staging.ledger[0]).toMatchObject({ version: '1.0.0', kind: 'release', outcome: 'deployed' });

    const promoted = await post(`/repos/${manual}/environments/production/promotions`, {
      version: 'v1.0.0',
      by: 'ana',
    });
    expect(promoted.statusCode, promoted.body).toBe(202);
    expect(promoted.json()).toMatchObject({
      environment: 'production',
      version: '1.0.0',
      workflowId: `promotion:${manual}:1.0.0`,
    });
    const done = await until(
      `/releases/${encodeURIComponent(released.workflowId)}?runId=${released.runId}`,
      (body) => body.promotion && finished(body.promotion),
    );
    expect(done.promotion.result).toMatchObject({ outcome: 'promoted', reached: ['staging', 'production'] });
    expect(done.promotion.state.steps.map((s: any) => s.status)).toEqual(['deployed', 'deployed']);
    const production = await environmentOf(manual, 'production');
    expect(production.live).toMatchObject({ version: '1.0.0', verified: true });
    expect(production.ledger[0]).toMatchObject({ version: '1.0.0', kind: 'promotion', requestedBy: 'ana' });
    expect(await envs.production.servingVersion()).toBe('1.0.0');
  });

  it('pins and unpins, with a 409 for a second pin, for an unpin of what is not pinned, and for a deployment into it', async () => {
    const pinned = await post(`/repos/${manual}/environments/production/pin`, { reason: 'release freeze', by: 'ana' });
    expect(pinned.statusCode, pinned.body).toBe(200);
    expect(pinned.json()).toMatchObject({
      environment: 'production',
      pinned: { by: 'ana', reason: 'release freeze', automatic: false, version: '1.0.0' },
    });
    expect((await environmentOf(manual, 'production')).pinned).toMatchObject({ reason: 'release freeze' });

    const again = await post(`/repos/${manual}/environments/production/pin`, { reason: 'twice' });
    expect(again.statusCode, again.body).toBe(409);
    expect(again.json().code).toBe('SHIPGATE_ENVIRONMENT_PINNED');
    expect(again.json().message).toMatch(/already pinned by ana since .*: release freeze/);

    const deploy = await post(`/repos/${manual}/deployments`, { version: '1.0.0', environment: 'production' });
    expect(deploy.statusCode, deploy.body).toBe(409);
    expect(deploy.json().code).toBe('SHIPGATE_ENVIRONMENT_PINNED');

    expect((await post(`/repos/${manual}/environments/production/pin`, {})).statusCode).toBe(400);

    const unpinned = await post(`/repos/${manual}/environments/production/unpin`, { reason: 'freeze over' });
    expect(unpinned.statusCode, unpinned.body).toBe(200);
    expect(unpinned.json().pinned).toBeNull();
    expect(unpinned.json().pinHistory.at(-1)).toMatchObject({ reason: 'release freeze', unpinReason: 'freeze over' });

    const notPinned = await post(`/repos/${manual}/environments/production/unpin`, { reason: 'again' });
    expect(notPinned.statusCode, notPinned.body).toBe(409);
    expect(notPinned.json()).toMatchObject({ code: 'SHIPGATE_ENVIRONMENT_NOT_PINNED' });
  });

  it('asks the environment directly when no promotion awaits it, once the version is live in the one before', async () => {
    await envs.staging.repo.commit('feat: more widgets', { 'src/more.js': 'export const more = true;\n' });
    const released = await release();
    await awaitingProduction(released);
    // Without its promotion, 1.1.0 waits in staging for someone to ask production for it.
    await worker.client.workflow.getHandle(`promotion:${manual}:1.1.0`).terminate('the test asks production itself');

    const tooNew = await post(`/repos/${manual}/environments/production/promotions`, { version: '1.2.0' });
    expect(tooNew.statusCode).toBe(409);
    expect(tooNew.json().message).toContain('1.1.0 is live there');

    const promoted = await post(`/repos/${manual}/environments/production/promotions`, { version: '1.1.0' });
    expect(promoted.statusCode, promoted.body).toBe(202);
    expect(promoted.json()).toMatchObject({ workflowId: `environment:${manual}:production`, version: '1.1.0' });
    expect(['queued', 'deploying']).toContain(promoted.json().status);
    const production = await pollUntil(
      () => environmentOf(manual, 'production'),
      (env) => env.live?.version === '1.1.0' && env.pending.length === 0,
    );
    expect(production.ledger[0]).toMatchObject({
      version: '1.1.0',
      kind: 'promotion',
      from: 'staging',
      outcome: 'deployed',
    });
  });

  it('refuses a promotion beside the running promotion that soaks the version, saying where it stands', async () => {
    const released = await release(soaking);
    await until(
      `/releases/${encodeURIComponent(released.workflowId)}?runId=${released.runId}`,
      (body) => body.promotion?.state?.steps?.find((s: any) => s.environment === 'production')?.status === 'soaking',
    );
    const refused = await post(`/repos/${soaking}/environments/production/promotions`, { version: '1.0.0' });
    expect(refused.statusCode, refused.body).toBe(409);
    expect(refused.json().code).toBe('SHIPGATE_NOT_PROMOTABLE');
    expect(refused.json().message).toMatch(
      new RegExp(`^promotion:${soaking}:1\\.0\\.0 is taking 1\\.0\\.0 into production, which is soaking`),
    );
    expect((await get(`/repos/${soaking}/environments`)).json().environments[1].live).toBeNull();
  });

  it('deploys by hand into an environment, the first by default, answering where the request stands', async () => {
    const requested = await post(`/repos/${manual}/deployments`, { version: '1.0.0' });
    expect(requested.statusCode, requested.body).toBe(202);
    expect(requested.json()).toMatchObject({ workflowId: `environment:${manual}:staging`, environment: 'staging' });
    expect(['queued', 'deploying']).toContain(requested.json().status);
    const staging = await pollUntil(
      () => environmentOf(manual, 'staging'),
      (env) => env.ledger[0]?.requestId === requested.json().requestId,
    );
    expect(staging.ledger[0]).toMatchObject({ version: '1.0.0', kind: 'manual', outcome: 'deployed' });
    expect(staging.live.version).toBe('1.0.0');

    const unreleased = await post(`/repos/${manual}/deployments`, { version: '9.9.9', environment: 'production' });
    // The same release check as a deployment without environments: a version without its tag is no release.
    expect(unreleased.statusCode, unreleased.body).toBe(404);
    expect(unreleased.json().code).toBe('SHIPGATE_TAG_NOT_FOUND');
  });
});
