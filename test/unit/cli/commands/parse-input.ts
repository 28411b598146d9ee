import type { ParseInput } from '../../../../cli/command.js';

/** What the command line reader hands a command's parse: positionals, options, the usage line. */
export function parseInput(positionals: string[], options: Record<string, string | true> = {}): ParseInput {
  return {
    positionals,
    positional: positionals[0] ?? '',
    str: (name) => (typeof options[name] === 'string' ? options[name] : null),
    flag: (name) => options[name] === true,
    usage: 'Usage: shipgate …',
  };
}
