import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { repositoryMetrics } from '../delivery-metrics.js';
import type { ApiDeps } from '../deps.js';
import { errorResponses, RepoIdParams } from '../schemas.js';
import { MetricsAnswer, MetricsQuery } from '../schemas/metrics.js';

export const metricsRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, deps) => {
  app.get(
    '/repos/:id/metrics',
    {
      config: { action: 'read' },
      schema: {
        summary:
          'Delivery metrics over a period (default the last 30 days), from the environments’ ledgers: deployment ' +
          'frequency, lead time for changes, change failure rate and time to restore, per environment and for the ' +
          'repository (its production-like environment, the last in promotion order)',
        tags: ['environments'],
        params: RepoIdParams,
        querystring: MetricsQuery,
        response: { 200: MetricsAnswer, ...errorResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => repositoryMetrics(deps, request.params.id, request.query),
  );
};
