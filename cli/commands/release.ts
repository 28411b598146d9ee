import type { PromotionView, Started } from '../api-types.js';
import {
  answer,
  BRANCH,
  branch,
  BUMP,
  bump,
  FOLLOW,
  followRun,
  repoPath,
  runPath,
  type CommandSpec,
  type ParseInput,
  type RunContext,
} from '../command.js';
import { CliError } from '../http.js';
import { EXIT } from '../outcome.js';
import { followPromotion } from '../promotion.js';
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
  summary:
    'Release a repository: QA gate, next version, changelog, tag, push, then deploy (or hand the version to its environments)',
  positional: 'repo',
  options: {
    branch: BRANCH,
    bump: BUMP,
    'no-deploy': { type: 'boolean', description: 'Release without deploying' },
    ...FOLLOW,
    follow: {
      type: 'boolean',
      description:
        'Show the stages live until the release ends or awaits a decision; with environments, then its promotion, until it ends or waits for a person',
    },
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
  if (!command.follow)
    return answer(context, started, (s) =>
      renderStarted(`the release of ${command.repo}${command.branch === null ? '' : ` from ${command.branch}`}`, s),
    );
  const code = await followRun(context, 'release', started.workflowId, started.runId);
  // With --json the release's last view (its promotion included) is the one answer printed.
  if (code !== EXIT.ok || context.json) return code;
  return followPromotion(context, () => promotionOf(context, started), command.repo);
}

/** The promotion the release handed its version to, from the release's view; null when it has none. */
async function promotionOf(context: RunContext, started: Started): Promise<PromotionView | null> {
  const view = await context.api.get<{ promotion?: PromotionView | null }>(
    runPath('release', started.workflowId, started.runId),
  );
  return view.promotion ?? null;
}

/** The 409 names the release already running; say how to watch it instead. */
function alreadyRunning(error: unknown): CliError | null {
  if (!(error instanceof CliError) || error.details.code !== 'SHIPGATE_RELEASE_RUNNING') return null;
  const workflowId = error.details.body?.workflowId;
  return typeof workflowId === 'string'
    ? new CliError(`${error.message}; follow it with: shipgate status ${workflowId} --follow`, error.details)
    : null;
}
