import { userInfo } from 'node:os';
import { runKindOf, type RunKind } from '../api-types.js';
import type { WhoamiAnswer } from './whoami.js';
import { answer, runPath, UsageError, type CommandSpec, type ParseInput, type RunContext } from '../command.js';

export interface CancelCommand {
  name: 'cancel';
  id: string;
  kind: RunKind;
  reason: string | null;
}

/** What `POST /<runs>/:id/cancel` answers. */
interface CancelAnswer {
  workflowId: string;
  status: string;
  by: string;
  reason: string;
  undone: string[] | null;
}

export const spec: CommandSpec = {
  synopsis: 'cancel <id> [--reason <text>] [--json]',
  summary: 'Cancel a running release, deployment or QA run through Temporal; it undoes its local state and says what',
  positional: 'id',
  options: {
    reason: {
      type: 'string',
      value: '<text>',
      description:
        "Why, kept in the run's state with who asked (the token's holder; with the shared token, your user name)",
    },
  },
};

export function parse({ positional, str, usage }: ParseInput): CancelCommand {
  const kind = runKindOf(positional);
  if (kind === null)
    throw new UsageError(`"${positional}" is not a workflow ID: expected qa:…, release:… or deploy:…`, usage);
  return { name: 'cancel', id: positional, kind, reason: str('reason') };
}

/** Who asks: the person at the terminal, as the operating system knows them. */
function whoAsks(env: Record<string, string | undefined>): string {
  try {
    return `${userInfo().username} (shipgate cancel)`;
  } catch {
    return `${env.USER ?? 'someone'} (shipgate cancel)`;
  }
}

export async function run(command: CancelCommand, context: RunContext): Promise<number> {
  // A person's token is the name the run records; only the shared token leaves it to the caller.
  const { shared } = await context.api.get<WhoamiAnswer>('/whoami');
  const body = {
    ...(shared ? { by: whoAsks(context.io.env) } : {}),
    ...(command.reason ? { reason: command.reason } : {}),
  };
  const cancelled = await context.api.post<CancelAnswer>(`${runPath(command.kind, command.id)}/cancel`, body);
  return answer(context, cancelled, (c) => [
    c.status === 'RUNNING'
      ? `${c.workflowId}: cancellation asked by ${c.by}; the run is still undoing its local state`
      : `${c.workflowId}: ${c.status.toLowerCase()} by ${c.by} (${c.reason})`,
    ...(c.undone === null
      ? [`Follow it with: shipgate status ${c.workflowId} --follow`]
      : c.undone.length
        ? c.undone.map((line) => `  undone: ${line}`)
        : ['  nothing to undo']),
  ]);
}
