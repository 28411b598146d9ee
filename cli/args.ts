/** Reads a command line into what to do, or a usage error that says in one line what is wrong. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { configuredDataDir } from '../config/data-dir.js';
import { DEFAULT_API_URL, UsageError, type OptionSpec } from './command.js';
import { COMMANDS, isCommandName, type Command, type CommandName } from './commands/index.js';
import { commandUsage, COMMON, overallUsage, usageHint } from './usage.js';

export { UsageError } from './command.js';
export type { Command } from './commands/index.js';

const DEFAULT_INTERVAL_MS = 1_000;
/** Each poll is a query the worker answers; faster than this only adds load. */
const MIN_INTERVAL_MS = 100;

export interface Invocation {
  command: Command;
  json: boolean;
  apiUrl: string;
  token: string | null;
  /** Where `token` came from, for the message when the API refuses it. */
  tokenSource: string | null;
  intervalMs: number;
}

export type ParsedLine = { kind: 'run'; invocation: Invocation } | { kind: 'help'; text: string; exitCode: 0 | 2 };

const GLOBAL_VALUE_OPTIONS = new Set(['--api', '--token', '--interval']);

/** Reads a whole command line; global options may come before or after the command. */
export function parseCommandLine(argv: readonly string[], env: Record<string, string | undefined>): ParsedLine {
  const at = commandIndex(argv);
  const word = at === -1 ? undefined : argv[at];
  const rest = at === -1 ? [...argv] : [...argv.slice(0, at), ...argv.slice(at + 1)];
  if (word === undefined) {
    const wantsHelp = rest.some((arg) => arg === '--help' || arg === '-h');
    return { kind: 'help', text: overallUsage(), exitCode: wantsHelp ? 0 : 2 };
  }
  if (word === 'help') {
    const topic = rest.find((arg) => !arg.startsWith('-'));
    if (topic === undefined) return { kind: 'help', text: overallUsage(), exitCode: 0 };
    if (!isCommandName(topic))
      throw new UsageError(`unknown command "${topic}"`, 'Run "shipgate --help" to see the commands.');
    return { kind: 'help', text: commandUsage(topic), exitCode: 0 };
  }
  if (!isCommandName(word))
    throw new UsageError(`unknown command "${word}"`, 'Run "shipgate --help" to see the commands.');
  const { spec, parse } = COMMANDS[word];
  const { values, positionals } = readOptions(word, rest);
  if (values.help === true) return { kind: 'help', text: commandUsage(word), exitCode: 0 };

  const usage = usageHint(word);
  if (spec.positional === null && positionals.length > 0)
    throw new UsageError(`"shipgate ${word}" takes no arguments, got "${positionals[0]}"`, usage);
  if (spec.positional !== null && positionals.length === 0)
    throw new UsageError(`"shipgate ${word}" needs <${spec.positional}>`, usage);
  if (positionals.length > 1 && !spec.rest)
    throw new UsageError(
      `"shipgate ${word}" takes one <${spec.positional}>, got ${positionals.length} arguments`,
      usage,
    );
  const str = (name: string) => (typeof values[name] === 'string' ? values[name] : null);
  const flag = (name: string) => values[name] === true;
  const list = (name: string): string[] => {
    const value = values[name];
    return Array.isArray(value) ? value.filter((v) => typeof v === 'string') : typeof value === 'string' ? [value] : [];
  };
  const apiOption = str('api');
  const interval = str('interval');
  const command: Command = parse({ positionals, positional: positionals[0] ?? '', str, list, flag, usage });

  return {
    kind: 'run',
    invocation: {
      command,
      json: flag('json'),
      apiUrl:
        apiOption !== null
          ? apiUrl(apiOption, '--api', usage)
          : apiUrl(env.SHIPGATE_API_URL || null, 'SHIPGATE_API_URL', usage),
      ...apiToken(str('token'), env),
      intervalMs: interval === null ? DEFAULT_INTERVAL_MS : intervalMs(interval, usage),
    },
  };
}

/** The position of the command word: the first argument that is neither an option nor its value. */
function commandIndex(argv: readonly string[]): number {
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (arg === '--') return i + 1 < argv.length ? i + 1 : -1;
    if (GLOBAL_VALUE_OPTIONS.has(arg)) i += 1;
    else if (!arg.startsWith('-')) return i;
  }
  return -1;
}

function readOptions(name: CommandName, args: string[]) {
  const options = { ...COMMANDS[name].spec.options, ...COMMON };
  const usage = usageHint(name);
  // Not strict: Node's own messages for bad options are long and vary by version.
  const { values, positionals, tokens } = parseArgs({
    args,
    options: parseArgsOptions(options),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const spec = options[token.name];
    if (spec === undefined) throw new UsageError(`unknown option ${token.rawName} for "shipgate ${name}"`, usage);
    if (spec.type === 'boolean' && token.value !== undefined)
      throw new UsageError(`${token.rawName} takes no value`, usage);
    if (spec.type === 'string' && (token.value === undefined || (!token.inlineValue && token.value.startsWith('-')))) {
      throw new UsageError(`${token.rawName} needs a value ${spec.value ?? ''}`.trimEnd(), usage);
    }
  }
  return { values, positionals };
}

function parseArgsOptions(options: Record<string, OptionSpec>) {
  return Object.fromEntries(
    Object.entries(options).map(([key, spec]) => [
      key,
      {
        type: spec.type,
        ...(spec.short ? { short: spec.short } : {}),
        ...(spec.multiple ? { multiple: true } : {}),
      },
    ]),
  );
}

function intervalMs(value: string, usage: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(value);
  const ms = match ? Number(match[1]) * (match[2] === 'ms' ? 1 : 1_000) : NaN;
  if (!(ms >= MIN_INTERVAL_MS))
    throw new UsageError(
      `--interval must be a duration of at least ${MIN_INTERVAL_MS}ms, like 500ms or 2s, got "${value}"`,
      usage,
    );
  return ms;
}

function apiUrl(value: string | null, source: string, usage: string): string {
  if (value === null) return DEFAULT_API_URL;
  const url = URL.canParse(value) ? new URL(value) : null;
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new UsageError(`${source} must be an http:// or https:// URL, got "${value}"`, usage);
  }
  return value.replace(/\/+$/, '');
}

/** The first of --token, $SHIPGATE_API_TOKEN and the token `npm start` saved in its data folder. */
function apiToken(
  option: string | null,
  env: Record<string, string | undefined>,
): { token: string | null; tokenSource: string | null } {
  if (option !== null) return { token: option, tokenSource: 'given with --token' };
  if (env.SHIPGATE_API_TOKEN) return { token: env.SHIPGATE_API_TOKEN, tokenSource: 'from $SHIPGATE_API_TOKEN' };
  const file = path.join(configuredDataDir({ env }), '.api-token');
  try {
    const saved = readFileSync(file, 'utf8').trim();
    return saved ? { token: saved, tokenSource: `saved in ${file}` } : { token: null, tokenSource: null };
  } catch {
    return { token: null, tokenSource: null };
  }
}
