import type { RepositoryView } from '../api-types.js';
import { answer, type CommandSpec, type RunContext } from '../command.js';
import { renderRepositories } from '../render.js';

export interface ReposCommand {
  name: 'repos';
}

export const spec: CommandSpec = { synopsis: 'repos [--json]', summary: 'List the configured repositories', positional: null, options: {} };

export function parse(): ReposCommand {
  return { name: 'repos' };
}

export async function run(_command: ReposCommand, context: RunContext): Promise<number> {
  return answer(context, await context.api.get<{ repositories: RepositoryView[] }>('/repos'), (body) => renderRepositories(body.repositories));
}
