/** The help text, made from the commands' specs and the options every command shares. */
import { DEFAULT_API_URL, type OptionSpec } from './command.js';
import { COMMANDS, type CommandName } from './commands/index.js';

export const COMMON: Record<string, OptionSpec> = {
  json: { type: 'boolean', description: 'Print the raw JSON response and nothing else' },
  api: {
    type: 'string',
    value: '<url>',
    description: `The API's base URL (default: $SHIPGATE_API_URL, else ${DEFAULT_API_URL})`,
  },
  token: {
    type: 'string',
    value: '<token>',
    description: 'The API token (default: $SHIPGATE_API_TOKEN, else the one npm start saved in its data folder)',
  },
  help: { type: 'boolean', short: 'h', description: 'Show this help' },
};

export function overallUsage(): string {
  const names = Object.keys(COMMANDS) as CommandName[];
  const width = Math.max(...names.map((name) => commandLabel(name).length));
  return [
    'shipgate: releases with a QA gate and verified deployments, from the command line',
    '',
    'Usage: shipgate <command> [options]',
    '',
    'Commands:',
    ...names.map((name) => `  ${commandLabel(name).padEnd(width)}  ${COMMANDS[name].spec.summary}`),
    '',
    'Options for every command:',
    ...optionLines(COMMON),
    '',
    'Run "shipgate <command> --help" for the options of a command.',
    'Exit codes: 0 done, 1 error or unsuccessful run, 2 usage error, 3 a deployment awaits a decision.',
    '',
  ].join('\n');
}

export function commandUsage(name: CommandName): string {
  const { spec } = COMMANDS[name];
  return [
    `Usage: shipgate ${spec.synopsis}`,
    '',
    spec.summary,
    '',
    'Options:',
    ...optionLines({ ...spec.options, ...COMMON }),
    '',
  ].join('\n');
}

/** One line under a usage error: the synopsis, and where the details are. */
export function usageHint(name: CommandName): string {
  return `Usage: shipgate ${COMMANDS[name].spec.synopsis} (see "shipgate ${name} --help")`;
}

function commandLabel(name: CommandName): string {
  const { positional } = COMMANDS[name].spec;
  return positional === null ? name : `${name} <${positional}>`;
}

function optionLines(options: Record<string, OptionSpec>): string[] {
  const labels = Object.entries(options).map(
    ([key, spec]) =>
      [
        `${spec.short ? `-${spec.short}, ` : ''}--${key}${spec.value ? ` ${spec.value}` : ''}`,
        spec.description,
      ] as const,
  );
  const width = Math.max(...labels.map(([label]) => label.length));
  return labels.map(([label, description]) => `  ${label.padEnd(width)}  ${description}`);
}
