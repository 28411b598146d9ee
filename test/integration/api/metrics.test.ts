import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnvironmentState, LedgerEntry } from '../../../vocabulary/environments.js';
import { EnvironmentKey, RepoKey } from '../../../vocabulary/search-attributes.js';
import { authedRequests, buildTestApp, pollUntil, type TestApp } from '../../helpers/api.js';
import { endEnvironments, twoEnvironments, type TwoEnvironments } from '../../helpers/promotion.js';
import { startTestWorker, testConfig, type TestWorker } from '../../helpers/temporal.js';
import { ledgerEntry as entry } from '../../helpers/ledger.js';

const run = randomBytes(3).toString('hex');
const id = `metrics-${run}`;
const H = 3_600_000;
const M = 60_000;

/** Twenty old entries first, so the view in memo (the newest 20) does not hold them all. */
const OLD = Array.from({ length: 20 }, (_, i) =>
  entry(`1.0.${i}`, 'superseded', null, new Date(Date.UTC(2026, 1, 1, 0, i)).toISOString()),
);

const PRODUCTION: LedgerEntry[] = [
  ...OLD,
  entry('2.0.0', 'deployed', '2026-03-01T10:00:00.000Z', '2026-03-01T10:30:00.000Z', '2026-02-28T10:30:00.000Z'),
  entry('2.1.0', 'rolled-back', '2026-03-02T09:00:00.000Z', '2026-03-02T09:20:00.000Z'),
  entry('2.1.1', 'deployed', '2026-03-02T15:00:00.000Z', '2026-03-02T15:10:00.000Z', '2026-03-01T03:10:00.000Z'),
  entry('2.2.0', 'failed', '2026-03-04T12:00:00.000Z', '2026-03-04T12:40:00.000Z'),
  entry('2.2.1', 'deployed', '2026-03-04T17:50:00.000Z', '2026-03-04T18:00:00.000Z'),
  entry('2.3.0', 'refused', null, '2026-03-05T00:00:00.000Z'),
  entry('2.3.1', 'deployed', '2026-03-06T08:00:00.000Z', '2026-03-06T08:10:00.000Z', '2026-03-03T08:10:00.000Z'),
  entry('2.4.0', 'abandoned', '2026-03-07T20:00:00.000Z', '2026-03-07T20:30:00.000Z'),
];

const STAGING: LedgerEntry[] = [
  entry('2.0.0', 'deployed', '2026-03-01T08:00:00.000Z', '2026-03-01T08:10:00.000Z', '2026-02-28T10:10:00.000Z'),
  entry('2.1.0', 'deployed', '2026-03-02T07:00:00.000Z', '2026-03-02T07:10:00.000Z', '2026-03-01T07:10:00.000Z'),
  entry('2.2.0', 'deployed', '2026-03-04T10:00:00.000Z', '2026-03-04T10:10:00.000Z', '2026-03-03T10:10:00.000Z'),
  entry('2.5.0', 'failed', '2026-03-09T10:00:00.000Z', '2026-03-09T10:10:00.000Z'),
];

const WEEK = 'since=2026-03-01T00:00:00Z&until=2026-03-08T00:00:00Z';

/**
 * Production, 1–8 March (7 days), worked out by hand:
 * - in the period: 2.0.0 … 2.4.0, 8 entries; deployed 2.0.0, 2.1.1, 2.2.1, 2.3.1 = 4: 4/7 a day, 4 a week;
 * - lead times: 2.0.0 24h, 2.1.1 36h, 2.3.1 72h (2.2.1 has no first commit): sorted [24, 36, 72]h,
 *   median 36h, p90 the ⌈0.9 × 3⌉ = 3rd = 72h, mean 132h / 3 = 44h;
 * - failures 2.1.0 (rolled back), 2.2.0 (failed), 2.4.0 (abandoned) = 3, of 4 + 3 = 7 that ran: 3/7;
 * - restores: 2.1.0 its own 09:00 → 09:20 = 20m; 2.2.0 from 12:00 to 2.2.1 deployed at 18:00 = 6h;
 *   2.4.0 nothing deployed after it: not restored. Median and mean of [20m, 360m] = 190m.
 */
const PRODUCTION_WEEK = {
  environment: 'production',
  entries: 8,
  deploymentFrequency: { deployments: 4, perDay: 4 / 7, perWeek: 4 },
  leadTime: { measured: 3, unmeasured: 1, medianMs: 36 * H, p90Ms: 72 * H, meanMs: 44 * H },
  changeFailureRate: { failures: 3, deployments: 7, rate: 3 / 7, rolledBack: 1, abandoned: 1, failed: 1 },
  timeToRestore: { restored: 2, unrestored: 1, medianMs: 190 * M, meanMs: 190 * M },
};

/**
 * Staging, the same week: 2.0.0, 2.1.0, 2.2.0 deployed (2.5.0 failed after the period): 3/7 a day,
 * 3 a week; lead times [22h, 24h, 24h]: median 24h, p90 the 3rd = 24h, mean 70h / 3 = 84,000,000 ms;
 * no failure: a rate of 0 of 3, nothing to restore.
 */
