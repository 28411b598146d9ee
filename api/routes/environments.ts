import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { actorOf } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { changePin, listEnvironments, promote } from '../environments.js';
import { BY_DESCRIPTION, errorResponses, RepoIdParams } from '../schemas.js';
import {
  EnvironmentParams,
  EnvironmentsAnswer,
  EnvironmentStateAnswer,
  PinBody,
  PromoteAnswer,
  Version,
} from '../schemas/environments.js';

/** Ledger entries per environment when the request names no `limit`. */
const LEDGER_LIMIT = 20;

export const environmentRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, deps) => {
  app.get(
    '/repos/:id/environments',
    {
      schema: {
        summary:
          'Every environment of the repository in promotion order: what is live, last verified healthy, ' +
          'pinned and pending there, with its newest ledger entries',
        tags: ['environments'],
        params: RepoIdParams,
        querystring: Type.Object(
          {
            limit: Type.Optional(
              Type.String({
                pattern: '^[1-9][0-9]{0,2}$',
                description: `Ledger entries per environment, newest first: 1 to 999 (default ${LEDGER_LIMIT})`,
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: EnvironmentsAnswer, ...errorResponses(400, 401, 404, 503) },
      },
    },
    async (request) => listEnvironments(deps, request.params.id, Number(request.query.limit ?? LEDGER_LIMIT)),
  );

  app.post(
    '/repos/:id/environments/:env/promotions',
    {
      schema: {
        summary:
          'Promote a version into an environment: the promotion that awaits it goes on, or the environment is asked ' +
          'directly once the version is live and verified healthy in the one before (SHIPGATE_NOT_PROMOTABLE when not)',
        tags: ['environments'],
        params: EnvironmentParams,
        body: Type.Object(
          {
            version: Version,
            by: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: BY_DESCRIPTION })),
          },
          { additionalProperties: false },
        ),
        response: { 202: PromoteAnswer, ...errorResponses(400, 401, 404, 409, 413, 415, 422, 503) },
      },
    },
    async (request, reply) =>
      reply
        .code(202)
        .send(
          await promote(
            deps,
            request.params.id,
            request.params.env,
            request.body.version,
            actorOf(request, request.body.by),
          ),
        ),
  );

  for (const action of ['pin', 'unpin'] as const) {
    app.post(
      `/repos/:id/environments/:env/${action}`,
      {
        config: { action: 'admin' },
        schema: {
          summary:
            action === 'pin'
              ? 'Pin an environment: nothing deploys there until it is unpinned; automatic requests wait, held'
              : 'Unpin an environment: held requests go on, newest first',
          tags: ['environments'],
          params: EnvironmentParams,
          body: PinBody,
          response: { 200: EnvironmentStateAnswer, ...errorResponses(400, 401, 404, 409, 413, 415, 503) },
        },
      },
      async (request) =>
        changePin(deps, request.params.id, request.params.env, action, {
          by: actorOf(request, request.body.by),
          reason: request.body.reason,
        }),
    );
  }
};
