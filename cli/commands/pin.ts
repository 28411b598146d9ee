import type { EnvironmentStateView } from '../api-types.js';
import {
  answer,
  repoPath,
  UsageError,
  type CommandSpec,
  type OptionSpec,
  type ParseInput,
  type RunContext,
} from '../command.js';
import { shown, timestamp } from '../render.js';

export interface PinCommand {
  name: 'pin';
  repo: string;
  environment: string;
  reason: string;
}

export const ENVIRONMENT: OptionSpec = {
  type: 'string',
  value: '<env>',
  description: "One of the repository's environments (see shipgate envs <repo>)",
};

export const REASON: OptionSpec = {
  type: 'string',
  value: '"<why>"',
  description: 'Why, kept in the pin history of the environment',
};

// As the configuration writes environment names; the API says which ones a repository has.
const ENVIRONMENT_VALUE = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/** `--env`, required by every command that works on one environment. */
export function environment(value: string | null, usage: string, command: string): string {
  if (value === null) throw new UsageError(`"shipgate ${command}" needs --env <env>`, usage);
  if (!ENVIRONMENT_VALUE.test(value))
    throw new UsageError(`--env must be an environment name such as staging or production, got "${value}"`, usage);
  return value;
}

/** `--reason`, required: a pin is for people to read later. */
export function reason(value: string | null, usage: string, command: string): string {
  const text = value?.trim() ?? '';
  if (text === '') throw new UsageError(`"shipgate ${command}" needs --reason "<why>"`, usage);
  if (text.length > 500) throw new UsageError('--reason is at most 500 characters', usage);
  return text;
}

export const spec: CommandSpec = {
  synopsis: 'pin <repo> --env <env> --reason "<why>" [--json]',
  summary: 'Pin an environment: nothing deploys there until it is unpinned; automatic promotions wait',
  positional: 'repo',
  options: { env: ENVIRONMENT, reason: REASON },
};

export function parse({ positional, str, usage }: ParseInput): PinCommand {
  return {
    name: 'pin',
    repo: positional,
    environment: environment(str('env'), usage, 'pin'),
    reason: reason(str('reason'), usage, 'pin'),
  };
}

export async function run(command: PinCommand, context: RunContext): Promise<number> {
  return answer(context, await changePin(context, command, 'pin'), renderPin);
}

export function changePin(
  context: RunContext,
  command: { repo: string; environment: string; reason: string },
  action: 'pin' | 'unpin',
): Promise<EnvironmentStateView> {
  return context.api.post<EnvironmentStateView>(
    `${repoPath(command.repo)}/environments/${encodeURIComponent(command.environment)}/${action}`,
    { reason: command.reason },
  );
}

/** The environment after a pin or an unpin: whether it is pinned, and what waits. */
export function renderPin(state: EnvironmentStateView): string[] {
  const pin = state.pinned;
  const live = state.live ? `${state.live.version} is live` : 'nothing is live';
  const held = state.pending.filter((p) => p.status === 'held');
  return shown([
    pin
      ? `${state.environment} of ${state.repoId} is pinned by ${pin.by} since ${timestamp(pin.at)}: ${pin.reason}; ${live}`
      : `${state.environment} of ${state.repoId} is not pinned; ${live}`,
    ...(held.length ? [`  held until unpinned: ${held.map((p) => p.version).join(', ')}`] : []),
    ...state.pending
      .filter((p) => p.status !== 'held')
      .map((p) => `  ${p.status}: ${p.version}${p.deployment ? ` (${p.deployment})` : ''}`),
  ]);
}
