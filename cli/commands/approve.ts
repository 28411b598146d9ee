import type { DecisionView } from '../api-types.js';
import { answer, repoPath, UsageError, type CommandSpec, type ParseInput, type RunContext } from '../command.js';
import { shown } from '../render.js';
import { environment, ENVIRONMENT } from './pin.js';

export interface ApproveCommand {
  name: 'approve';
  repo: string;
  version: string;
  environment: string;
  reason: string | null;
}

export const REASON_OPTION = {
  type: 'string',
  value: '"<why>"',
  description: 'Why, recorded with the decision in the promotion',
} as const;

export const spec: CommandSpec = {
  synopsis: 'approve <repo> <version> --env <env> [--reason "<why>"] [--json]',
  summary:
    'Approve a version into an environment that requires approval, as the holder of the token (see shipgate approval)',
  positional: 'repo',
  rest: true,
  options: { env: ENVIRONMENT, reason: REASON_OPTION },
};

const VERSION = /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;

/** `<repo> <version>` of approve, deny and approval. */
export function repoAndVersion(
  positionals: readonly string[],
  usage: string,
  command: string,
): { repo: string; version: string } {
  const [repo = '', version, ...extra] = positionals;
  if (version === undefined) throw new UsageError(`"shipgate ${command}" needs <repo> <version>`, usage);
  if (extra.length > 0)
    throw new UsageError(`"shipgate ${command}" takes <repo> <version>, got "${extra.join(' ')}" too`, usage);
  if (!VERSION.test(version)) throw new UsageError(`<version> must be a version like 1.2.3, got "${version}"`, usage);
  return { repo, version };
}

/** `--reason`: at most 1000 characters, as the API takes it; empty is none. */
export function optionalReason(value: string | null, usage: string): string | null {
  const text = value?.trim() ?? '';
  if (text.length > 1000) throw new UsageError('--reason is at most 1000 characters', usage);
  return text === '' ? null : text;
}

export function parse({ positionals, str, usage }: ParseInput): ApproveCommand {
  return {
    name: 'approve',
    ...repoAndVersion(positionals, usage, 'approve'),
    environment: environment(str('env'), usage, 'approve'),
    reason: optionalReason(str('reason'), usage),
  };
}

export async function run(command: ApproveCommand, context: RunContext): Promise<number> {
  const body = await context.api.post<DecisionView>(
    `${repoPath(command.repo)}/environments/${encodeURIComponent(command.environment)}/approvals`,
    { version: command.version, ...(command.reason ? { reason: command.reason } : {}) },
  );
  return answer(context, body, (decided) => renderDecision('approved', decided));
}

export function renderDecision(what: 'approved' | 'denied', decided: DecisionView): string[] {
  const approvals = decided.approval?.approvals ?? [];
  return shown([
    `${what === 'approved' ? '✓ approved' : '✗ denied'} ${decided.version} into ${decided.environment}: ${decided.status}${decided.reason ? ` (${decided.reason})` : ''}`,
    ...(decided.approval
      ? [
          `  approvals ${approvals.length} of ${decided.approval.required}${approvals.length ? `: ${approvals.map((a) => a.by).join(', ')}` : ''}`,
        ]
      : []),
    `  through ${decided.workflowId}`,
  ]);
}
