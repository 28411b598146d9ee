import type { Started } from '../api-types.js';
import { answer, FOLLOW, followRun, repoPath, type CommandSpec, type ParseInput, type RunContext } from '../command.js';
import { renderStarted } from '../render.js';

export interface QaCommand {
  name: 'qa';
  repo: string;
  follow: boolean;
}

export const spec: CommandSpec = {
  synopsis: 'qa <repo> [--follow] [--json]',
  summary: "Run QA on the repository's current head",
  positional: 'repo',
  options: FOLLOW,
};

export function parse({ positional, flag }: ParseInput): QaCommand {
  return { name: 'qa', repo: positional, follow: flag('follow') };
}

export async function run(command: QaCommand, context: RunContext): Promise<number> {
  const started = await context.api.post<Started>(`${repoPath(command.repo)}/qa`);
  return command.follow
    ? followRun(context, 'qa', started.workflowId)
    : answer(context, started, (s) => renderStarted(`QA of ${command.repo}`, s));
}
