import type { LedgerEntry } from '../../vocabulary/environments.js';

/**
 * A ledger entry of a promotion from staging, for a seeded history: what the delivery metrics
 * read (outcome, when it started and ended, when the release's oldest commit was made) is given,
 * the rest is fixed. `startedAt` null: it never ran (superseded, refused).
 */
export function ledgerEntry(
  version: string,
  outcome: LedgerEntry['outcome'],
  startedAt: string | null,
  endedAt: string,
  firstCommitAt?: string | null,
): LedgerEntry {
  return {
    requestId: `seed-${version}-${endedAt}`,
    version,
    kind: 'promotion',
    trigger: 'manual',
    requestedBy: 'the tests',
    from: 'staging',
    requestedAt: startedAt ?? endedAt,
    startedAt,
    endedAt,
    outcome,
    reason: `seeded ${outcome}`,
    report: null,
    deployment: null,
    ...(firstCommitAt !== undefined ? { firstCommitAt } : {}),
  };
}
