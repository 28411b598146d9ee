import { randomUUID } from 'node:crypto';
import {
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowExecutionDescription,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { FastifyBaseLogger } from 'fastify';
import { pinEnvironment, requestEnvironmentDeployment, unpinEnvironment } from '../client/environments.js';
import { environmentOrFail, firstEnvironment } from '../config/environments.js';
import type { EnvironmentConfig, RepoConfig } from '../config/types.js';
import { tagName } from '../domain/bump.js';
import { comingFreezes, openFreeze } from '../domain/freeze.js';
import { ERRORS, ShipgateError, type ErrorCode } from '../domain/errors.js';
import {
  environmentStateQuery,
  promoteUpdate,
  type EnvironmentRequest,
  type EnvironmentState,
  type LedgerEntry,
  type PinRequest,
  type PromotionResult,
  type PromotionState,
} from '../vocabulary/environments.js';
import { ResultMemoKey, ViewMemoKey, workflowIdFor, type ReleaseState } from '../vocabulary/messages.js';
import type { ApiDeps } from './deps.js';
import { checkReleased } from './redeploy.js';
import { configuredRepo } from './repositories.js';
import type {
  EnvironmentsAnswer,
  EnvironmentViewAnswer,
  PromoteAnswer,
  PromotionRunAnswer,
} from './schemas/environments.js';
import { bounded, boundedChange, FAILED_STATUSES, innermostMessage } from './temporal-calls.js';
import { readRepositoryOnWorker } from './worker-reads.js';

/*
 * The environments of a repository, as the API reads and changes them. Reads come from the memo
 * (`view`) of each `environment:<repo>:<env>` workflow, one describe each, so they need no worker;
 * changes go to that workflow as updates (client/environments.ts), whose validators refuse what
 * the environment cannot take with a catalogue code, which becomes the HTTP answer here.
 */

type Deps = Pick<ApiDeps, 'client' | 'config'>;

/** What a describe of `environment:<repo>:<env>` holds: its view, or null when it never ran or has none yet. */
export async function environmentState(
  client: Client,
  repoId: string,
  environment: string,
): Promise<EnvironmentState | null> {
  const description = await describeOrNull(client, workflowIdFor('environment', repoId, environment));
  return (description?.memo?.[ViewMemoKey] as EnvironmentState | undefined) ?? null;
}

async function describeOrNull(client: Client, workflowId: string): Promise<WorkflowExecutionDescription | null> {
  return bounded(client, () => client.workflow.getHandle(workflowId).describe()).catch((error: unknown) => {
    if (error instanceof WorkflowNotFoundError) return null;
    throw error;
  });
}

/**
 * Every environment of a repository in promotion order, with the newest `limit` ledger entries of
 * each. An environment whose workflow has not run yet has deployed nothing by it; what the signed
 * deploy reports say about it (deployments from before environments) is shown instead, read by a
 * worker once for all of them.
 */
export async function listEnvironments(deps: Deps, repoId: string, limit: number): Promise<EnvironmentsAnswer> {
  const repo = configuredRepo(deps.config, repoId);
  const states = await Promise.all(
    repo.environments.map(async (env) => {
      const state = await environmentState(deps.client, repo.id, env.name);
      return state && wantsMore(state, limit) ? fullState(deps.client, state) : state;
    }),
  );
  const warnings: string[] = [];
  const fallback = states.some((state) => state === null) ? await reportLedger(deps, repo, warnings) : null;
  const now = new Date();
  const environments = repo.environments.map((env, i) => {
    const state = states[i] ?? null;
    if (state) return fromState(repo, env, state, limit, now);
    return fromReports(repo, env, fallback?.find((e) => e.environment === env.name) ?? null, limit, now);
  });
  return { repoId: repo.id, promotes: repo.promotes, environments, warnings };
}

/** The view in memo keeps the newest entries only; a longer look asks the workflow itself. */
function wantsMore(state: EnvironmentState, limit: number): boolean {
  return limit > state.ledger.length && state.ledgerTotal > state.ledger.length;
}

/** The state query answers the whole kept ledger; without a worker to answer it, the view's part will do. */
export async function fullState(client: Client, view: EnvironmentState): Promise<EnvironmentState> {
  const handle = client.workflow.getHandle(workflowIdFor('environment', view.repoId, view.environment));
  return bounded(client, () => handle.query(environmentStateQuery)).catch(() => view);
}

type ReportLedger = Awaited<ReturnType<typeof readRepositoryOnWorker<'ledger'>>>['environments'];

/** The signed deploy ledger; without a worker to read it, the listing still answers, and says what it left out. */
async function reportLedger(deps: Deps, repo: RepoConfig, warnings: string[]): Promise<ReportLedger> {
  try {
    const ledger = await readRepositoryOnWorker(deps, 'ledger', repo.id);
    warnings.push(...ledger.warnings);
    return ledger.environments;
  } catch (error) {
    warnings.push(`the deploy reports could not be read: ${innermostMessage(error)}`);
    return [];
  }
}

/** How many coming freeze windows an environment's view lists. */
const COMING_FREEZES = 3;

function base(repo: RepoConfig, env: EnvironmentConfig, now: Date) {
  return {
    name: env.name,
    after: env.after,
    soakMs: env.soakMs,
    autoPromote: env.autoPromote,
    workflowId: workflowIdFor('environment', repo.id, env.name),
    freeze: freezesOf(env, now),
  };
}

/** From the configuration alone, so the view needs no worker: the window open now and the next ones. */
function freezesOf(env: EnvironmentConfig, now: Date): EnvironmentViewAnswer['freeze'] {
  const open = openFreeze(env.freeze, now);
  return {
    windows: env.freeze.length,
    open: open ? { from: open.from, until: open.until, reason: open.reason } : null,
    coming: comingFreezes(env.freeze, now, COMING_FREEZES).map(({ from, until, reason }) => ({ from, until, reason })),
  };
}

function fromState(repo: RepoConfig, env: EnvironmentConfig, state: EnvironmentState, limit: number, now: Date) {
  return {
    ...base(repo, env, now),
    started: true,
    live: state.live,
    lastGood: state.lastGood,
    pinned: state.pinned,
    pending: state.pending,
    ledger: [...state.ledger].reverse().slice(0, limit),
    ledgerTotal: state.ledgerTotal,
    updatedAt: state.updatedAt,
  } satisfies EnvironmentViewAnswer;
}

function fromReports(
  repo: RepoConfig,
  env: EnvironmentConfig,
  ledger: ReportLedger[number] | null,
  limit: number,
  now: Date,
): EnvironmentViewAnswer {
  // The deploy reports know only what was last verified healthy: that is both live and last good.
  const live = ledger?.live
    ? {
        version: ledger.live.version,
        tag: tagName(ledger.live.version, repo.tagFormat),
        since: ledger.live.since,
        report: ledger.live.report,
        verified: true,
      }
    : null;
  const entries = ledger?.entries ?? [];
  return {
    ...base(repo, env, now),
    started: false,
    live,
    lastGood: live,
    pinned: null,
    pending: [],
    ledger: entries.slice(0, limit).map((entry): LedgerEntry => ({
      requestId: entry.runId ?? entry.report,
      version: entry.version,
      kind: entry.requestedBy?.startsWith('release:') ? 'release' : 'manual',
      trigger: isTrigger(entry.trigger) ? entry.trigger : 'manual',
      requestedBy: entry.requestedBy ?? 'unknown',
      from: null,
      requestedAt: entry.startedAt ?? entry.endedAt,
      startedAt: entry.startedAt,
      endedAt: entry.endedAt,
      outcome: entry.outcome,
      reason: `from its deploy report, ${entry.report}`,
      report: entry.report,
      deployment: entry.workflowId && entry.runId ? { workflowId: entry.workflowId, runId: entry.runId } : null,
    })),
    ledgerTotal: entries.length,
    updatedAt: null,
  };
}

function isTrigger(value: string | null): value is LedgerEntry['trigger'] {
  return value === 'manual' || value === 'watch' || value === 'webhook' || value === 'auto' || value === 'train';
}

/**
 * An update refused by the workflow's validator (or failed in its handler) carries an
 * ApplicationFailure whose type is a catalogue code: that is the answer, with its message.
 */
export function refusalOf(error: unknown): ShipgateError | null {
  if (!(error instanceof WorkflowUpdateFailedError)) return null;
  for (let cause: unknown = error.cause; cause instanceof Error; cause = cause.cause) {
    if (cause instanceof ApplicationFailure && cause.type && Object.hasOwn(ERRORS, cause.type))
      return new ShipgateError(cause.type as ErrorCode, cause.message);
  }
  return new ShipgateError('SHIPGATE_BAD_REQUEST', innermostMessage(error));
}

async function sent<T>(client: Client, call: () => Promise<T>): Promise<T> {
  try {
    return await boundedChange(client, call);
  } catch (error) {
    throw refusalOf(error) ?? error;
  }
}

function starterOf({ client, config }: Deps) {
  return { client, taskQueue: config.temporal.taskQueue };
}

/** The version without its `v`, as the environments and the release check name it. */
function bare(version: string): string {
  return version.replace(/^v/, '');
}

/**
 * A request by a person into an environment whose freeze window is open is refused at once: an
 * automatic promotion waits the window out (workflows/freeze.ts), a person asks again after it.
 */
function refuseFrozen(repo: RepoConfig, env: EnvironmentConfig, version: string): void {
  const open = openFreeze(env.freeze, new Date());
  if (!open) return;
  throw new ShipgateError(
    'SHIPGATE_ENVIRONMENT_FROZEN',
    `${env.name} of "${repo.id}" is frozen until ${open.until}${open.reason ? ` (${open.reason})` : ''}: ` +
      `${version} is not deployed there by hand before then`,
  );
}

/**
 * Promotes a version into an environment. When the version's promotion run waits for exactly
 * this (an environment with `autoPromote: false`), it is told to go on, so the promotion carries
 * on from there. Otherwise the environment is asked directly, as a promotion from the one before
 * it, once the version is live and verified there and is a release.
 */
export async function promote(
  deps: Deps,
  repoId: string,
  environment: string,
  requested: string,
  by: string,
): Promise<PromoteAnswer> {
  const repo = configuredRepo(deps.config, repoId);
  const target = environmentOrFail(repo, environment);
  const version = bare(requested);
  if (target.after === null) {
    throw new ShipgateError(
      'SHIPGATE_NOT_PROMOTABLE',
      `${target.name} is the first environment of "${repo.id}": nothing is promoted into it; a release deploys there ` +
        `(POST /repos/${repo.id}/releases), or deploy a version by hand (POST /repos/${repo.id}/deployments)`,
    );
  }
  refuseFrozen(repo, target, version);
  const promotionId = workflowIdFor('promotion', repo.id, version);
  const promotion = await describeOrNull(deps.client, promotionId);
  const promotionState = promotion?.memo?.[ViewMemoKey] as PromotionState | undefined;
  const awaited = promotionState?.steps.find((step) => step.environment === target.name);
  if (promotion?.status.name === 'RUNNING' && awaited?.status === 'awaiting promotion') {
    const state = await sent(deps.client, () =>
      deps.client.workflow
        .getHandle(promotionId)
        .executeUpdate(promoteUpdate, { args: [{ environment: target.name, by }] }),
    );
    const step = state.steps.find((s) => s.environment === target.name);
    return {
      environment: target.name,
      version,
      workflowId: promotionId,
      status: step?.status ?? state.stage,
      reason: step?.reason ?? `${promotionId} goes on into ${target.name}`,
    };
  }
  // While its promotion runs, the version goes on through it: a request beside it would skip the soak.
  if (promotion?.status.name === 'RUNNING' && awaited) {
    throw new ShipgateError(
      'SHIPGATE_NOT_PROMOTABLE',
      `${promotionId} is taking ${version} into ${target.name}, which is ${awaited.status}` +
        `${awaited.reason ? ` (${awaited.reason})` : ''}: it promotes on request once it awaits that`,
    );
  }
  const source = await environmentState(deps.client, repo.id, target.after);
  const live = source?.live ?? null;
  if (live?.version !== version || !live.verified) {
    const there = live
      ? `${live.version}${live.verified ? '' : ' (not verified healthy)'} is live there`
      : 'nothing is live there yet';
    throw new ShipgateError(
      'SHIPGATE_NOT_PROMOTABLE',
      `${version} is not live and verified healthy in ${target.after}, which ${target.name} is promoted from: ${there}`,
    );
  }
  await checkReleased(deps, repo, version);
  const answer = await sent(deps.client, () =>
    requestEnvironmentDeployment(starterOf(deps), repo.id, target.name, {
      requestId: `api-promotion:${version}:${randomUUID()}`,
      version,
      kind: 'promotion',
      trigger: 'manual',
      requestedBy: by,
      from: target.after,
      replyTo: null,
      waitIfPinned: false,
    }),
  );
  return {
    environment: target.name,
    version,
    workflowId: workflowIdFor('environment', repo.id, target.name),
    status: answer.status,
    reason: answer.reason,
  };
}

/**
 * Pins or unpins an environment. Pinning twice, or unpinning what is not pinned, is a 409 that
 * says who pinned it and why, read from its view before anything is sent; the workflow's own
 * validator refuses the same, for two requests that cross.
 */
export async function changePin(
  deps: Deps,
  repoId: string,
  environment: string,
  action: 'pin' | 'unpin',
  request: PinRequest,
): Promise<EnvironmentState> {
  const repo = configuredRepo(deps.config, repoId);
  const env = environmentOrFail(repo, environment);
  const state = await environmentState(deps.client, repo.id, env.name);
  const pinned = state?.pinned ?? null;
  if (action === 'pin' && pinned) {
    throw new ShipgateError(
      'SHIPGATE_ENVIRONMENT_PINNED',
      `${env.name} of "${repo.id}" is already pinned${pinned.automatic ? ' by a rollback' : ` by ${pinned.by}`} since ${pinned.at}: ${pinned.reason}`,
    );
  }
  if (action === 'unpin' && !pinned) {
    throw new ShipgateError('SHIPGATE_ENVIRONMENT_NOT_PINNED', `${env.name} of "${repo.id}" is not pinned`);
  }
  const change = action === 'pin' ? pinEnvironment : unpinEnvironment;
  return sent(deps.client, () => change(starterOf(deps), repo.id, env.name, request));
}

/**
 * `POST /repos/:id/deployments` for a repository with `environments:`: a request by hand to one
 * environment (the first by default), which runs it in its turn. A pinned environment refuses it.
 */
export async function requestDeploymentByHand(
  deps: Deps,
  repo: RepoConfig,
  requested: string,
  requestedBy: string,
  environment?: string,
) {
  const env = environment === undefined ? firstEnvironment(repo) : environmentOrFail(repo, environment);
  if (!env) throw new ShipgateError('SHIPGATE_REPO_UNAVAILABLE', `repository "${repo.id}" has no environments`);
  const version = bare(requested);
  refuseFrozen(repo, env, version);
  const state = await environmentState(deps.client, repo.id, env.name);
  if (state?.pinned) {
    throw new ShipgateError(
      'SHIPGATE_ENVIRONMENT_PINNED',
      `${env.name} of "${repo.id}" is pinned${state.pinned.automatic ? ' by a rollback' : ` by ${state.pinned.by}`}: ${state.pinned.reason}; unpin it first`,
    );
  }
  await checkReleased(deps, repo, version);
  const request: EnvironmentRequest = {
    requestId: `api-manual:${version}:${randomUUID()}`,
    version,
    kind: 'manual',
    trigger: 'manual',
    requestedBy,
    from: null,
    replyTo: null,
    waitIfPinned: false,
  };
  const answer = await sent(deps.client, () =>
    requestEnvironmentDeployment(starterOf(deps), repo.id, env.name, request),
  );
  const workflowId = workflowIdFor('environment', repo.id, env.name);
  const description = await describeOrNull(deps.client, workflowId);
  return {
    workflowId,
    runId: description?.runId ?? '',
    environment: env.name,
    requestId: answer.requestId,
    status: answer.status,
    reason: answer.reason,
  };
}

/**
 * The promotion a release handed its version to (`promotion:<repo>:<version>`, named in its
 * state), with its view; null for a release that deploys by itself or has not handed over yet.
 * Read anew each time: a closed release's view is kept, but its promotion goes on long after it.
 */
export async function promotionOfRelease(
  deps: Deps,
  release: ReleaseState | null,
  log?: FastifyBaseLogger,
): Promise<PromotionRunAnswer | null> {
  const workflowId = release?.promotion?.workflowId;
  if (!workflowId) return null;
  const description = await describeOrNull(deps.client, workflowId).catch((error: unknown) => {
    log?.warn({ err: error, workflowId }, 'promotion describe failed; answering without it');
    return null;
  });
  if (!description) return null;
  const memo = description.memo ?? {};
  const status = description.status.name;
  const view: PromotionRunAnswer = {
    workflowId,
    runId: description.runId,
    status,
    state: (memo[ViewMemoKey] as PromotionState | undefined) ?? null,
  };
  const result = memo[ResultMemoKey] as PromotionResult | undefined;
  if (status === 'COMPLETED' && result) view.result = result;
  if (FAILED_STATUSES.has(status)) {
    const handle = deps.client.workflow.getHandle(workflowId, description.runId);
    const failure = await bounded(deps.client, () => handle.result()).then(
      () => null,
      (error: unknown) => innermostMessage(error),
    );
    if (failure) view.failure = failure;
  }
  return view;
}
