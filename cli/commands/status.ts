import { asRunView, runKindOf, type RunKind } from '../api-types.js';
import {
  answer,
  FOLLOW,
  followRun,
  RUN,
  runPath,
  UsageError,
  type CommandSpec,
  type ParseInput,
  type RunContext,
} from '../command.js';
import { formatTime } from '../follow.js';
import { verdictOf } from '../outcome.js';
import { renderRun } from '../render-run.js';

export interface StatusCommand {
  name: 'status';
  id: string;
  kind: RunKind;
  /** One run of the ID (`--run <runId>`, see `shipgate runs <id>`); null for the latest. */
  run: string | null;
  follow: boolean;
}

export const spec: CommandSpec = {
  synopsis: 'status <id> [--run <runId>] [--follow] [--json]',
  summary: 'Show a run by its workflow ID: qa:…, release:… or deploy:…',
  positional: 'id',
  options: {
    ...RUN,
    ...FOLLOW,
  },
};

export function parse({ positional, flag, str, usage }: ParseInput): StatusCommand {
  const kind = runKindOf(positional);
  if (kind === null)
    throw new UsageError(`"${positional}" is not a workflow ID: expected qa:…, release:… or deploy:…`, usage);
  return { name: 'status', id: positional, kind, run: str('run'), follow: flag('follow') };
}

export async function run(command: StatusCommand, context: RunContext): Promise<number> {
  if (command.follow) return followRun(context, command.kind, command.id, command.run);
  const body = await context.api.get<object>(runPath(command.kind, command.id, command.run));
  const view = asRunView(command.kind, body);
  const verdict = verdictOf(view, formatTime);
  const decision = verdict?.kind === 'awaiting-decision' ? verdict.lines : [];
  return answer(context, body, () => [...renderRun(view, { running: '·', formatTime }), ...decision]);
}
