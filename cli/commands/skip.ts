import { runKindOf, type DecisionAnswer } from '../api-types.js';
import { answer, runPath, UsageError, type CommandSpec, type ParseInput, type RunContext } from '../command.js';

/** Skips the publish step a release waits on; the release records who skipped it and why, and goes on. */
export interface SkipCommand {
  name: 'skip';
  id: string;
  reason: string;
}

export const spec: CommandSpec = {
  synopsis: 'skip <release-id> --reason <text>',
  summary: 'Skip the publish step a release awaits a decision on, and go on to the next step',
  positional: 'release-id',
  options: {
    reason: {
      type: 'string',
      value: '<text>',
      description: 'Why (required): recorded with the release, with who skipped',
    },
  },
};

export function parse({ positional, str, usage }: ParseInput): SkipCommand {
  if (runKindOf(positional) !== 'release')
    throw new UsageError(`"${positional}" is not a release ID: expected release:<repo>`, usage);
  const reason = str('reason');
  if (!reason?.trim()) throw new UsageError('skip needs --reason <text>: it is recorded with the release', usage);
  return { name: 'skip', id: positional, reason };
}

export async function run(command: SkipCommand, context: RunContext): Promise<number> {
  const { id } = command;
  return answer(
    context,
    await context.api.post<DecisionAnswer>(`${runPath('release', id)}/skip`, { reason: command.reason }),
    (decided) => [
      `${id}: skip of publish step ${decided.publishStep ?? '?'} accepted`,
      `Follow it with: shipgate status ${id} --follow`,
    ],
  );
}
