import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  ScheduleNotFoundError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  type Client,
  type ScheduleHandle,
  type ScheduleExecutionResult,
} from '@temporalio/client';
import { Type, type Static } from 'typebox';
import type { RepoConfig } from '../../config/types.js';
import { ShipgateError } from '../../domain/errors.js';
import { scheduleIdFor } from '../../vocabulary/messages.js';
import type { WatchTickResult } from '../../workflows/triggers.js';
import type { ApiDeps } from '../deps.js';
import { configuredRepo } from '../repositories.js';
import { errorResponses, RepoIdParams } from '../schemas.js';
import { Nullable } from '../state-schemas.js';
import { bounded, boundedChange, innermostMessage } from '../temporal-calls.js';

const TICK_STATUSES = ['running', 'completed', 'failed', 'terminated', 'cancelled', 'timed out', 'unknown'] as const;
type TickStatus = (typeof TICK_STATUSES)[number];

const LastTick = Type.Object({
  at: Type.String(),
  workflowId: Type.String(),
  status: Type.Enum(TICK_STATUSES, {
    description: 'Where the tick stands; unknown when Temporal did not say in time or no longer holds it',
  }),
  sha: Nullable(Type.String()),
  startedQa: Nullable(Type.Boolean()),
  reason: Nullable(Type.String({ description: 'Why a tick that did not complete ended, or why it is unknown' })),
});
type LastTick = Static<typeof LastTick>;

const WatchState = Type.Object({
  repoId: Type.String(),
  scheduleId: Type.String(),
  paused: Type.Boolean(),
  note: Nullable(Type.String()),
  intervalMs: Type.Integer(),
  lastTick: Nullable(LastTick),
  nextRuns: Type.Array(Type.String()),
});

/** Free text shown in the Temporal UI; control characters would only garble it there. */
const Note = Type.String({ minLength: 1, maxLength: 300, pattern: '^[^\\u0000-\\u001f\\u007f]+$' });

const ENDED: Partial<Record<string, TickStatus>> = {
  COMPLETED: 'completed',
  FAILED: 'failed',
  TERMINATED: 'terminated',
  CANCELLED: 'cancelled',
  TIMED_OUT: 'timed out',
};

/**
 * The last tick as it stands. A running tick is not waited for (its result would hold the answer
 * until it ends); an ended one's result or failure is read at once.
 */
async function lastTickOf(client: Client, last: ScheduleExecutionResult): Promise<LastTick> {
  const { workflowId, firstExecutionRunId } = last.action.workflow;
  const tick: LastTick = {
    at: last.takenAt.toISOString(),
    workflowId,
    status: 'unknown',
    sha: null,
    startedQa: null,
    reason: null,
  };
  const handle = client.workflow.getHandle(workflowId, firstExecutionRunId);
  try {
    const { status } = await bounded(client, () => handle.describe());
    if (status.name === 'RUNNING') return { ...tick, status: 'running' };
    const ended = ENDED[status.name];
    if (!ended) return { ...tick, reason: `Temporal says ${status.name.toLowerCase()}` };
    if (ended === 'completed') {
      const result = (await bounded(client, () => handle.result())) as WatchTickResult;
      return { ...tick, status: ended, sha: result.sha, startedQa: result.started };
    }
    const failure = await bounded(client, () => handle.result()).then(
      () => null,
      (error: unknown) => error,
    );
    return {
      ...tick,
      status: ended,
      reason: failure instanceof WorkflowFailedError ? innermostMessage(failure).slice(0, 500) : null,
    };
  } catch (error) {
    const reason =
      error instanceof WorkflowNotFoundError
        ? 'Temporal no longer holds this tick (past the namespace retention)'
        : `Temporal did not say in time: ${innermostMessage(error).slice(0, 500)}`;
    return { ...tick, reason };
  }
}

function watchSchedule(client: Client, repo: RepoConfig): { handle: ScheduleHandle; intervalMs: number } {
  if (!repo.watch)
    throw new ShipgateError(
      'SHIPGATE_WATCH_NOT_CONFIGURED',
      `repository "${repo.id}" has no watch configured (set watch.interval)`,
    );
  return { handle: client.schedule.getHandle(scheduleIdFor('watch', repo.id)), intervalMs: repo.watch.intervalMs };
}

/** A watch whose schedule is not there yet is not configured on the cluster. */
function notCreatedYet(scheduleId: string) {
  return (error: unknown): never => {
    if (error instanceof ScheduleNotFoundError)
      throw new ShipgateError(
        'SHIPGATE_WATCH_NOT_CONFIGURED',
        `the watch schedule ${scheduleId} does not exist yet; it is created when a worker starts`,
      );
    throw error;
  };
}

async function watchState(client: Client, repo: RepoConfig) {
  const { handle, intervalMs } = watchSchedule(client, repo);
  const description = await bounded(client, () => handle.describe()).catch(notCreatedYet(handle.scheduleId));
  const last = description.info.recentActions.at(-1);
  return {
    repoId: repo.id,
    scheduleId: handle.scheduleId,
    paused: description.state.paused,
    note: description.state.note ?? null,
    intervalMs,
    lastTick: last ? await lastTickOf(client, last) : null,
    nextRuns: description.info.nextActionTimes.slice(0, 3).map((d) => d.toISOString()),
  };
}

export const watchRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, { config, client }) => {
  const responses = { 200: WatchState, ...errorResponses(400, 401, 404, 413, 415, 503) };

  app.get(
    '/repos/:id/watch',
    {
      schema: {
        summary: 'The branch watch of a repository: paused or not, last tick, last commit seen, next runs',
        tags: ['watch'],
        params: RepoIdParams,
        response: responses,
      },
    },
    async (request) => watchState(client, configuredRepo(config, request.params.id)),
  );

  app.post(
    '/repos/:id/watch/pause',
    {
      // Stopping (and restarting) what the watch starts is a say over the repository, as a pin is.
      config: { action: 'admin' },
      schema: {
        summary: 'Pause the branch watch; the note is shown in the Temporal UI',
        tags: ['watch'],
        params: RepoIdParams,
        body: Type.Object({ note: Note }, { additionalProperties: false }),
        response: responses,
      },
    },
    async (request) => {
      const repo = configuredRepo(config, request.params.id);
      const { handle } = watchSchedule(client, repo);
      await boundedChange(client, () => handle.pause(request.body.note)).catch(notCreatedYet(handle.scheduleId));
      return watchState(client, repo);
    },
  );

  app.post(
    '/repos/:id/watch/resume',
    {
      config: { action: 'admin' },
      schema: {
        summary: 'Resume the branch watch',
        tags: ['watch'],
        params: RepoIdParams,
        body: Type.Optional(Type.Object({ note: Type.Optional(Note) }, { additionalProperties: false })),
        response: responses,
      },
    },
    async (request) => {
      const repo = configuredRepo(config, request.params.id);
      const { handle } = watchSchedule(client, repo);
      await boundedChange(client, () => handle.unpause(request.body?.note ?? 'resumed through the shipgate API')).catch(
        notCreatedYet(handle.scheduleId),
      );
      return watchState(client, repo);
    },
  );
};
