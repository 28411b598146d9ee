import type { PromoteView } from '../api-types.js';
import { answer, repoPath, UsageError, type CommandSpec, type ParseInput, type RunContext } from '../command.js';
import { shown } from '../render.js';
import { environment, ENVIRONMENT } from './pin.js';

export interface PromoteCommand {
  name: 'promote';
  repo: string;
  version: string;
  environment: string;
}

export const spec: CommandSpec = {
  synopsis: 'promote <repo> <version> --env <env> [--json]',
  summary: 'Promote a released version into an environment, once it is live and verified healthy in the one before',
  positional: 'repo',
  rest: true,
  options: { env: ENVIRONMENT },
};

const VERSION = /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;

export function parse({ positionals, str, usage }: ParseInput): PromoteCommand {
  const [repo = '', version, ...extra] = positionals;
  if (version === undefined) throw new UsageError('"shipgate promote" needs <repo> <version>', usage);
  if (extra.length > 0)
    throw new UsageError(`"shipgate promote" takes <repo> <version>, got "${extra.join(' ')}" too`, usage);
  if (!VERSION.test(version)) throw new UsageError(`<version> must be a version like 1.2.3, got "${version}"`, usage);
  return { name: 'promote', repo, version, environment: environment(str('env'), usage, 'promote') };
}

export async function run(command: PromoteCommand, context: RunContext): Promise<number> {
  const body = await context.api.post<PromoteView>(
    `${repoPath(command.repo)}/environments/${encodeURIComponent(command.environment)}/promotions`,
    { version: command.version },
  );
  return answer(context, body, (promoted) => renderPromoted(command.repo, promoted));
}

export function renderPromoted(repo: string, promoted: PromoteView): string[] {
  return shown([
    `Promotion of ${promoted.version} into ${promoted.environment}: ${promoted.status}${promoted.reason ? ` (${promoted.reason})` : ''}`,
    `  through ${promoted.workflowId}; see it with: shipgate envs ${repo}`,
  ]);
}
