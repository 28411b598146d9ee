/** The commands and options of the CLI, and the help text made from them. */

export const DEFAULT_API_URL = 'http://127.0.0.1:3000';

export type Decision = 'retry' | 'rollback' | 'abandon';
export type ListStatus = 'running' | 'completed' | 'failed';
export type CommandName = 'release' | 'qa' | 'plan' | 'status' | 'list' | Decision | 'reports' | 'deployments' | 'repos' | 'watch';

export interface OptionSpec {
  type: 'boolean' | 'string';
  short?: string;
  value?: string;
  description: string;
}

interface CommandSpec {
  synopsis: string;
  summary: string;
  positional: string | null;
  options: Record<string, OptionSpec>;
}

export const COMMON: Record<string, OptionSpec> = {
  json: { type: 'boolean', description: 'Print the raw JSON response and nothing else' },
  api: { type: 'string', value: '<url>', description: `The API's base URL (default: $SHIPGATE_API_URL, else ${DEFAULT_API_URL})` },
  token: { type: 'string', value: '<token>', description: 'The API token (default: $SHIPGATE_API_TOKEN)' },
  help: { type: 'boolean', short: 'h', description: 'Show this help' },
};
const FOLLOW: Record<string, OptionSpec> = {
  follow: { type: 'boolean', description: 'Show the stages live until the run ends or awaits a decision' },
  interval: { type: 'string', value: '<duration>', description: 'How often --follow polls, e.g. 500ms or 2s (default: 1s)' },
};
const BUMP: OptionSpec = { type: 'string', value: '<major|minor|patch|x.y.z>', description: 'Override the bump the commits call for' };

const decisionSpec = (verb: string, summary: string): CommandSpec => ({
  synopsis: `${verb} <release-id|deploy-id>`,
  summary,
  positional: 'release-id|deploy-id',
  options: {},
});

export const COMMANDS: Record<CommandName, CommandSpec> = {
  release: {
    synopsis: 'release <repo> [--bump major|minor|patch|x.y.z] [--no-deploy] [--follow] [--json]',
    summary: 'Release a repository: QA gate, next version, changelog, tag, push, then deploy',
    positional: 'repo',
    options: { bump: BUMP, 'no-deploy': { type: 'boolean', description: 'Release without deploying' }, ...FOLLOW },
  },
  qa: { synopsis: 'qa <repo> [--follow] [--json]', summary: "Run QA on the repository's current head", positional: 'repo', options: FOLLOW },
  plan: {
    synopsis: 'plan <repo> [--bump major|minor|patch|x.y.z] [--json]',
    summary: 'Show the next version, the reason per commit and the changelog entry',
    positional: 'repo',
    options: { bump: BUMP },
  },
  status: {
    synopsis: 'status <id> [--follow] [--json]',
    summary: 'Show a run by its workflow ID: qa:…, release:… or deploy:…',
    positional: 'id',
    options: FOLLOW,
  },
  list: {
    synopsis: 'list [--repo <id>] [--status running|completed|failed] [--json]',
    summary: 'List release runs, newest first',
    positional: null,
    options: {
      repo: { type: 'string', value: '<id>', description: 'Only the runs of this repository' },
      status: { type: 'string', value: '<running|completed|failed>', description: 'Only runs in this state' },
    },
  },
  retry: decisionSpec('retry', 'Retry a deployment that awaits a decision'),
  rollback: decisionSpec('rollback', 'Roll a deployment that awaits a decision back to the previous version'),
  abandon: decisionSpec('abandon', 'Give up a deployment that awaits a decision'),
  reports: { synopsis: 'reports <repo> [--json]', summary: "List the QA reports in the repository's context/", positional: 'repo', options: {} },
  deployments: {
    synopsis: 'deployments <repo> [--limit <n>] [--json]',
    summary: 'Show the deploy ledger: what is live per environment, and what was deployed when, with outcome and who asked',
    positional: 'repo',
    options: { limit: { type: 'string', value: '<n>', description: 'Runs per environment, newest first (default: 20)' } },
  },
  repos: { synopsis: 'repos [--json]', summary: 'List the configured repositories', positional: null, options: {} },
  watch: {
    synopsis: 'watch <repo> [pause <note…>|resume] [--json]',
    summary: 'Show, pause (with a note for the UI) or resume the branch watch of a repository',
    positional: 'repo',
    options: {},
  },
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
    ...names.map((name) => `  ${commandLabel(name).padEnd(width)}  ${COMMANDS[name].summary}`),
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
  const spec = COMMANDS[name];
  return [`Usage: shipgate ${spec.synopsis}`, '', spec.summary, '', 'Options:', ...optionLines({ ...spec.options, ...COMMON }), ''].join('\n');
}

/** One line under a usage error: the synopsis, and where the details are. */
export function usageHint(name: CommandName): string {
  return `Usage: shipgate ${COMMANDS[name].synopsis} (see "shipgate ${name} --help")`;
}

function commandLabel(name: CommandName): string {
  return COMMANDS[name].positional === null ? name : `${name} <${COMMANDS[name].positional}>`;
}

function optionLines(options: Record<string, OptionSpec>): string[] {
  const labels = Object.entries(options).map(([key, spec]) => [`${spec.short ? `-${spec.short}, ` : ''}--${key}${spec.value ? ` ${spec.value}` : ''}`, spec.description] as const);
  const width = Math.max(...labels.map(([label]) => label.length));
  return labels.map(([label, description]) => `  ${label.padEnd(width)}  ${description}`);
}
