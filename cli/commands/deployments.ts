import type { DeploymentsView } from '../api-types.js';
import { answer, repoPath, UsageError, type CommandSpec, type ParseInput, type RunContext } from '../command.js';
import { renderDeployments } from '../render.js';

export interface DeploymentsCommand {
  name: 'deployments';
  repo: string;
  limit: number | null;
}

export const spec: CommandSpec = {
  synopsis: 'deployments <repo> [--limit <n>] [--json]',
  summary: 'Show the deploy ledger: what is live per environment, and what was deployed when, with outcome and who asked',
  positional: 'repo',
  options: { limit: { type: 'string', value: '<n>', description: 'Runs per environment, newest first (default: 20)' } },
};

export function parse({ positional, str, usage }: ParseInput): DeploymentsCommand {
  return { name: 'deployments', repo: positional, limit: limit(str('limit'), usage) };
}

export async function run(command: DeploymentsCommand, context: RunContext): Promise<number> {
  const query = command.limit === null ? '' : `?${new URLSearchParams({ limit: String(command.limit) }).toString()}`;
  return answer(context, await context.api.get<DeploymentsView>(`${repoPath(command.repo)}/deployments${query}`), (ledger) => renderDeployments(command.repo, ledger));
}

/** The same bound the API's schema sets, so a typo is a usage error before any request. */
function limit(value: string | null, usage: string): number | null {
  if (value === null) return null;
  if (!/^[1-9][0-9]{0,2}$/.test(value)) throw new UsageError(`--limit must be a whole number from 1 to 999, got "${value}"`, usage);
  return Number(value);
}
