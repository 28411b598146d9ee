import { Type, type Static, type TSchema } from 'typebox';
import type { DeliveryMetrics, LedgerCoverage } from '../../domain/delivery-metrics.js';
import { sameShape } from './same-shape.js';

/*
 * What GET /repos/:id/metrics answers: the delivery metrics of each environment, computed from
 * its ledger (domain/delivery-metrics.ts), and of the repository as a whole.
 */

function Nullable<T extends TSchema>(schema: T) {
  return Type.Union([schema, Type.Null()]);
}

const Ms = (description: string) => Nullable(Type.Integer({ description: `${description}, in milliseconds` }));

export const MetricsQuery = Type.Object(
  {
    since: Type.Optional(
      Type.String({
        maxLength: 40,
        description: 'Where the period starts: an ISO 8601 time, or how long before `until` (30d, 12h); default 30d',
      }),
    ),
    until: Type.Optional(
      Type.String({ maxLength: 40, description: 'Where it ends (not included): ISO 8601; default now' }),
    ),
    environment: Type.Optional(
      Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,62}$', description: 'Only this environment' }),
    ),
  },
  { additionalProperties: false },
);

const Metrics = {
  entries: Type.Integer({ description: 'Ledger entries that ended in the period, whatever their outcome' }),
  deploymentFrequency: Type.Object(
    {
      deployments: Type.Integer({ description: 'Entries that ended deployed (live and verified healthy)' }),
      perDay: Type.Number(),
      perWeek: Type.Number(),
    },
    { description: 'How often a version went live and healthy' },
  ),
  leadTime: Type.Object(
    {
      measured: Type.Integer({
        description: 'Deployed entries that know when the first commit of their release was made',
      }),
      unmeasured: Type.Integer({ description: 'Deployed entries that do not' }),
      medianMs: Ms('Median of endedAt − firstCommitAt'),
      p90Ms: Ms('90th percentile (nearest rank)'),
      meanMs: Ms('Mean'),
    },
    { description: 'Lead time for changes: from the first commit of the release to live and healthy' },
  ),
  changeFailureRate: Type.Object(
    {
      failures: Type.Integer({ description: 'Entries that ended rolled back, abandoned or failed' }),
      deployments: Type.Integer({ description: 'Entries that ran a deployment: the failures and the deployed ones' }),
      rate: Nullable(Type.Number({ description: 'failures ÷ deployments; null when nothing ran' })),
      rolledBack: Type.Integer(),
      abandoned: Type.Integer(),
      failed: Type.Integer(),
    },
    { description: 'Change failure rate' },
  ),
  timeToRestore: Type.Object(
    {
      restored: Type.Integer(),
      unrestored: Type.Integer({ description: 'Failures that no later deployment has restored yet' }),
      medianMs: Ms('Median, from the failing deployment’s start to healthy again'),
      meanMs: Ms('Mean'),
    },
    { description: 'Time to restore after a failure' },
  ),
};
export const DeliveryMetricsObject = Type.Object(Metrics);
sameShape<Static<typeof DeliveryMetricsObject>, DeliveryMetrics>(true);

const Coverage = Type.Object(
  {
    entries: Type.Integer({ description: 'Entries read: its workflow keeps the newest 100' }),
    total: Type.Integer({ description: 'Entries the ledger has had in all' }),
    oldest: Nullable(Type.String({ description: 'When the oldest entry read ended' })),
    complete: Type.Boolean({
      description: 'False when older entries were dropped that may have ended in the period: it reaches further back',
    }),
    source: Type.Union([Type.Literal('state'), Type.Literal('view'), Type.Literal('none')], {
      description:
        'state: every kept entry (asked of its workflow); view: the newest 20 (no worker answered); none: it never ran',
    }),
  },
  { description: 'What part of the environment’s ledger the metrics were computed from' },
);
sameShape<Omit<Static<typeof Coverage>, 'source'>, LedgerCoverage>(true);

export const EnvironmentMetrics = Type.Object({ environment: Type.String(), ledger: Coverage, ...Metrics });
export type EnvironmentMetricsAnswer = Static<typeof EnvironmentMetrics>;

export const MetricsAnswer = Type.Object(
  {
    repoId: Type.String(),
    since: Type.String(),
    until: Type.String(),
    days: Type.Number({ description: 'The length of the period in days' }),
    production: Nullable(
      Type.String({ description: 'The production-like environment: the last in promotion order; null without any' }),
    ),
    repository: Type.Union([EnvironmentMetrics, Type.Null()], {
      description: "The repository as a whole: its production-like environment's metrics",
    }),
    environments: Type.Array(EnvironmentMetrics, { description: 'In promotion order (only the one asked for)' }),
  },
  { description: 'Delivery metrics over a period, from the environments’ ledgers' },
);
export type MetricsAnswer = Static<typeof MetricsAnswer>;
