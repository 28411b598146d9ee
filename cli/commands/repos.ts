import type { RepositoryView } from '../api-types.js';
import { answer, type CommandSpec, type RunContext } from '../command.js';
import { describeBranch, table } from '../render.js';

export interface ReposCommand {
  name: 'repos';
}

export const spec: CommandSpec = {
  synopsis: 'repos [--json]',
  summary: 'List the configured repositories and the branches each releases from',
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
    (r.branches?.map((b) => b.name) ?? [r.branch]).join(', '),
    r.coverage ? `${r.coverage.format} ≥ ${r.coverage.threshold}%` : '-',
    r.deploy ? r.deploy.environment : '-',
    r.test.command.join(' '),
  ]);
  // A repository with more than its release branch gets a line per branch: what each releases, and where.
  const lines = repositories.flatMap((r) =>
    (r.branches?.length ?? 0) > 1 ? [`  ${r.id}`, ...(r.branches ?? []).map((b) => `    ${describeBranch(b)}`)] : [],
  );
  const branches = table(['ID', 'SOURCE', 'BRANCHES', 'COVERAGE', 'DEPLOYS TO', 'TEST COMMAND'], rows);
  return lines.length === 0 ? branches : [...branches, '', 'Branches:', ...lines];
}
