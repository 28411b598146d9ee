import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { isGrpcDeadlineError, isGrpcServiceError, type Client } from '@temporalio/client';
import { Type } from 'typebox';
import { temporalAddress, type ApiDeps } from '../deps.js';

const PROBE_TIMEOUT_MS = 2_000;

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
      const problem = await temporalProblem(client);
      if (problem !== null)
        return reply
          .code(503)
          .send({ status: 'unavailable', temporal: { reachable: false, address, reason: problem } });
      return { status: 'ok' as const, temporal: { reachable: true, address } };
    },
  );
};

/** Null when the server answered; otherwise why not. Bounded by a timer too: connecting is not covered by the gRPC deadline. */
async function temporalProblem(client: Client): Promise<string | null> {
  const tooSlow = `no answer within ${PROBE_TIMEOUT_MS / 1000} s`;
  const probe = client
    .withDeadline(Date.now() + PROBE_TIMEOUT_MS, () => client.workflowService.getSystemInfo({}))
    .then(
      () => null,
      (error: unknown) => {
        if (isGrpcDeadlineError(error)) return tooSlow;
        if (isGrpcServiceError(error)) return error.details || error.message;
        return error instanceof Error ? error.message : String(error);
      },
    );
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(tooSlow), PROBE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
