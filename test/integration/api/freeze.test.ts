import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authedRequests, buildTestApp, type TestApp } from '../../helpers/api.js';
import { endEnvironments, twoEnvironments, type TwoEnvironments } from '../../helpers/promotion.js';
import { startTestWorker, testConfig, type TestWorker } from '../../helpers/temporal.js';

const run = randomBytes(3).toString('hex');
const id = `freezeapi-${run}`;

describe('freeze windows over HTTP', () => {
  let worker: TestWorker;
  let app: TestApp;
  let envs: TwoEnvironments;
  const { get, post } = authedRequests(() => app);
  const from = new Date(Date.now() - 60_000).toISOString();
  const until = new Date(Date.now() + 3_600_000).toISOString();
  const nextYear = new Date().getUTCFullYear() + 1;

  beforeAll(async () => {
    envs = await twoEnvironments(id);
    const production = envs.settings.environments!.find((e) => e.name === 'production')!;
    production.freeze = [
      { from, to: until, reason: 'quarter end' },
      { cron: '0 0 1 1 *', duration: '1h', timezone: 'UTC', reason: 'new year' },
    ];
    worker = await startTestWorker(await testConfig([envs.settings]));
    app = await buildTestApp(worker.config, worker.client);
  });

  afterAll(async () => {
    await app?.close();
    if (worker) await endEnvironments(worker.client, id);
    await worker?.stop();
    await envs?.stop();
  });

  it('shows the window open now and the next ones, from the configuration', async () => {
    const listed = await get(`/repos/${id}/environments`);
    expect(listed.statusCode, listed.body).toBe(200);
    const [staging, production] = listed.json().environments;
    expect(staging.freeze).toEqual({ windows: 0, open: null, coming: [] });
    expect(production.freeze).toEqual({
      windows: 2,
      open: { from, until, reason: 'quarter end' },
      coming: [0, 1, 2].map((n) => ({
        from: `${nextYear + n}-01-01T00:00:00.000Z`,
        until: `${nextYear + n}-01-01T01:00:00.000Z`,
        reason: 'new year',
      })),
    });
  });

  it('refuses a deployment or a promotion by hand into the frozen environment, saying until when', async () => {
    const deployment = await post(`/repos/${id}/deployments`, { version: '1.0.0', environment: 'production' });
    expect(deployment.statusCode, deployment.body).toBe(409);
    expect(deployment.json()).toMatchObject({
      code: 'SHIPGATE_ENVIRONMENT_FROZEN',
      message: `production of "${id}" is frozen until ${until} (quarter end): 1.0.0 is not deployed there by hand before then`,
    });
    const promotion = await post(`/repos/${id}/environments/production/promotions`, { version: '1.0.0' });
    expect(promotion.statusCode, promotion.body).toBe(409);
    expect(promotion.json().code).toBe('SHIPGATE_ENVIRONMENT_FROZEN');
    // Staging has no window: the request goes on to the next check (1.0.0 was never released).
    const staging = await post(`/repos/${id}/deployments`, { version: '1.0.0', environment: 'staging' });
    expect(staging.json().code).not.toBe('SHIPGATE_ENVIRONMENT_FROZEN');
  });
});
