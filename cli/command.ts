/** What every command file exports, and what the CLI hands each one: its options read, then the API. */
import { visibleJson } from '../domain/visible-text.js';
import { asRunView, type RunKind } from './api-types.js';
import { follow, PlainDisplay, SilentDisplay, TerminalDisplay, type Output } from './follow.js';
import type { ApiClient } from './http.js';
import { EXIT } from './outcome.js';
import { shown } from './render.js';

export const DEFAULT_API_URL = 'http://127.0.0.1:3000';

export interface OptionSpec {
  type: 'boolean' | 'string';
  short?: string;
  value?: string;
  description: string;
  /** May be given more than once (`--author a --author b`); read with `list`. */
  multiple?: true;
}

/** A command's help and options; `shipgate --help` and `shipgate <cmd> --help` are made from these. */
export interface CommandSpec {
  synopsis: string;
  summary: string;
  positional: string | null;
  /** Takes words after its positional (`watch <repo> pause <note…>`). */
  rest?: true;
  options: Record<string, OptionSpec>;
}

/** The command line after the options every command shares, as one command reads it. */
export interface ParseInput {
  positionals: readonly string[];
  /** The first positional; empty when the spec takes none. */
  positional: string;
  str: (name: string) => string | null;
  /** Every value of an option that may be given more than once, in order; empty when not given. */
  list: (name: string) => string[];
  flag: (name: string) => boolean;
  /** The one-line synopsis a usage error carries. */
  usage: string;
}

export interface CliIo {
  stdout: Output;
  stderr: Output;
  env: Record<string, string | undefined>;
}

/** What a command's run may use: the API, and the two ways to answer (once, or following a run). */
export interface RunContext {
  api: ApiClient;
  io: CliIo;
  json: boolean;
  intervalMs: number;
}

export interface CommandModule<C extends { name: string }> {
  spec: CommandSpec;
  parse: (input: ParseInput) => C;
  run: (command: C, context: RunContext) => Promise<number>;
}

/** The command line cannot be understood; `hint` says where to look. */
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

/** Prints the body as JSON with --json, else its lines, every line through the visible-text pass. */
export function answer<T>(context: RunContext, body: T, text: (body: T) => string[]): number {
  context.io.stdout.write(context.json ? `${visibleJson(body)}\n` : `${shown(text(body)).join('\n')}\n`);
  return EXIT.ok;
}

/** Follows until the run ends or awaits a decision; the exit code says which, and how it ended. */
export async function followRun(
  context: RunContext,
  kind: RunKind,
  workflowId: string,
  runId: string | null = null,
): Promise<number> {
  const { api, io, json } = context;
  let raw: object = {};
  const display = json
    ? new SilentDisplay()
    : io.stdout.isTTY
      ? new TerminalDisplay(io.stdout)
      : new PlainDisplay(io.stdout);
  const { verdict } = await follow({
    fetchRun: async () => {
      raw = await api.get<object>(runPath(kind, workflowId, runId));
      return asRunView(kind, raw);
    },
    intervalMs: context.intervalMs,
    display,
    openEvents: (lastEventId, runId) =>
      api.stream(
        `/events?run=${encodeURIComponent(workflowId)}${runId ? `&runId=${encodeURIComponent(runId)}` : ''}`,
        lastEventId,
      ),
  });
  if (json) io.stdout.write(`${visibleJson(raw)}\n`);
  return verdict.exitCode;
}

const RUN_ROUTES: Record<RunKind, string> = { qa: '/qa', release: '/releases', deploy: '/deployments' };

/** A run's view: the latest run of the ID, or the one `runId` names. */
export function runPath(kind: RunKind, workflowId: string, runId: string | null = null): string {
  const path = `${RUN_ROUTES[kind]}/${encodeURIComponent(workflowId)}`;
  return runId === null ? path : `${path}?runId=${encodeURIComponent(runId)}`;
}

export function runsPath(kind: RunKind): string {
  return RUN_ROUTES[kind];
}

export function repoPath(repo: string): string {
  return `/repos/${encodeURIComponent(repo)}`;
}

/** `--run <runId>`: one run of a workflow ID other than its latest (see `shipgate runs <id>`). */
export const RUN: Record<string, OptionSpec> = {
  run: { type: 'string', value: '<runId>', description: 'An older run of the ID (see shipgate runs <id>)' },
};

export const FOLLOW: Record<string, OptionSpec> = {
  follow: { type: 'boolean', description: 'Show the stages live until the run ends or awaits a decision' },
  interval: {
    type: 'string',
    value: '<duration>',
    description: 'How often --follow polls an API without live events, e.g. 500ms or 2s (default: 1s)',
  },
};

export const BUMP: OptionSpec = {
  type: 'string',
  value: '<major|minor|patch|x.y.z>',
  description: 'Override the bump the commits call for',
};

const BUMP_VALUE = /^(?:major|minor|patch|v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$/;

export function bump(value: string | null, usage: string): string | null {
  if (value === null || BUMP_VALUE.test(value)) return value;
  throw new UsageError(`--bump must be major, minor, patch or a version like 1.2.3, got "${value}"`, usage);
}

export const BRANCH: OptionSpec = {
  type: 'string',
  value: '<name>',
  description: "One of the repository's configured branches (default: its release branch; see shipgate repos)",
};

// As the configuration writes branch names; the API says which ones a repository has.
const BRANCH_VALUE = /^[A-Za-z0-9._/][A-Za-z0-9._/-]*$/;

export function branch(value: string | null, usage: string): string | null {
  if (value === null || (BRANCH_VALUE.test(value) && value.length <= 200)) return value;
  throw new UsageError(`--branch must be a branch name such as beta or 1.x, got "${value}"`, usage);
}
