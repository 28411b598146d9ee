import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiDeps } from '../deps.js';
import { currentPlan } from '../release-plan.js';
import { configuredBranch, configuredRepo } from '../repositories.js';
import { errorResponses, RepoIdParams } from '../schemas.js';
import { ShipgateError } from '../../domain/errors.js';
import { PLAN_PAGE, readPlanCursor } from '../../vocabulary/plan-page.js';
import { PlanAnswer, PlanQuery } from '../schemas/plan.js';
import { BumpOverride } from '../schemas/releases.js';

export const planRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, deps) => {
  const { config } = deps;
  app.get(
    '/repos/:id/plan',
    {
      schema: {
        summary:
          'What a release of the branch (default: the release branch) would do now: next version, a summary per commit type, the changelog entry, and one page of the commits with the reason for each. No side effects.',
        tags: ['releases'],
        params: RepoIdParams,
        querystring: Type.Object({ bump: Type.Optional(BumpOverride), ...PlanQuery }, { additionalProperties: false }),
        response: {
          200: PlanAnswer,
          ...errorResponses(400, 401, 404, 422, 503),
        },
      },
    },
    async (request) => {
      const { bump, limit, cursor, branch } = request.query;
      const repo = configuredRepo(config, request.params.id);
      const line = configuredBranch(repo, branch);
      const perPage = limit === undefined ? undefined : Number(limit);
      if (perPage !== undefined && perPage > PLAN_PAGE.maxLimit)
        throw new ShipgateError('SHIPGATE_BAD_REQUEST', `limit must be at most ${PLAN_PAGE.maxLimit}, got ${perPage}`);
      // The schema's pattern has let only a cursor through.
      const at = cursor === undefined ? undefined : (readPlanCursor(cursor) ?? undefined);
      return currentPlan(deps, repo, line, bump, { cursor: at, limit: perPage });
    },
  );
};
