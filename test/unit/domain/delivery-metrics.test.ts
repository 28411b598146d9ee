import { describe, expect, it } from 'vitest';
import { deliveryMetrics, ledgerCoverage, summary } from '../../../domain/delivery-metrics.js';
import type { LedgerEntry } from '../../../vocabulary/environments.js';
import { ledgerEntry as entry } from '../../helpers/ledger.js';

const H = 3_600_000;
const M = 60_000;

/** One environment's ledger, oldest first, as its workflow keeps it. */
const LEDGER: LedgerEntry[] = [
  entry('0.9.0', 'deployed', '2026-02-27T09:50:00Z', '2026-02-27T10:00:00Z', '2026-02-20T10:00:00Z'),
  entry('1.0.0', 'deployed', '2026-03-02T10:00:00Z', '2026-03-02T10:10:00Z', '2026-03-01T10:10:00Z'),
  entry('1.1.0', 'failed', '2026-03-03T09:00:00Z', '2026-03-03T09:30:00Z', '2026-03-02T00:00:00Z'),
  entry('1.2.0', 'superseded', null, '2026-03-03T10:00:00Z'),
  entry('1.1.1', 'deployed', '2026-03-03T11:50:00Z', '2026-03-03T12:00:00Z', '2026-03-02T12:00:00Z'),
  entry('1.3.0', 'rolled-back', '2026-03-05T14:00:00Z', '2026-03-05T14:45:00Z'),
  entry('1.3.1', 'deployed', '2026-03-06T08:00:00Z', '2026-03-06T08:20:00Z', '2026-03-04T08:20:00Z'),
  entry('1.4.0', 'refused', null, '2026-03-07T00:00:00Z'),
  entry('1.4.1', 'deployed', '2026-03-08T09:00:00Z', '2026-03-08T09:05:00Z', null),
  entry('1.5.0', 'abandoned', '2026-03-14T20:00:00Z', '2026-03-14T21:00:00Z'),
  entry('1.5.1', 'deployed', '2026-03-15T01:50:00Z', '2026-03-15T02:00:00Z', '2026-03-14T02:00:00Z'),
  entry('1.6.0', 'failed', '2026-03-15T10:00:00Z', '2026-03-15T10:30:00Z'),
];

const period = (since: string, until: string) => ({ since: new Date(since), until: new Date(until) });

