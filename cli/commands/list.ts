import type { RunSummary } from '../api-types.js';
import { answer, runsPath, UsageError, type CommandSpec, type ParseInput, type RunContext } from '../command.js';
import { table, timestamp } from '../render.js';

export type ListStatus = 'running' | 'completed' | 'failed';

export interface ListCommand {
  name: 'list';
  repo: string | null;
  status: ListStatus | null;
}

export const spec: CommandSpec = {
  synopsis: 'list [--repo <id>] [--status running|completed|failed] [--json]',
  summary: 'List release runs, newest first',
  positional: null,
  options: {
    repo: { type: 'string', value: '<id>', description: 'Only the runs of this repository' },
    status: { type: 'string', value: '<running|completed|failed>', description: 'Only runs in this state' },
  },
};

export function parse({ str, usage }: ParseInput): ListCommand {
  return { name: 'list', repo: str('repo'), status: listStatus(str('status'), usage) };
}

export async function run(command: ListCommand, context: RunContext): Promise<number> {
  const query = new URLSearchParams();
  if (command.repo !== null) query.set('repo', command.repo);
  if (command.status !== null) query.set('status', command.status);
  const search = query.size > 0 ? `?${query.toString()}` : '';
  return answer(context, await context.api.get<{ runs: RunSummary[] }>(`${runsPath('release')}${search}`), (body) =>
    renderRuns(body.runs),
  );
}

function listStatus(value: string | null, usage: string): ListStatus | null {
  if (value === null || value === 'running' || value === 'completed' || value === 'failed') return value;
  throw new UsageError(`--status must be running, completed or failed, got "${value}"`, usage);
}

export function renderRuns(runs: RunSummary[]): string[] {
  if (runs.length === 0) return ['No runs.'];
  // The run ID tells the runs of one ID apart (every release of a repository is `release:<repo>`).
  const rows = runs.map((run) => [
    run.workflowId,
    run.runId,
    run.type.replace(/Workflow$/, ''),
    run.branch ?? '-',
    run.status,
    run.stage ?? '-',
    run.version ?? '-',
    run.outcome ?? '-',
    timestamp(run.startTime),
  ]);
  return table(['WORKFLOW ID', 'RUN ID', 'TYPE', 'BRANCH', 'STATUS', 'STAGE', 'VERSION', 'OUTCOME', 'STARTED'], rows);
}
