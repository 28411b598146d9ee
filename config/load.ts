import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Value } from 'typebox/value';
import { parse as parseYaml } from 'yaml';
import { ConfigFile, type ConfigWithDefaults, type RepositoryWithDefaults } from './schema.js';
import { DEFAULT_CONFIG_FILE, resolveDataDir } from './data-dir.js';
import { durationMs } from './duration.js';
import { BranchSettingsError, resolveBranches } from '../domain/branches.js';
import { cronProblem } from '../domain/freeze.js';
import { NOTIFY_EVENTS, eventMatches } from '../domain/notification.js';
import { unknownPlaceholders, PUBLISH_PLACEHOLDERS } from '../domain/publish.js';
import type {
  ApiToken,
  EnvironmentConfig,
  FreezeWindow,
  NotifyTargetConfig,
  PublishStepConfig,
  RepoConfig,
  ShipgateConfig,
} from './types.js';

export { DEFAULT_CONFIG_FILE } from './data-dir.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface LoadOptions {
  /** Defaults to $SHIPGATE_CONFIG, then ./shipgate.config.yaml. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export async function loadConfigFile(options: LoadOptions = {}): Promise<ShipgateConfig> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const file = path.resolve(cwd, options.file ?? env.SHIPGATE_CONFIG ?? DEFAULT_CONFIG_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(`${file}: cannot read the configuration file (${code ?? String(error)}).`);
  }
  return parseConfig(text, { file, env, cwd });
}

export function parseConfig(
  text: string,
  where: { file: string | null; env?: NodeJS.ProcessEnv; cwd?: string },
): ShipgateConfig {
  const label = where.file ?? 'configuration';
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`${label}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  const firstError =
    [...Value.Errors(ConfigFile, raw)].find((e) => e.keyword !== 'boolean') ?? [...Value.Errors(ConfigFile, raw)][0];
  if (firstError) {
    const field = pointerToField(firstError.instancePath);
    const extra =
      firstError.keyword === 'additionalProperties'
        ? `: ${(firstError.params as { additionalProperties?: string[] }).additionalProperties?.join(', ') ?? ''}`
        : '';
    throw new ConfigError(`${label}: ${field || 'top level'} ${firstError.message}${extra}`);
  }
  // Checked before the defaults go in, so an error names what the file says, not what was filled in.
  const input = Value.Default(ConfigFile, raw) as ConfigWithDefaults;
  const env = where.env ?? process.env;
  const base = where.file ? path.dirname(where.file) : (where.cwd ?? process.cwd());
  return resolveConfig(input, { file: where.file, base, env });
}

function pointerToField(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => (/^[0-9]+$/.test(part) ? `[${part}]` : `.${part}`))
    .join('')
    .replace(/^\./, '');
}

function resolveConfig(
  input: ConfigWithDefaults,
  ctx: { file: string | null; base: string; env: NodeJS.ProcessEnv },
): ShipgateConfig {
  const seen = new Set<string>();
  const label = ctx.file ?? 'configuration';
  const globalNotify = resolveNotify(input.notify, `${label}: notify`);
  const repositories = input.repositories.map((repo, index) => {
    if (seen.has(repo.id)) throw new ConfigError(`${label}: repositories[${index}].id "${repo.id}" is used twice`);
    seen.add(repo.id);
    const resolved = resolveRepository(repo, index, ctx);
    const own = resolveNotify(repo.notify, `${label}: repositories[${index}].notify`);
    for (const target of own)
      if (globalNotify.some((g) => g.name === target.name))
        throw new ConfigError(
          `${label}: repositories[${index}].notify: "${target.name}" is also a global notify target; give it another name`,
        );
    return { ...resolved, notify: [...globalNotify, ...own] };
  });
  const port = envPort(ctx.env.SHIPGATE_TEMPORAL_PORT) ?? input.temporal.port;
  return {
    file: ctx.file,
    dataDir: resolveDataDir(ctx.base, ctx.env, input.dataDir),
    temporal: {
      address: ctx.env.TEMPORAL_ADDRESS || input.temporal.address || null,
      namespace: ctx.env.TEMPORAL_NAMESPACE || input.temporal.namespace,
      taskQueue: ctx.env.SHIPGATE_TASK_QUEUE || input.temporal.taskQueue,
      port,
      // Derived, not a fixed default: the UI of the embedded server sits 1000 above wherever it runs.
      uiPort: envPort(ctx.env.SHIPGATE_TEMPORAL_UI_PORT) ?? input.temporal.uiPort ?? port + 1000,
      heartbeatTimeoutMs: durationMs(input.temporal.heartbeatTimeout),
    },
    api: {
      host: ctx.env.SHIPGATE_API_HOST || input.api.host,
      port: envPort(ctx.env.SHIPGATE_API_PORT) ?? input.api.port,
      tokens: resolveTokens(input.api.tokens, ctx.file ?? 'configuration'),
    },
    reports: {
      keyFile: input.reports.keyFile ? path.resolve(ctx.base, input.reports.keyFile) : null,
      previousKeyFiles: input.reports.previousKeyFiles.map((file) => path.resolve(ctx.base, file)),
    },
    repositories,
  };
}

type HealthInput = NonNullable<RepositoryWithDefaults['health']>;
type DeployInput = Omit<NonNullable<RepositoryWithDefaults['deploy']>, 'environment'>;

function resolveHealth(health: HealthInput | undefined, field: string): RepoConfig['health'] {
  if (!health) return null;
  const version = health.version;
  if (version && version.jsonField && version.header)
    throw new EnvironmentSettingsError(`${field}.version names both jsonField and header; choose one`);
  return {
    url: health.url,
    initialDelayMs: durationMs(health.initialDelay),
    intervalMs: durationMs(health.interval),
    requestTimeoutMs: durationMs(health.requestTimeout),
    successes: health.successes,
    failureBudget: health.failureBudget,
    deadlineMs: durationMs(health.deadline),
    version:
      version && version.enabled && (version.jsonField || version.header)
        ? { url: version.url ?? health.url, jsonField: version.jsonField ?? null, header: version.header ?? null }
        : null,
  };
}

function resolveDeploy(deploy: DeployInput, environment: string): NonNullable<RepoConfig['deploy']> {
  return {
    environment,
    command: deploy.command,
    env: deploy.env,
    timeoutMs: durationMs(deploy.timeout),
    retries: deploy.retries,
    autoRollback: deploy.autoRollback,
    decisionTimeoutMs: durationMs(deploy.decisionTimeout),
  };
}

/**
 * The environments of a repository: those `environments` lists, or the one of `deploy` and
 * `health`. Each but the first is promoted to from an earlier one (`after`), so the order is the
 * promotion order and no environment can be reached twice or never.
 */
