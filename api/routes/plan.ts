import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiDeps } from '../deps.js';
import { currentPlan } from '../release-plan.js';
import { configuredRepo } from '../repositories.js';
import { errorResponses, RepoIdParams } from '../schemas.js';
import { Nullable } from '../state-schemas.js';
import { BumpOverride } from '../schemas/releases.js';

const Released = Type.Object({ tag: Type.String(), version: Type.String(), sha: Type.String() });

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
          200: Type.Object({
            sha: Type.String(),
            previous: Nullable(Released),
            version: Nullable(Type.String()),
            tag: Nullable(Type.String()),
            bump: Nullable(Type.String()),
            reason: Type.String(),
            commitCount: Type.Integer(),
            commits: Type.Array(
              Type.Object({
                shortSha: Type.String(),
                type: Nullable(Type.String()),
                scope: Nullable(Type.String()),
                subject: Type.String(),
                bump: Nullable(Type.String()),
                reason: Type.String(),
              }),
            ),
            changelogEntry: Nullable(Type.String()),
          }),
          ...errorResponses(400, 401, 404, 422, 503),
        },
      },
    },
    async (request) => currentPlan(deps, configuredRepo(config, request.params.id), request.query.bump),
  );
};
