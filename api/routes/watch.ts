import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ScheduleNotFoundError, type Client } from '@temporalio/client';
import { Type } from 'typebox';
import type { RepoConfig } from '../../config/types.js';
import { ShipgateError } from '../../domain/errors.js';
import { scheduleIdFor } from '../../vocabulary/messages.js';
import type { WatchTickResult } from '../../workflows/triggers.js';
import type { ApiDeps } from '../deps.js';
import { configuredRepo } from '../repositories.js';
import { errorResponses, RepoIdParams } from '../schemas.js';
import { Nullable } from '../state-schemas.js';
import { bounded, boundedChange } from '../temporal-calls.js';

const WatchState = Type.Object({
  repoId: Type.String(),
  scheduleId: Type.String(),
  paused: Type.Boolean(),
  note: Nullable(Type.String()),
  intervalMs: Type.Integer(),
  lastTick: Nullable(
    Type.Object({
      at: Type.String(),
      workflowId: Type.String(),
      sha: Nullable(Type.String()),
      startedQa: Nullable(Type.Boolean()),
    }),
  ),
  nextRuns: Type.Array(Type.String()),
});

/** Free text shown in the Temporal UI; control characters would only garble it there. */
const Note = Type.String({ minLength: 1, maxLength: 300, pattern: '^[^\\u0000-\\u001f\\u007f]+$' });

async function watchState(client: Client, repo: RepoConfig) {
  if (!repo.watch)
    throw new ShipgateError(
      'SHIPGATE_WATCH_NOT_CONFIGURED',
      `repository "${repo.id}" has no watch configured (set watch.interval)`,
    );
  const scheduleId = scheduleIdFor('watch', repo.id);
  const handle = client.schedule.getHandle(scheduleId);
  const description = await bounded(client, () => handle.describe()).catch((error: unknown) => {
    if (error instanceof ScheduleNotFoundError)
      throw new ShipgateError(
        'SHIPGATE_WATCH_NOT_CONFIGURED',
        `the watch schedule ${scheduleId} does not exist yet; it is created when a worker starts`,
      );
    throw error;
  });
  const last = description.info.recentActions.at(-1);
  let tick: WatchTickResult | null = null;
  if (last) {
    tick = await bounded(
      client,
      () =>
        client.workflow
          .getHandle(last.action.workflow.workflowId, last.action.workflow.firstExecutionRunId)
          .result() as Promise<WatchTickResult>,
    ).catch(() => null);
  }
  return {
    repoId: repo.id,
    scheduleId,
    paused: description.state.paused,
    note: description.state.note ?? null,
    intervalMs: repo.watch.intervalMs,
    lastTick: last
      ? {
          at: last.takenAt.toISOString(),
          workflowId: last.action.workflow.workflowId,
          sha: tick?.sha ?? null,
          startedQa: tick?.started ?? null,
        }
      : null,
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
      const state = await watchState(client, repo);
      await boundedChange(client, () => client.schedule.getHandle(state.scheduleId).pause(request.body.note));
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
      const state = await watchState(client, repo);
      await boundedChange(client, () =>
        client.schedule.getHandle(state.scheduleId).unpause(request.body?.note ?? 'resumed through the shipgate API'),
      );
      return watchState(client, repo);
    },
  );
};
