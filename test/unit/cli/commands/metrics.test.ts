import { describe, expect, it } from 'vitest';
import type { MetricsView } from '../../../../cli/api-types.js';
import { parse, renderMetrics, span } from '../../../../cli/commands/metrics.js';
import { timestamp } from '../../../../cli/render.js';
import { parseInput } from './parse-input.js';

const H = 3_600_000;

function metrics(environment: string, overrides: Partial<MetricsView['environments'][number]> = {}) {
  return {
    environment,
    ledger: { entries: 4, total: 4, oldest: '2026-03-01T08:10:00.000Z', complete: true, source: 'state' as const },
    entries: 3,
    deploymentFrequency: { deployments: 3, perDay: 3 / 7, perWeek: 3 },
    leadTime: { measured: 3, unmeasured: 0, medianMs: 24 * H, p90Ms: 24 * H, meanMs: 84_000_000 },
    changeFailureRate: { failures: 0, deployments: 3, rate: 0, rolledBack: 0, abandoned: 0, failed: 0 },
    timeToRestore: { restored: 0, unrestored: 0, medianMs: null, meanMs: null },
    ...overrides,
  };
}

describe('metrics', () => {
  it('takes the repository, the period and one environment', () => {
    expect(parse(parseInput(['shop']))).toEqual({
      name: 'metrics',
      repo: 'shop',
      since: null,
      until: null,
      environment: null,
    });
    expect(parse(parseInput(['shop'], { since: '7d', until: '2026-03-08', env: 'production' }))).toMatchObject({
      since: '7d',
      until: '2026-03-08',
      environment: 'production',
    });
    expect(() => parse(parseInput(['shop'], { since: 'last week' }))).toThrow('--since must be a time');
  });

  it('shows one row per environment, the repository as a whole, and what the ledger cannot tell', () => {
    const production = metrics('production', {
      ledger: { entries: 28, total: 130, oldest: '2026-02-01T00:00:00.000Z', complete: false, source: 'state' },
      deploymentFrequency: { deployments: 4, perDay: 4 / 7, perWeek: 4 },
      leadTime: { measured: 3, unmeasured: 1, medianMs: 36 * H, p90Ms: 72 * H, meanMs: 44 * H },
      changeFailureRate: { failures: 3, deployments: 7, rate: 3 / 7, rolledBack: 1, abandoned: 1, failed: 1 },
      timeToRestore: { restored: 2, unrestored: 1, medianMs: 190 * 60_000, meanMs: 190 * 60_000 },
    });
    const view: MetricsView = {
      repoId: 'shop',
      since: '2026-03-01T00:00:00.000Z',
      until: '2026-03-08T00:00:00.000Z',
      days: 7,
      production: 'production',
      repository: production,
      environments: [metrics('staging'), production],
    };
    expect(renderMetrics(view)).toEqual([
      `Delivery metrics of shop, ${timestamp(view.since)} → ${timestamp(view.until)} (7 days)`,
      '',
      'ENV         DEPLOYS  PER WEEK  LEAD TIME  LEAD P90  FAILURE RATE  RESTORE  UNRESTORED',
      'staging     3        3         1d         1d        0% (0 of 3)   -        0',
      'production  4        4         1d12h      3d        43% (3 of 7)  3h10m    1',
      '',
      'shop as a whole (production, the last in promotion order): 4 deployments, 4 a week; lead time 1d12h (median); change failure rate 43% (3 of 7); time to restore 3h10m (median)',
      "production: 1 deployment without the time of the release's first commit, so without a lead time",
      `production: the period reaches further back than its ledger, which holds 28 of 130 entries, the oldest from ${timestamp('2026-02-01T00:00:00.000Z')}`,
    ]);
  });

  it('writes durations the way people say them', () => {
    expect([null, 45_000, 20 * 60_000, 190 * 60_000, 44 * H, 48 * H].map(span)).toEqual([
      '-',
      '45s',
      '20m',
      '3h10m',
      '1d20h',
      '2d',
    ]);
  });
});
