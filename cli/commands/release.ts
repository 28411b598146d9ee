import type { Started } from '../api-types.js';
import {
  answer,
  BRANCH,
  branch,
  BUMP,
  bump,
  FOLLOW,
  followRun,
  repoPath,
  type CommandSpec,
  type ParseInput,
  type RunContext,
} from '../command.js';
import { CliError } from '../http.js';
import { renderStarted } from '../render.js';

export interface ReleaseCommand {
  name: 'release';
  repo: string;
  bump: string | null;
  /** A configured branch; null for the release branch. */
  branch: string | null;
  deploy: boolean;
  follow: boolean;
}

export const spec: CommandSpec = {
  synopsis: 'release <repo> [--branch <name>] [--bump major|minor|patch|x.y.z] [--no-deploy] [--follow] [--json]',
  summary: 'Release a repository: QA gate, next version, changelog, tag, push, then deploy',
  positional: 'repo',
  options: {
    branch: BRANCH,
    bump: BUMP,
    'no-deploy': { type: 'boolean', description: 'Release without deploying' },
    ...FOLLOW,
  },
};

export function parse({ positional, str, flag, usage }: ParseInput): ReleaseCommand {
  return {
    name: 'release',
    repo: positional,
    bump: bump(str('bump'), usage),
    branch: branch(str('branch'), usage),
    deploy: !flag('no-deploy'),
    follow: flag('follow'),
  };
}

export async function run(command: ReleaseCommand, context: RunContext): Promise<number> {
  const options = {
    ...(command.branch === null ? {} : { branch: command.branch }),
    ...(command.bump === null ? {} : { bump: command.bump }),
    ...(command.deploy ? {} : { deploy: false }),
  };
  const started = await context.api
    .post<Started>(`${repoPath(command.repo)}/releases`, options)
    .catch((error: unknown) => {
      throw alreadyRunning(error) ?? error;
    });
  return command.follow
    ? followRun(context, 'release', started.workflowId)
    : answer(context, started, (s) =>
        renderStarted(`the release of ${command.repo}${command.branch === null ? '' : ` from ${command.branch}`}`, s),
      );
}

/** The 409 names the release already running; say how to watch it instead. */
function alreadyRunning(error: unknown): CliError | null {
  if (!(error instanceof CliError) || error.details.code !== 'SHIPGATE_RELEASE_RUNNING') return null;
  const workflowId = error.details.body?.workflowId;
  return typeof workflowId === 'string'
    ? new CliError(`${error.message}; follow it with: shipgate status ${workflowId} --follow`, error.details)
    : null;
}
