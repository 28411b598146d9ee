import { runKindOf, type RunSummary } from '../api-types.js';
import { answer, runPath, UsageError, type CommandSpec, type ParseInput, type RunContext } from '../command.js';
import { table, timestamp } from '../render.js';

export interface RunsCommand {
  name: 'runs';
  id: string;
}

export const spec: CommandSpec = {
  synopsis: 'runs <id> [--json]',
  summary: 'List every run of a workflow ID, newest first (each release of a repository is a run of release:<repo>)',
  positional: 'id',
  options: {},
};

export function parse({ positional, usage }: ParseInput): RunsCommand {
  if (runKindOf(positional) === null)
    throw new UsageError(`"${positional}" is not a workflow ID: expected qa:…, release:… or deploy:…`, usage);
  return { name: 'runs', id: positional };
}

export async function run(command: RunsCommand, context: RunContext): Promise<number> {
  const kind = runKindOf(command.id)!;
  const body = await context.api.get<{ runs: RunSummary[] }>(`${runPath(kind, command.id)}/runs`);
  return answer(context, body, () => renderRunsOf(command.id, body.runs));
}

/** One line per run; `shipgate status <id> --run <runId>` shows one of them. */
export function renderRunsOf(workflowId: string, runs: RunSummary[]): string[] {
  if (runs.length === 0) return [`No runs of ${workflowId}.`];
  const rows = runs.map((run) => [
    run.runId,
    run.status,
    run.version ?? '-',
    run.outcome ?? '-',
    timestamp(run.startTime),
    run.closeTime ? timestamp(run.closeTime) : '-',
  ]);
  return [
    ...table(['RUN ID', 'STATUS', 'VERSION', 'OUTCOME', 'STARTED', 'CLOSED'], rows),
    '',
    `Show one: shipgate status ${workflowId} --run <runId>`,
  ];
}
