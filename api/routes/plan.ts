import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiDeps } from '../deps.js';
import { currentPlan } from '../release-plan.js';
import { configuredRepo } from '../repositories.js';
import { errorResponses, RepoIdParams } from '../schemas.js';
import { PlanAnswer } from '../schemas/plan.js';
import { BumpOverride } from '../schemas/releases.js';

export const planRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, deps) => {
  const { config } = deps;
  app.get(
    '/repos/:id/plan',
    {
      schema: {
        summary:
          'What a release would do now: next version, the reason per commit, the changelog entry. No side effects.',
        tags: ['releases'],
        params: RepoIdParams,
        querystring: Type.Object({ bump: Type.Optional(BumpOverride) }, { additionalProperties: false }),
        response: {
          200: PlanAnswer,
          ...errorResponses(400, 401, 404, 422, 503),
        },
      },
    },
    async (request) => currentPlan(deps, configuredRepo(config, request.params.id), request.query.bump),
  );
};
