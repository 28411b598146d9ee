import type { DecisionView } from '../api-types.js';
import { answer, repoPath, type CommandSpec, type ParseInput, type RunContext } from '../command.js';
import { renderDecision, repoAndVersion, REASON_OPTION } from './approve.js';
import { environment, ENVIRONMENT, reason } from './pin.js';

export interface DenyCommand {
  name: 'deny';
  repo: string;
  version: string;
  environment: string;
  reason: string;
}

export const spec: CommandSpec = {
  synopsis: 'deny <repo> <version> --env <env> --reason "<why>" [--json]',
  summary:
    'Deny a version entry into an environment that requires approval: its promotion ends denied, with the reason',
  positional: 'repo',
  rest: true,
  options: { env: ENVIRONMENT, reason: REASON_OPTION },
};

export function parse({ positionals, str, usage }: ParseInput): DenyCommand {
  return {
    name: 'deny',
    ...repoAndVersion(positionals, usage, 'deny'),
    environment: environment(str('env'), usage, 'deny'),
    reason: reason(str('reason'), usage, 'deny'),
  };
}

export async function run(command: DenyCommand, context: RunContext): Promise<number> {
  const body = await context.api.post<DecisionView>(
    `${repoPath(command.repo)}/environments/${encodeURIComponent(command.environment)}/denials`,
    { version: command.version, reason: command.reason },
  );
  return answer(context, body, (decided) => renderDecision('denied', decided));
}
