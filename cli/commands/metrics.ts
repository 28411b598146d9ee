import { counted } from '../../domain/plural.js';
import type { MetricsView } from '../api-types.js';
import { answer, repoPath, UsageError, type CommandSpec, type ParseInput, type RunContext } from '../command.js';
import { shown, table, timestamp } from '../render.js';
import { environment, ENVIRONMENT } from './pin.js';

export interface MetricsCommand {
  name: 'metrics';
  repo: string;
  since: string | null;
  until: string | null;
  environment: string | null;
}

export const spec: CommandSpec = {
  synopsis: 'metrics <repo> [--since 30d] [--until <time>] [--env <env>] [--json]',
  summary:
    'Show the delivery metrics of a repository: deployment frequency, lead time, change failure rate, time to restore',
  positional: 'repo',
  options: {
    since: {
      type: 'string',
      value: '<time|30d>',
      description: 'Where the period starts: an ISO 8601 time, or how long before --until (default: 30d)',
    },
    until: { type: 'string', value: '<time>', description: 'Where it ends: an ISO 8601 time (default: now)' },
    env: ENVIRONMENT,
  },
};

export function parse({ positional, str, usage }: ParseInput): MetricsCommand {
  const since = str('since');
  if (since !== null && !/^([1-9][0-9]{0,5}(s|m|h|d)|[0-9]{4}-.+)$/.test(since))
    throw new UsageError(`--since must be a time such as 2026-03-01 or a length such as 30d, got "${since}"`, usage);
  const env = str('env');
  return {
    name: 'metrics',
    repo: positional,
    since,
    until: str('until'),
    environment: env === null ? null : environment(env, usage, 'metrics'),
  };
}

export async function run(command: MetricsCommand, context: RunContext): Promise<number> {
  const query = new URLSearchParams();
  if (command.since !== null) query.set('since', command.since);
  if (command.until !== null) query.set('until', command.until);
  if (command.environment !== null) query.set('environment', command.environment);
  const search = query.size ? `?${query.toString()}` : '';
  return answer(
    context,
    await context.api.get<MetricsView>(`${repoPath(command.repo)}/metrics${search}`),
    renderMetrics,
  );
}

type Metrics = MetricsView['environments'][number];

export function renderMetrics(view: MetricsView): string[] {
  const header = `Delivery metrics of ${view.repoId}, ${timestamp(view.since)} → ${timestamp(view.until)} (${decimal(view.days)} days)`;
  if (view.environments.length === 0) return shown([header, `${view.repoId} has no environments: it deploys nowhere.`]);
  const rows = view.environments.map((m) => [
    m.environment,
    String(m.deploymentFrequency.deployments),
    decimal(m.deploymentFrequency.perWeek),
    span(m.leadTime.medianMs),
    span(m.leadTime.p90Ms),
    rate(m),
    span(m.timeToRestore.medianMs),
    String(m.timeToRestore.unrestored),
  ]);
  const whole = view.repository;
  const notes = view.environments.flatMap((m) =>
    m.ledger.complete
      ? []
      : [
          `${m.environment}: the period reaches further back than its ledger, which holds ${m.ledger.entries} of ${m.ledger.total} entries, the oldest from ${m.ledger.oldest ? timestamp(m.ledger.oldest) : '-'}`,
        ],
  );
  const unmeasured = view.environments.filter((m) => m.leadTime.unmeasured > 0);
  return shown([
    header,
    '',
    ...table(['ENV', 'DEPLOYS', 'PER WEEK', 'LEAD TIME', 'LEAD P90', 'FAILURE RATE', 'RESTORE', 'UNRESTORED'], rows),
    ...(whole
      ? [
          '',
          `${view.repoId} as a whole (${whole.environment}, the last in promotion order): ${counted(whole.deploymentFrequency.deployments, 'deployment')}, ` +
            `${decimal(whole.deploymentFrequency.perWeek)} a week; lead time ${span(whole.leadTime.medianMs)} (median); ` +
            `change failure rate ${rate(whole)}; time to restore ${span(whole.timeToRestore.medianMs)} (median)`,
        ]
      : []),
    ...unmeasured.map(
      (m) =>
        `${m.environment}: ${counted(m.leadTime.unmeasured, 'deployment')} without the time of the release's first commit, so without a lead time`,
    ),
    ...notes,
  ]);
}

function rate(m: Metrics): string {
  const { rate: value, failures, deployments } = m.changeFailureRate;
  return value === null ? '-' : `${Math.round(value * 100)}% (${failures} of ${deployments})`;
}

/** At most one decimal: 4, 2.3, 0.5. */
function decimal(value: number): string {
  return String(Math.round(value * 10) / 10);
}

/** A duration the way people say it: 45s, 20m, 3h10m, 1d20h; '-' for none. */
export function span(ms: number | null): string {
  if (ms === null) return '-';
  const minutes = Math.round(ms / 60_000);
  if (ms < 60_000) return `${Math.round(ms / 1000)}s`;
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h${minutes % 60 ? `${minutes % 60}m` : ''}`;
  const days = Math.floor(hours / 24);
  return `${days}d${hours % 24 ? `${hours % 24}h` : ''}`;
}