const STAGING_WEEK = {
  environment: 'staging',
  entries: 3,
  deploymentFrequency: { deployments: 3, perDay: 3 / 7, perWeek: 3 },
  leadTime: { measured: 3, unmeasured: 0, medianMs: 24 * H, p90Ms: 24 * H, meanMs: 84_000_000 },
  changeFailureRate: { failures: 0, deployments: 3, rate: 0, rolledBack: 0, abandoned: 0, failed: 0 },
  timeToRestore: { restored: 0, unrestored: 0, medianMs: null, meanMs: null },
};

function seeded(environment: string, ledger: LedgerEntry[], ledgerTotal: number): EnvironmentState {
  return {
    kind: 'environment',
    repoId: id,
    environment,
    live: null,
    lastGood: null,
    pinned: null,
    pending: [],
    ledger,
    ledgerTotal,
    pinHistory: [],
    generation: 0,
    updatedAt: new Date().toISOString(),
  };
}

describe('GET /repos/:id/metrics on a seeded history', () => {
  let worker: TestWorker;
  let app: TestApp;
  let envs: TwoEnvironments;
  const { get } = authedRequests(() => app);

  beforeAll(async () => {
    envs = await twoEnvironments(id);
    worker = await startTestWorker(await testConfig([envs.settings]));
    app = await buildTestApp(worker.config, worker.client);
    // Each environment's workflow goes on from a carried state that holds the ledger, as after a continue-as-new.
    const carried = { production: seeded('production', PRODUCTION, 130), staging: seeded('staging', STAGING, 4) };
    for (const [environment, state] of Object.entries(carried))
      await worker.client.workflow.start('environmentWorkflow', {
        taskQueue: worker.taskQueue,
        workflowId: `environment:${id}:${environment}`,
        args: [{ repoId: id, environment, carried: state }],
        typedSearchAttributes: [
          { key: RepoKey, value: id },
          { key: EnvironmentKey, value: environment },
        ],
      });
    // Their views are in memo once each has read its settings.
    await pollUntil(
      async () => (await get(`/repos/${id}/environments`)).json(),
      (body: any) => body.environments?.every((e: any) => e.started) === true,
      30_000,
    );
  });

  afterAll(async () => {
    await app?.close();
    if (worker) await endEnvironments(worker.client, id);
    await worker?.stop();
    await envs?.stop();
  });

  it('answers what was worked out by hand, per environment and for the repository', async () => {
    const answer = await get(`/repos/${id}/metrics?${WEEK}`);
    expect(answer.statusCode, answer.body).toBe(200);
    const body = answer.json();
    expect(body).toMatchObject({
      repoId: id,
      since: '2026-03-01T00:00:00.000Z',
      until: '2026-03-08T00:00:00.000Z',
      days: 7,
      production: 'production',
    });
    expect(body.environments.map((e: any) => e.environment)).toEqual(['staging', 'production']);
    expect(body.environments[0]).toMatchObject(STAGING_WEEK);
    expect(body.environments[1]).toMatchObject(PRODUCTION_WEEK);
    expect(body.repository).toEqual(body.environments[1]);
    // Production keeps 28 entries, more than the view's 20: they were asked of its workflow. 130
    // in all, so older ones were dropped, but every one of them ended before 1 March.
    expect(body.environments[1].ledger).toEqual({
      entries: 28,
      total: 130,
      oldest: '2026-02-01T00:00:00.000Z',
      complete: true,
      source: 'state',
    });
    expect(body.environments[0].ledger).toMatchObject({ entries: 4, total: 4, complete: true });
  });

  it('takes a length before until, one environment, and says when the period reaches past the ledger', async () => {
    const relative = (await get(`/repos/${id}/metrics?since=7d&until=2026-03-08T00:00:00Z&environment=staging`)).json();
    expect(relative.since).toBe('2026-03-01T00:00:00.000Z');
    expect(relative.environments).toHaveLength(1);
    expect(relative.environments[0]).toMatchObject(STAGING_WEEK);
    expect(relative.repository).toMatchObject(PRODUCTION_WEEK);

    const longer = (await get(`/repos/${id}/metrics?since=2026-01-01&until=2026-03-08T00:00:00Z`)).json();
    expect(longer.environments[1].ledger).toMatchObject({ complete: false, total: 130 });
    expect(longer.environments[1].deploymentFrequency.deployments).toBe(4);

    // By default the last 30 days, which hold none of these.
    const recent = (await get(`/repos/${id}/metrics`)).json();
    expect(recent.days).toBe(30);
    expect(recent.repository.deploymentFrequency.deployments).toBe(0);
    expect(recent.repository.changeFailureRate.rate).toBeNull();
  });

  it('refuses a bad period with 400 and an unknown environment with 404', async () => {
    for (const query of ['since=yesterday', 'since=2026-03-08T00:00:00Z&until=2026-03-01T00:00:00Z', 'until=3000']) {
      const refused = await get(`/repos/${id}/metrics?${query}`);
      expect(refused.statusCode, query).toBe(400);
      expect(refused.json().code).toBe('SHIPGATE_BAD_REQUEST');
    }
    const unknown = await get(`/repos/${id}/metrics?environment=qa`);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 'SHIPGATE_UNKNOWN_ENVIRONMENT' });
    expect((await get(`/repos/nope-${run}/metrics`)).statusCode).toBe(404);
  });
});
