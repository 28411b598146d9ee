import type { Client } from '@temporalio/client';
import { durationMs } from '../config/duration.js';
import { environmentOrFail } from '../config/environments.js';
import { deliveryMetrics, ledgerCoverage, type Period } from '../domain/delivery-metrics.js';
import { ShipgateError } from '../domain/errors.js';
import type { EnvironmentState } from '../vocabulary/environments.js';
import type { ApiDeps } from './deps.js';
import { environmentState, fullState } from './environments.js';
import { configuredRepo } from './repositories.js';
import type { EnvironmentMetricsAnswer, MetricsAnswer } from './schemas/metrics.js';

const DAY_MS = 86_400_000;
/** The period when the request names none: the last 30 days. */
const DEFAULT_SINCE = '30d';

/**
 * The period a request names: `since` an ISO 8601 time or a length before `until` (30d, 12h,
 * 90m), `until` an ISO 8601 time (default now). Anything else, or an empty period, is a 400.
 */
export function periodOf(query: { since?: string; until?: string }, now: Date): Period {
  const until = query.until === undefined ? now : instant(query.until, 'until');
  const since = query.since ?? DEFAULT_SINCE;
  const relative = /^[1-9][0-9]{0,5}(s|m|h|d)$/.test(since);
  const start = relative ? new Date(until.getTime() - durationMs(since)) : instant(since, 'since');
  if (start.getTime() >= until.getTime())
    throw new ShipgateError(
      'SHIPGATE_BAD_REQUEST',
      `the period is empty: since (${start.toISOString()}) must come before until (${until.toISOString()})`,
    );
  return { since: start, until };
}

function instant(text: string, name: string): Date {
  // A date alone, or a time with its zone: a time without one would mean the API host's zone.
  const shaped = /^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}:[0-9]{2}))?$/;
  const at = Date.parse(text);
  if (!shaped.test(text) || Number.isNaN(at))
    throw new ShipgateError(
      'SHIPGATE_BAD_REQUEST',
      `${name} "${text}" is neither an ISO 8601 time with a zone (2026-03-01T00:00:00Z, 2026-03-01) nor a length such as 30d`,
    );
  return new Date(at);
}

/**
 * Every kept entry of an environment's ledger: the view in memo holds the newest 20, so when it
 * has more the workflow is asked (a worker answers); without an answer the view's part will do,
 * and the answer says so.
 */
async function ledgerOf(
  client: Client,
  repoId: string,
  environment: string,
): Promise<{ state: EnvironmentState | null; source: 'state' | 'view' | 'none' }> {
  const view = await environmentState(client, repoId, environment);
  if (!view) return { state: null, source: 'none' };
  if (view.ledgerTotal <= view.ledger.length) return { state: view, source: 'state' };
  const full = await fullState(client, view);
  return { state: full, source: full === view ? 'view' : 'state' };
}

async function environmentMetrics(
  deps: Pick<ApiDeps, 'client'>,
  repoId: string,
  environment: string,
  period: Period,
): Promise<EnvironmentMetricsAnswer> {
  const { state, source } = await ledgerOf(deps.client, repoId, environment);
  const ledger = state?.ledger ?? [];
  return {
    environment,
    ledger: { ...ledgerCoverage(ledger, state?.ledgerTotal ?? 0, period.since), source },
    ...deliveryMetrics(ledger, period),
  };
}

/**
 * The delivery metrics of a repository over a period: per environment, and for the repository as
 * a whole those of its production-like environment (the last in promotion order), which is where
 * a change reaches its users.
 */
export async function repositoryMetrics(
  deps: Pick<ApiDeps, 'client' | 'config'>,
  repoId: string,
  query: { since?: string; until?: string; environment?: string },
  now = new Date(),
): Promise<MetricsAnswer> {
  const repo = configuredRepo(deps.config, repoId);
  const period = periodOf(query, now);
  const only = query.environment === undefined ? null : environmentOrFail(repo, query.environment);
  const production = repo.environments.at(-1)?.name ?? null;
  const names = only ? [only.name] : repo.environments.map((e) => e.name);
  const wanted = production && !names.includes(production) ? [...names, production] : names;
  const read = await Promise.all(wanted.map((name) => environmentMetrics(deps, repo.id, name, period)));
  return {
    repoId: repo.id,
    since: period.since.toISOString(),
    until: period.until.toISOString(),
    days: (period.until.getTime() - period.since.getTime()) / DAY_MS,
    production,
    repository: read.find((m) => m.environment === production) ?? null,
    environments: read.filter((m) => names.includes(m.environment)),
  };
}
