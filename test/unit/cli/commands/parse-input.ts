import type { ParseInput } from '../../../../cli/command.js';

/** What the command line reader hands a command's parse: positionals, options, the usage line. */
export function parseInput(positionals: string[], options: Record<string, string | string[] | true> = {}): ParseInput {
  return {
    positionals,
    positional: positionals[0] ?? '',
    str: (name) => {
      const value = options[name];
      return typeof value === 'string' ? value : Array.isArray(value) ? (value.at(-1) ?? null) : null;
    },
    list: (name) => {
      const value = options[name];
      return typeof value === 'string' ? [value] : Array.isArray(value) ? value : [];
    },
    flag: (name) => options[name] === true,
    usage: 'Usage: shipgate …',
  };
}
