/** Reads a command line into what to do, or a usage error that says in one line what is wrong. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { configuredDataDir } from '../config/load.js';
import { runKindOf, type RunKind } from './api-types.js';
import {
  COMMANDS,
  COMMON,
  commandUsage,
  DEFAULT_API_URL,
  overallUsage,
  usageHint,
  type CommandName,
  type Decision,
  type ListStatus,
  type OptionSpec,
} from './commands.js';

const DEFAULT_INTERVAL_MS = 1_000;
/** Each poll is a query the worker answers; faster than this only adds load. */
const MIN_INTERVAL_MS = 100;

export type Command =
  | { name: 'release'; repo: string; bump: string | null; deploy: boolean; follow: boolean }
  | { name: 'qa'; repo: string; follow: boolean }
  | { name: 'plan'; repo: string; bump: string | null }
  | { name: 'status'; id: string; kind: RunKind; follow: boolean }
  | { name: 'list'; repo: string | null; status: ListStatus | null }
  | { name: Decision; id: string; kind: 'release' | 'deploy' }
  | { name: 'reports'; repo: string }
  | { name: 'deployments'; repo: string; limit: number | null }
  | { name: 'repos' }
  | { name: 'watch'; repo: string; action: 'show' | 'pause' | 'resume'; note: string | null };

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

/** The command line cannot be understood; `hint` says where to look. */
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(message: string, readonly hint: string) {
    super(message);
  }
}

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
    if (!isCommandName(topic)) throw new UsageError(`unknown command "${topic}"`, 'Run "shipgate --help" to see the commands.');
    return { kind: 'help', text: commandUsage(topic), exitCode: 0 };
  }
  if (!isCommandName(word)) throw new UsageError(`unknown command "${word}"`, 'Run "shipgate --help" to see the commands.');
  const spec = COMMANDS[word];
  const { values, positionals } = readOptions(word, rest);
  if (values.help === true) return { kind: 'help', text: commandUsage(word), exitCode: 0 };

  const usage = usageHint(word);
  if (spec.positional === null && positionals.length > 0) throw new UsageError(`"shipgate ${word}" takes no arguments, got "${positionals[0]}"`, usage);
  if (spec.positional !== null && positionals.length === 0) throw new UsageError(`"shipgate ${word}" needs <${spec.positional}>`, usage);
  if (positionals.length > 1 && word !== 'watch') throw new UsageError(`"shipgate ${word}" takes one <${spec.positional}>, got ${positionals.length} arguments`, usage);
  const positional = positionals[0] ?? '';
  const str = (name: string) => (typeof values[name] === 'string' ? values[name] : null);
  const flag = (name: string) => values[name] === true;
  const apiOption = str('api');
  const interval = str('interval');

  return {
    kind: 'run',
    invocation: {
      command: word === 'watch' ? watchCommand(positionals, usage) : toCommand(word, positional, str, flag, usage),
      json: flag('json'),
      apiUrl: apiOption !== null ? apiUrl(apiOption, '--api', usage) : apiUrl(env.SHIPGATE_API_URL || null, 'SHIPGATE_API_URL', usage),
      ...apiToken(str('token'), env),
      intervalMs: interval === null ? DEFAULT_INTERVAL_MS : intervalMs(interval, usage),
    },
  };
}

