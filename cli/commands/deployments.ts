import type { DeploymentsView } from '../api-types.js';
import { answer, repoPath, UsageError, type CommandSpec, type ParseInput, type RunContext } from '../command.js';
import { shown, table, timestamp } from '../render.js';

export interface DeploymentsCommand {
  name: 'deployments';
  repo: string;
  limit: number | null;
}

export const spec: CommandSpec = {
  synopsis: 'deployments <repo> [--limit <n>] [--json]',
  summary:
    'Show the deploy ledger: what is live per environment, and what was deployed when, with outcome and who asked',
  positional: 'repo',
  options: { limit: { type: 'string', value: '<n>', description: 'Runs per environment, newest first (default: 20)' } },
};

export function parse({ positional, str, usage }: ParseInput): DeploymentsCommand {
  return { name: 'deployments', repo: positional, limit: limit(str('limit'), usage) };
}

export async function run(command: DeploymentsCommand, context: RunContext): Promise<number> {
  const query = command.limit === null ? '' : `?${new URLSearchParams({ limit: String(command.limit) }).toString()}`;
  return answer(
    context,
    await context.api.get<DeploymentsView>(`${repoPath(command.repo)}/deployments${query}`),
    (ledger) => renderDeployments(command.repo, ledger),
  );
}

/** The same bound the API's schema sets, so a typo is a usage error before any request. */
function limit(value: string | null, usage: string): number | null {
  if (value === null) return null;
  if (!/^[1-9][0-9]{0,2}$/.test(value))
    throw new UsageError(`--limit must be a whole number from 1 to 999, got "${value}"`, usage);
  return Number(value);
}

export function renderDeployments(repo: string, ledger: DeploymentsView): string[] {
  if (ledger.environments.length === 0)
    return shown([
      `No deployments of ${repo} on record in its context/ yet.`,
      ...ledger.warnings.map((warning) => `warning: ${warning}`),
    ]);
  const lines: string[] = [];
  for (const { environment, live, entries } of ledger.environments) {
    if (lines.length > 0) lines.push('');
    lines.push(
      live
        ? `${environment}: ${live.version} is live, verified healthy since ${timestamp(live.since)} (${live.report})`
        : `${environment}: nothing verified healthy on record, so no rollback target`,
    );
    if (entries.length === 0) continue;
    lines.push(
      ...table(
        ['VERSION', 'OUTCOME', 'LIVE AFTER', 'TRIGGER', 'REQUESTED BY', 'ENDED', 'REPORT'],
        entries.map((e) => [
          e.version,
          e.outcome,
          e.liveVersion ?? '-',
          e.trigger ?? '-',
          e.requestedBy ?? '-',
          timestamp(e.endedAt),
          e.report,
        ]),
      ),
    );
  }
  return shown([...lines, ...ledger.warnings.map((warning) => `warning: ${warning}`)]);
}
