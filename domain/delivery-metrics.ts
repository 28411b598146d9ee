import type { LedgerEntry } from '../vocabulary/environments.js';

/*
 * The four delivery metrics of one environment over a period, from its ledger alone. Pure: the
 * API reads the ledgers and answers with these; README "Delivery metrics" says the same in words.
 *
 * An entry belongs to the period when it ended in it: since ≤ endedAt < until.
 */

const DAY_MS = 86_400_000;

/** Outcomes of an entry that ran a deployment and left the environment worse: a change failure. */
const FAILURES = ['rolled-back', 'abandoned', 'failed'] as const;
type Failure = (typeof FAILURES)[number];

export interface Period {
  since: Date;
  until: Date;
}

export interface DeliveryMetrics {
  /** Ledger entries that ended in the period, whatever their outcome. */
  entries: number;
  /** Entries that ended `deployed` (live and verified healthy), per day and per week of the period. */
  deploymentFrequency: { deployments: number; perDay: number; perWeek: number };
  /**
   * For each `deployed` entry that knows when the oldest commit of its release was made:
   * endedAt − firstCommitAt. `unmeasured`: deployed entries that do not know it.
   */
  leadTime: {
    measured: number;
    unmeasured: number;
    medianMs: number | null;
    p90Ms: number | null;
    meanMs: number | null;
  };
  /**
   * Entries that ended rolled back, abandoned or failed, over every entry that ran a deployment
   * (those and the deployed ones; superseded and refused requests never ran one). Null with none.
   */
  changeFailureRate: {
    failures: number;
    deployments: number;
    rate: number | null;
    rolledBack: number;
    abandoned: number;
    failed: number;
  };
  /**
   * For each failure of the period, from when its deployment started to when the environment was
   * healthy again: a rolled-back entry at its own end (its rollback was verified healthy), a failed
   * or abandoned one at the end of the next entry that ended `deployed`, in or after the period.
   */
  timeToRestore: { restored: number; unrestored: number; medianMs: number | null; meanMs: number | null };
}

/** What part of an environment's history its kept ledger holds, for the answer to say. */
export interface LedgerCoverage {
  /** Entries kept (the environment's workflow keeps the newest LEDGER_KEPT). */
  entries: number;
  /** Entries the ledger has had in all. */
  total: number;
  /** When the oldest kept entry ended; null with none. */
  oldest: string | null;
  /**
   * True when no entry of the period can be missing: none was dropped, or every dropped one ended
   * before the period began (the ledger drops the entries that ended first).
   */
  complete: boolean;
}

const ms = (iso: string) => Date.parse(iso);

/**
 * Median (the middle value, or the mean of the two middle ones), 90th percentile by nearest rank
 * (the ⌈0.9 n⌉-th smallest) and mean, each rounded to the millisecond; null for no values.
 */
export function summary(values: readonly number[]): {
  medianMs: number | null;
  p90Ms: number | null;
  meanMs: number | null;
} {
  if (!values.length) return { medianMs: null, p90Ms: null, meanMs: null };
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const middle = n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  return {
    medianMs: Math.round(middle),
    p90Ms: Math.round(sorted[Math.ceil(0.9 * n) - 1]!),
    meanMs: Math.round(sorted.reduce((sum, v) => sum + v, 0) / n),
  };
}

function isFailure(entry: LedgerEntry): entry is LedgerEntry & { outcome: Failure } {
  return (FAILURES as readonly string[]).includes(entry.outcome);
}

/**
 * The metrics of one environment's ledger over `period`. Entries after the period are read too,
 * but only to find when a failure of the period was restored.
 */
export function deliveryMetrics(ledger: readonly LedgerEntry[], period: Period): DeliveryMetrics {
  const since = period.since.getTime();
  const until = period.until.getTime();
  const byEnd = [...ledger].sort((a, b) => ms(a.endedAt) - ms(b.endedAt));
  const inPeriod = byEnd.filter((e) => ms(e.endedAt) >= since && ms(e.endedAt) < until);
  const deployed = inPeriod.filter((e) => e.outcome === 'deployed');
  const failures = inPeriod.filter(isFailure);
  const days = (until - since) / DAY_MS;

  const leadTimes = deployed.flatMap((e) => {
    const first = typeof e.firstCommitAt === 'string' ? ms(e.firstCommitAt) : NaN;
    return Number.isNaN(first) ? [] : [ms(e.endedAt) - first];
  });
  const { medianMs, p90Ms, meanMs } = summary(leadTimes);

  const restores: number[] = [];
  let unrestored = 0;
  for (const failure of failures) {
    const start = ms(failure.startedAt ?? failure.endedAt);
    const end = ms(failure.endedAt);
    const next = byEnd.find((e) => e.outcome === 'deployed' && ms(e.endedAt) > end);
    const restoredAt = failure.outcome === 'rolled-back' ? end : next ? ms(next.endedAt) : null;
    if (restoredAt === null) unrestored += 1;
    else restores.push(restoredAt - start);
  }
  const restore = summary(restores);
  const ran = deployed.length + failures.length;
  const count = (outcome: Failure) => failures.filter((e) => e.outcome === outcome).length;

  return {
    entries: inPeriod.length,
    deploymentFrequency: {
      deployments: deployed.length,
      perDay: days > 0 ? deployed.length / days : 0,
      perWeek: days > 0 ? deployed.length / (days / 7) : 0,
    },
    leadTime: { measured: leadTimes.length, unmeasured: deployed.length - leadTimes.length, medianMs, p90Ms, meanMs },
    changeFailureRate: {
      failures: failures.length,
      deployments: ran,
      rate: ran ? failures.length / ran : null,
      rolledBack: count('rolled-back'),
      abandoned: count('abandoned'),
      failed: count('failed'),
    },
    timeToRestore: { restored: restores.length, unrestored, medianMs: restore.medianMs, meanMs: restore.meanMs },
  };
}

/** How much of the environment's history `ledger` (its kept entries, of `total`) covers from `since`. */
export function ledgerCoverage(ledger: readonly LedgerEntry[], total: number, since: Date): LedgerCoverage {
  const oldest = ledger.reduce<string | null>((o, e) => (o === null || ms(e.endedAt) < ms(o) ? e.endedAt : o), null);
  const dropped = total > ledger.length;
  return {
    entries: ledger.length,
    total,
    oldest,
    complete: !dropped || (oldest !== null && since.getTime() > ms(oldest)),
  };
}