function toCommand(
  name: CommandName,
  positional: string,
  str: (name: string) => string | null,
  flag: (name: string) => boolean,
  usage: string,
): Command {
  switch (name) {
    case 'release':
      return { name, repo: positional, bump: bump(str('bump'), usage), deploy: !flag('no-deploy'), follow: flag('follow') };
    case 'qa':
      return { name, repo: positional, follow: flag('follow') };
    case 'plan':
      return { name, repo: positional, bump: bump(str('bump'), usage) };
    case 'status': {
      const kind = runKindOf(positional);
      if (kind === null) throw new UsageError(`"${positional}" is not a workflow ID: expected qa:…, release:… or deploy:…`, usage);
      return { name, id: positional, kind, follow: flag('follow') };
    }
    case 'list':
      return { name, repo: str('repo'), status: listStatus(str('status'), usage) };
    case 'retry':
    case 'rollback':
    case 'abandon': {
      const kind = runKindOf(positional);
      if (kind !== 'release' && kind !== 'deploy') {
        throw new UsageError(`"${positional}" is not a release or deployment ID: expected release:<repo> or deploy:<repo>:<environment>`, usage);
      }
      return { name, id: positional, kind };
    }
    case 'reports':
      return { name, repo: positional };
    case 'deployments':
      return { name, repo: positional, limit: limit(str('limit'), usage) };
    case 'repos':
      return { name };
    case 'watch':
      return watchCommand([positional], usage);
  }
}

function watchCommand(positionals: readonly string[], usage: string): Command {
  const [repo = '', action, ...note] = positionals;
  if (action === undefined) return { name: 'watch', repo, action: 'show', note: null };
  if (action === 'resume' && note.length === 0) return { name: 'watch', repo, action, note: null };
  if (action === 'pause') {
    if (note.length === 0) throw new UsageError('"shipgate watch <repo> pause" needs a note saying why, e.g. "release freeze"', usage);
    return { name: 'watch', repo, action, note: note.join(' ') };
  }
  throw new UsageError(`"shipgate watch" takes pause <note> or resume after the repository, got "${[action, ...note].join(' ')}"`, usage);
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
  const options = { ...COMMANDS[name].options, ...COMMON };
  const usage = usageHint(name);
  // Not strict: Node's own messages for bad options are long and vary by version.
  const { values, positionals, tokens } = parseArgs({ args, options: parseArgsOptions(options), strict: false, allowPositionals: true, tokens: true });
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const spec = options[token.name];
    if (spec === undefined) throw new UsageError(`unknown option ${token.rawName} for "shipgate ${name}"`, usage);
    if (spec.type === 'boolean' && token.value !== undefined) throw new UsageError(`${token.rawName} takes no value`, usage);
    if (spec.type === 'string' && (token.value === undefined || (!token.inlineValue && token.value.startsWith('-')))) {
      throw new UsageError(`${token.rawName} needs a value ${spec.value ?? ''}`.trimEnd(), usage);
    }
  }
  return { values, positionals };
}

function parseArgsOptions(options: Record<string, OptionSpec>) {
  return Object.fromEntries(Object.entries(options).map(([key, spec]) => [key, spec.short ? { type: spec.type, short: spec.short } : { type: spec.type }]));
}

function isCommandName(word: string): word is CommandName {
  return Object.hasOwn(COMMANDS, word);
}

const BUMP_VALUE = /^(?:major|minor|patch|v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$/;

function bump(value: string | null, usage: string): string | null {
  if (value === null || BUMP_VALUE.test(value)) return value;
  throw new UsageError(`--bump must be major, minor, patch or a version like 1.2.3, got "${value}"`, usage);
}

function listStatus(value: string | null, usage: string): ListStatus | null {
  if (value === null || value === 'running' || value === 'completed' || value === 'failed') return value;
  throw new UsageError(`--status must be running, completed or failed, got "${value}"`, usage);
}

function limit(value: string | null, usage: string): number | null {
  if (value === null) return null;
  if (!/^[1-9][0-9]{0,2}$/.test(value)) throw new UsageError(`--limit must be a whole number from 1 to 999, got "${value}"`, usage);
  return Number(value);
}

function intervalMs(value: string, usage: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(value);
  const ms = match ? Number(match[1]) * (match[2] === 'ms' ? 1 : 1_000) : NaN;
  if (!(ms >= MIN_INTERVAL_MS)) throw new UsageError(`--interval must be a duration of at least ${MIN_INTERVAL_MS}ms, like 500ms or 2s, got "${value}"`, usage);
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
function apiToken(option: string | null, env: Record<string, string | undefined>): { token: string | null; tokenSource: string | null } {
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