describe('deliveryMetrics on a hand-made ledger', () => {
  it('counts the first two weeks of March by hand', () => {
    const metrics = deliveryMetrics(LEDGER, period('2026-03-01T00:00:00Z', '2026-03-15T00:00:00Z'));
    // In the period (ended in [1 March, 15 March)): 1.0.0 … 1.5.0, nine entries.
    expect(metrics.entries).toBe(9);
    // Deployed: 1.0.0, 1.1.1, 1.3.1, 1.4.1 = 4, over 14 days = 2 weeks: 4/14 a day, 4/2 a week.
    expect(metrics.deploymentFrequency).toEqual({ deployments: 4, perDay: 4 / 14, perWeek: 2 });
    // Lead times (endedAt − firstCommitAt): 1.0.0 24h, 1.1.1 24h, 1.3.1 48h; 1.4.1 has none.
    // Sorted [24h, 24h, 48h]: median 24h; p90 is the ceil(0.9 × 3) = 3rd, 48h; mean 96h / 3 = 32h.
    expect(metrics.leadTime).toEqual({ measured: 3, unmeasured: 1, medianMs: 24 * H, p90Ms: 48 * H, meanMs: 32 * H });
    // Failures: 1.1.0 failed, 1.3.0 rolled back, 1.5.0 abandoned = 3, of 4 + 3 = 7 that ran a
    // deployment (1.2.0 superseded and 1.4.0 refused never ran): 3/7.
    expect(metrics.changeFailureRate).toEqual({
      failures: 3,
      deployments: 7,
      rate: 3 / 7,
      rolledBack: 1,
      abandoned: 1,
      failed: 1,
    });
    // Restores, from the failing deployment's start:
    //   1.1.0 failed at 09:00 → 1.1.1 deployed at 12:00 = 3h;
    //   1.3.0 rolled back: its own 14:00 → 14:45 = 45m;
    //   1.5.0 abandoned at 20:00 on 14 March → 1.5.1 deployed 02:00 on 15 March (after the period) = 6h.
    // Sorted [45m, 3h, 6h]: median 3h; mean (45m + 180m + 360m) / 3 = 195m = 3h15m.
    expect(metrics.timeToRestore).toEqual({ restored: 3, unrestored: 0, medianMs: 3 * H, meanMs: 195 * M });
  });

  it('counts a failure nothing deployed after as not restored, and takes the median of an even count', () => {
    const metrics = deliveryMetrics(LEDGER, period('2026-03-01T00:00:00Z', '2026-03-16T00:00:00Z'));
    // Now 1.5.1 (deployed, lead 24h) and 1.6.0 (failed, nothing after it) are in too: 11 entries.
    expect(metrics.entries).toBe(11);
    // 5 deployed over 15 days: 5/15 a day, 5 / (15/7) a week.
    expect(metrics.deploymentFrequency.deployments).toBe(5);
    expect(metrics.deploymentFrequency.perDay).toBeCloseTo(5 / 15, 12);
    expect(metrics.deploymentFrequency.perWeek).toBeCloseTo(5 / (15 / 7), 12);
    // Lead times sorted [24h, 24h, 24h, 48h]: median (24h + 24h) / 2 = 24h; p90 the ceil(3.6) = 4th,
    // 48h; mean 120h / 4 = 30h.
    expect(metrics.leadTime).toEqual({ measured: 4, unmeasured: 1, medianMs: 24 * H, p90Ms: 48 * H, meanMs: 30 * H });
    // 4 failures of 5 + 4 = 9 that ran.
    expect(metrics.changeFailureRate).toMatchObject({ failures: 4, deployments: 9, rate: 4 / 9, failed: 2 });
    // The same three restores; 1.6.0 is not restored and counts apart.
    expect(metrics.timeToRestore).toEqual({ restored: 3, unrestored: 1, medianMs: 3 * H, meanMs: 195 * M });
  });

  it('says nothing it cannot measure', () => {
    const metrics = deliveryMetrics(LEDGER, period('2026-01-01T00:00:00Z', '2026-01-08T00:00:00Z'));
    expect(metrics).toEqual({
      entries: 0,
      deploymentFrequency: { deployments: 0, perDay: 0, perWeek: 0 },
      leadTime: { measured: 0, unmeasured: 0, medianMs: null, p90Ms: null, meanMs: null },
      changeFailureRate: { failures: 0, deployments: 0, rate: null, rolledBack: 0, abandoned: 0, failed: 0 },
      timeToRestore: { restored: 0, unrestored: 0, medianMs: null, meanMs: null },
    });
  });
});

describe('summary', () => {
  it('takes the median of the middle two, the nearest-rank p90, and rounds to the millisecond', () => {
    expect(summary([3, 1, 2, 4])).toEqual({ medianMs: 3, p90Ms: 4, meanMs: 3 });
    expect(summary([1, 2])).toEqual({ medianMs: 2, p90Ms: 2, meanMs: 2 });
    expect(summary([10, 1, 1, 1, 1, 1, 1, 1, 1, 1])).toEqual({ medianMs: 1, p90Ms: 1, meanMs: 2 });
    expect(summary([])).toEqual({ medianMs: null, p90Ms: null, meanMs: null });
  });
});

describe('ledgerCoverage', () => {
  it('is complete when nothing was dropped from the ledger, or the period starts after the oldest kept entry', () => {
    expect(ledgerCoverage(LEDGER, LEDGER.length, new Date('2020-01-01T00:00:00Z'))).toEqual({
      entries: 12,
      total: 12,
      oldest: '2026-02-27T10:00:00Z',
      complete: true,
    });
    expect(ledgerCoverage(LEDGER, 150, new Date('2026-03-01T00:00:00Z'))).toMatchObject({ complete: true });
    expect(ledgerCoverage(LEDGER, 150, new Date('2026-02-01T00:00:00Z'))).toMatchObject({
      total: 150,
      complete: false,
    });
    expect(ledgerCoverage([], 0, new Date())).toEqual({ entries: 0, total: 0, oldest: null, complete: true });
  });
});