function resolveEnvironments(repo: RepositoryWithDefaults): EnvironmentConfig[] {
  if (repo.environments === undefined) {
    const health = resolveHealth(repo.health, 'health');
    if (!repo.deploy) return [];
    return [
      {
        name: repo.deploy.environment,
        deploy: resolveDeploy(repo.deploy, repo.deploy.environment),
        health,
        after: null,
        soakMs: 0,
        autoPromote: false,
        approval: null,
        freeze: [],
      },
    ];
  }
  if (repo.deploy || repo.health)
    throw new EnvironmentSettingsError(
      'environments: each environment has its own deploy and health; move the repository-level deploy and health into one of them',
    );
  const seen = new Set<string>();
  return repo.environments.map((env, index) => {
    const field = `environments[${index}]`;
    if (seen.has(env.name)) throw new EnvironmentSettingsError(`${field}.name "${env.name}" is used twice`);
    if (index === 0 && env.after !== undefined)
      throw new EnvironmentSettingsError(
        `${field}.after: the first environment is where releases deploy, so it is promoted from nowhere; remove after, or list "${env.after}" first`,
      );
    if (index > 0 && env.after === undefined)
      throw new EnvironmentSettingsError(
        `${field}.after is missing: every environment but the first names the one it is promoted from (one of ${[...seen].join(', ')})`,
      );
    if (env.after !== undefined && !seen.has(env.after))
      throw new EnvironmentSettingsError(
        `${field}.after "${env.after}" is not an environment listed before it (${[...seen].join(', ')})`,
      );
    seen.add(env.name);
    return {
      name: env.name,
      deploy: resolveDeploy(env.deploy, env.name),
      health: resolveHealth(env.health, `${field}.health`),
      after: env.after ?? null,
      soakMs: durationMs(env.soak),
      autoPromote: env.autoPromote,
      approval: env.approval
        ? {
            required: env.approval.required,
            from: env.approval.from ?? ['approver', 'admin'],
            notAuthor: env.approval.notAuthor,
            expiresMs: durationMs(env.approval.expires),
          }
        : null,
      freeze: env.freeze.map((window, w) => resolveFreezeWindow(window, `${field}.freeze[${w}]`)),
    };
  });
}

