import type { Started } from '../api-types.js';
import {
  answer,
  BRANCH,
  branch,
  FOLLOW,
  followRun,
  repoPath,
  type CommandSpec,
  type ParseInput,
  type RunContext,
} from '../command.js';
import { renderStarted } from '../render.js';

export interface QaCommand {
  name: 'qa';
  repo: string;
  /** A configured branch; null for the release branch. */
  branch: string | null;
  follow: boolean;
}

export const spec: CommandSpec = {
  synopsis: 'qa <repo> [--branch <name>] [--follow] [--json]',
  summary: "Run QA on the head of the repository's release branch, or of another configured branch",
  positional: 'repo',
  options: { branch: BRANCH, ...FOLLOW },
};

export function parse({ positional, flag, str, usage }: ParseInput): QaCommand {
  return { name: 'qa', repo: positional, branch: branch(str('branch'), usage), follow: flag('follow') };
}

export async function run(command: QaCommand, context: RunContext): Promise<number> {
  const started = await context.api.post<Started>(
    `${repoPath(command.repo)}/qa`,
    command.branch === null ? undefined : { branch: command.branch },
  );
  return command.follow
    ? followRun(context, 'qa', started.workflowId)
    : answer(context, started, (s) =>
        renderStarted(`QA of ${command.repo}${command.branch === null ? '' : ` on ${command.branch}`}`, s),
      );
}
