import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { temporalAddress, type ApiDeps } from '../deps.js';
import { createHealthProbe } from '../health-probe.js';

const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
  temporal: Type.Object({
    reachable: Type.Boolean(),
    address: Type.String(),
    reason: Type.Optional(Type.String({ description: 'Why the server could not be reached' })),
  }),
});

export const healthRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, { config, client }) => {
  const address = temporalAddress(config);
  // One probe per app, shared by concurrent requests: see createHealthProbe.
  const temporalProblem = createHealthProbe(client);
  app.get(
    '/healthz',
    {
      // Probes call this every few seconds; their lines would drown the log.
      logLevel: 'warn',
      schema: {
        summary: 'Whether the API is up and can reach the Temporal server',
        tags: ['health'],
        security: [],
        response: { 200: Health, 503: Health },
      },
    },
    async (_request, reply) => {
      const problem = await temporalProblem();
      if (problem !== null)
        return reply
          .code(503)
          .send({ status: 'unavailable', temporal: { reachable: false, address, reason: problem } });
      return { status: 'ok' as const, temporal: { reachable: true, address } };
    },
  );
};