type PublishInput = NonNullable<RepositoryWithDefaults['publish']>;

/**
 * The publish steps, each name once, every placeholder one shipgate knows: a typo such as
 * `${SHIPGATE_VERSON}` would otherwise publish a literal string, found only at the first release.
 */
function resolvePublish(steps: PublishInput | undefined, where: string): PublishStepConfig[] {
  const seen = new Set<string>();
  return (steps ?? []).map((step, index) => {
    const field = `${where}.publish[${index}]`;
    if (seen.has(step.name)) throw new ConfigError(`${field}.name "${step.name}" is used twice`);
    seen.add(step.name);
    const texts: [string, string[]][] = [
      ['command', step.command],
      ['check', step.check ?? []],
      ['artifact', step.artifact === undefined ? [] : [step.artifact]],
    ];
    for (const [name, entries] of texts)
      for (const entry of entries) {
        const unknown = unknownPlaceholders(entry);
        if (unknown.length)
          throw new ConfigError(
            `${field}.${name} names ${unknown.map((u) => `\${${u}}`).join(', ')}, which shipgate does not substitute (known: ${PUBLISH_PLACEHOLDERS.map((p) => `\${${p}}`).join(', ')})`,
          );
      }
    return {
      name: step.name,
      command: step.command,
      check: step.check ?? null,
      artifact: step.artifact ?? null,
      env: step.env,
      timeoutMs: durationMs(step.timeout),
      retries: step.retries,
      decisionTimeoutMs: durationMs(step.decisionTimeout),
    };
  });
}

type NotifyInput = NonNullable<ConfigWithDefaults['notify']>;

/**
 * The notification targets, each name once, each with one URL source, and every event glob one
 * that matches an event shipgate sends: a typo such as `deploy.faild` would otherwise be silent.
 */
function resolveNotify(targets: NotifyInput | undefined, where: string): NotifyTargetConfig[] {
  const seen = new Set<string>();
  return (targets ?? []).map((target, index) => {
    const field = `${where}[${index}]`;
    if (seen.has(target.name)) throw new ConfigError(`${field}.name "${target.name}" is used twice`);
    seen.add(target.name);
    if (!target.url === !target.urlEnv)
      throw new ConfigError(`${field} must have exactly one of url or urlEnv (the variable that holds the URL)`);
    for (const glob of target.events)
      if (!NOTIFY_EVENTS.some((event) => eventMatches([glob], event)))
        throw new ConfigError(
          `${field}.events: "${glob}" matches no event shipgate sends (events: ${NOTIFY_EVENTS.join(', ')})`,
        );
    return {
      name: target.name,
      url: target.url ?? null,
      urlEnv: target.urlEnv ?? null,
      format: target.format,
      events: target.events,
      secretEnv: target.secretEnv ?? null,
      timeoutMs: durationMs(target.timeout),
      giveUpAfterMs: durationMs(target.giveUpAfter),
    };
  });
}

type FreezeInput = NonNullable<RepositoryWithDefaults['environments']>[number]['freeze'][number];

function resolveFreezeWindow(window: FreezeInput, field: string): FreezeWindow {
  const reason = window.reason ?? null;
  if ('cron' in window) {
    // A default inside a union is not filled in, so it is applied here.
    const timezone = window.timezone ?? 'UTC';
    const problem = cronProblem(window.cron, timezone);
    if (problem) throw new EnvironmentSettingsError(`${field}.cron "${window.cron}": ${problem}`);
    const durationMsValue = durationMs(window.duration);
    if (durationMsValue <= 0) throw new EnvironmentSettingsError(`${field}.duration must be longer than 0s`);
    return { kind: 'recurring', cron: window.cron, durationMs: durationMsValue, timezone, reason };
  }
  const from = Date.parse(window.from);
  const to = Date.parse(window.to);
  if (Number.isNaN(from)) throw new EnvironmentSettingsError(`${field}.from "${window.from}" is not a date and time`);
  if (Number.isNaN(to)) throw new EnvironmentSettingsError(`${field}.to "${window.to}" is not a date and time`);
  if (to <= from) throw new EnvironmentSettingsError(`${field}.to must come after from`);
  return { kind: 'once', from: new Date(from).toISOString(), to: new Date(to).toISOString(), reason };
}

