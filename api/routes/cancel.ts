import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { cancelRun, type CancellableKind } from '../cancel-runs.js';
import { actorOf } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { CancelAnswer, CancelBody, cancelRequestOf, errorResponses, WorkflowIdParams } from '../schemas.js';

/** One cancel route per kind of run; they differ only in what the run undoes on its way out. */
const CANCEL_ROUTES: { kind: CancellableKind; path: string; tag: string; summary: string }[] = [
  {
    kind: 'release',
    path: '/releases/:workflowId/cancel',
    tag: 'releases',
    summary:
      'Cancel a running release through Temporal: it undoes its local release (commit, tag, ' +
      'files), cancels its QA run and deployment, and ends CANCELLED; 409 once it has ended',
  },
  {
    kind: 'deploy',
    path: '/deployments/:workflowId/cancel',
    tag: 'deployments',
    summary:
      'Cancel a running deployment through Temporal: ' +
      'its deploy report records it as abandoned, and it ends CANCELLED; 409 once it has ended',
  },
  {
    kind: 'qa',
    path: '/qa/:workflowId/cancel',
    tag: 'qa',
    summary:
      'Cancel a running QA run through Temporal: ' +
      'its test command is stopped and it ends CANCELLED; 409 once it has ended',
  },
];

export const cancelRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, deps) => {
  const { client } = deps;
  for (const { kind, path, tag, summary } of CANCEL_ROUTES) {
    app.post(
      path,
      {
        config: { action: 'admin' },
        schema: {
          summary,
          tags: [tag],
          params: WorkflowIdParams,
          body: Type.Optional(CancelBody),
          response: { 200: CancelAnswer, 202: CancelAnswer, ...errorResponses(400, 401, 404, 409, 413, 415, 503) },
        },
      },
      async (request, reply) => {
        const answer = await cancelRun(
          client,
          kind,
          request.params.workflowId,
          cancelRequestOf(actorOf(request, request.body?.by), request.body),
          request.log,
        );
        return reply.code(answer.status === 'RUNNING' ? 202 : 200).send(answer);
      },
    );
  }
};
