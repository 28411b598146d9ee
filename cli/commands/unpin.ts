import { answer, type CommandSpec, type ParseInput, type RunContext } from '../command.js';
import { changePin, ENVIRONMENT, environment, reason, REASON, renderPin } from './pin.js';

export interface UnpinCommand {
  name: 'unpin';
  repo: string;
  environment: string;
  reason: string;
}

export const spec: CommandSpec = {
  synopsis: 'unpin <repo> --env <env> --reason "<why>" [--json]',
  summary: 'Unpin an environment: what waited there (held) goes on',
  positional: 'repo',
  options: { env: ENVIRONMENT, reason: REASON },
};

export function parse({ positional, str, usage }: ParseInput): UnpinCommand {
  return {
    name: 'unpin',
    repo: positional,
    environment: environment(str('env'), usage, 'unpin'),
    reason: reason(str('reason'), usage, 'unpin'),
  };
}

export async function run(command: UnpinCommand, context: RunContext): Promise<number> {
  return answer(context, await changePin(context, command, 'unpin'), renderPin);
}