/** The tokens of `api.tokens`, each name once and each hash once (one token, one person). */
function resolveTokens(tokens: ConfigWithDefaults['api']['tokens'], label: string): ApiToken[] {
  const names = new Set<string>();
  const hashes = new Set<string>();
  return tokens.map((token, index) => {
    const field = `${label}: api.tokens[${index}]`;
    if (names.has(token.name)) throw new ConfigError(`${field}.name "${token.name}" is used twice`);
    const sha256 = token.hash.slice('sha256:'.length);
    if (hashes.has(sha256))
      throw new ConfigError(`${field}.hash is the hash of a token listed before it: give each person their own`);
    names.add(token.name);
    hashes.add(sha256);
    return { name: token.name, role: token.role, sha256, authors: token.authors };
  });
}

class EnvironmentSettingsError extends Error {}

function envPort(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError(`port ${JSON.stringify(value)} from the environment is not a port number`);
  return port;
}

function resolveRepository(
  repo: RepositoryWithDefaults,
  index: number,
  ctx: { file: string | null; base: string },
): RepoConfig {
  const where = `${ctx.file ?? 'configuration'}: repositories[${index}]`;
  if (!repo.path === !repo.url)
    throw new ConfigError(`${where} must have exactly one of path (a local working copy) or url (a remote to clone)`);
  const source: RepoConfig['source'] = repo.path
    ? { kind: 'path', path: path.resolve(ctx.base, repo.path) }
    : { kind: 'url', url: repo.url as string };
  let environments: EnvironmentConfig[];
  try {
    environments = resolveEnvironments(repo);
    if (!repo.environments) resolveHealth(repo.health, 'health');
  } catch (error) {
    if (error instanceof EnvironmentSettingsError) throw new ConfigError(`${where}.${error.message}`);
    throw error;
  }
  let branches: RepoConfig['branches'];
  try {
    branches = resolveBranches(repo.branch, repo.branches);
  } catch (error) {
    if (error instanceof BranchSettingsError) throw new ConfigError(`${where}.branches: ${error.message}`);
    throw error;
  }
  return {
    id: repo.id,
    source,
    branch: branches[0]?.name ?? 'main',
    branches,
    remote: repo.remote,
    tagFormat: repo.tagFormat,
    initialVersion: repo.initialVersion,
    preMajor: repo.preMajor,
    test: {
      command: repo.test.command,
      timeoutMs: durationMs(repo.test.timeout),
      env: repo.test.env,
      results: repo.test.results ?? null,
    },
    coverage: repo.coverage
      ? {
          format: repo.coverage.format,
          path: repo.coverage.path,
          threshold: repo.coverage.threshold,
          minChangedLines: repo.coverage.minChangedLines,
          include: repo.coverage.include,
          exclude: repo.coverage.exclude,
        }
      : null,
    deploy: environments[0]?.deploy ?? null,
    publish: resolvePublish(repo.publish, where),
    // A health check without a deploy command is still probed (GET /repos/:id/health).
    health: repo.environments ? (environments[0]?.health ?? null) : resolveHealth(repo.health, 'health'),
    environments,
    promotes: repo.environments !== undefined,
    watch: repo.watch ? { intervalMs: durationMs(repo.watch.interval) } : null,
    release: {
      auto: repo.release.auto === 'on-qa-pass',
      schedule: repo.release.schedule ?? null,
      timezone: repo.release.timezone ?? null,
    },
    commits: {
      preset: repo.commits.preset,
      merges: repo.commits.merges,
      releaseRules: repo.commits.releaseRules.map((rule) => ({ ...rule })),
    },
    changelog: { sort: repo.changelog.sort },
    webhook: repo.webhook ? { secretEnv: repo.webhook.secretEnv, remoteUrl: repo.webhook.remoteUrl ?? null } : null,
    // Set by resolveConfig, which knows the global targets too.
    notify: [],
  };
}
