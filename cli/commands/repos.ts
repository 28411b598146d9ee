import type { RepositoryView } from '../api-types.js';
import { answer, type CommandSpec, type RunContext } from '../command.js';
import { table } from '../render.js';

export interface ReposCommand {
  name: 'repos';
}

export const spec: CommandSpec = {
  synopsis: 'repos [--json]',
  summary: 'List the configured repositories',
  positional: null,
  options: {},
};

export function parse(): ReposCommand {
  return { name: 'repos' };
}

export async function run(_command: ReposCommand, context: RunContext): Promise<number> {
  return answer(context, await context.api.get<{ repositories: RepositoryView[] }>('/repos'), (body) =>
    renderRepositories(body.repositories),
  );
}

export function renderRepositories(repositories: RepositoryView[]): string[] {
  if (repositories.length === 0) return ['No repositories are configured.'];
  const rows = repositories.map((r) => [
    r.id,
    r.source,
    r.branch,
    r.coverage ? `${r.coverage.format} ≥ ${r.coverage.threshold}%` : '-',
    r.deploy ? r.deploy.environment : '-',
    r.test.command.join(' '),
  ]);
  return table(['ID', 'SOURCE', 'BRANCH', 'COVERAGE', 'DEPLOYS TO', 'TEST COMMAND'], rows);
}
