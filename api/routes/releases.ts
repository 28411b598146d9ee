import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { RepoId } from '../../config/schema.js';
import { actorOf } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { listRuns, decide, startRelease } from '../release-runs.js';
import { configuredBranch, configuredRepo } from '../repositories.js';
import { validateOverride } from '../release-plan.js';
import { errorResponses, RepoIdParams, WorkflowId } from '../schemas.js';
import { ReleaseDecisionRoute } from '../schemas/deployments.js';
import { BranchName } from '../schemas/branches.js';
import { BumpOverride, StatusFilter } from '../schemas/releases.js';
import { RunSummary } from '../state-schemas.js';

export const releaseRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, deps) => {
  const { config, client } = deps;

  app.post(
    '/repos/:id/releases',
    {
      schema: {
        summary:
          'Release a branch of the repository (default: its release branch): pre-flight, QA when stale, version, changelog, tag, push, deploy',
        tags: ['releases'],
        params: RepoIdParams,
        body: Type.Object(
          {
            branch: Type.Optional(BranchName),
            bump: Type.Optional(BumpOverride),
            deploy: Type.Optional(Type.Boolean({ description: 'false: release without deploying' })),
          },
          { additionalProperties: false },
        ),
        response: {
          202: Type.Object({ workflowId: WorkflowId, runId: Type.String() }),
          ...errorResponses(400, 401, 404, 409, 413, 415, 422, 503),
        },
      },
    },
    async (request, reply) => {
      const repo = configuredRepo(config, request.params.id);
      const body = request.body ?? {};
      const branch = configuredBranch(repo, body.branch);
      if (body.bump) await validateOverride(deps, repo, branch, body.bump);
      return reply.code(202).send(await startRelease(deps, repo, { ...body, branch, requestedBy: actorOf(request) }));
    },
  );

  app.get(
    '/releases',
    {
      schema: {
        summary: 'Recent releases from Temporal visibility, newest first',
        tags: ['releases'],
        querystring: Type.Object(
          {
            repo: Type.Optional(RepoId),
            status: Type.Optional(StatusFilter),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ runs: Type.Array(RunSummary) }), ...errorResponses(400, 401, 404, 503) },
      },
    },
    async (request) => {
      if (request.query.repo) configuredRepo(config, request.query.repo);
      return { runs: await listRuns(client, request.query) };
    },
  );

  app.post(
    '/releases/:workflowId/:decision',
    {
      schema: {
        summary:
          'Decide what a failed publish step or deployment does next: retry, skip the publish step (with a reason), roll the deployment back, or abandon',
        tags: ['releases'],
        ...ReleaseDecisionRoute,
      },
    },
    async (request) =>
      decide(client, request.params.workflowId, request.params.decision, actorOf(request), request.log, {
        reason: request.body?.reason,
      }),
  );
};
