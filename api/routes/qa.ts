import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { RepoId } from '../../config/schema.js';
import { actorOf } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { headCommit } from '../head-commit.js';
import { recentQaRuns, RECENT_RUNS_LIMIT, startQa } from '../qa-runs.js';
import { configuredBranch, configuredRepo } from '../repositories.js';
import { errorResponses, RepoIdParams, WorkflowId } from '../schemas.js';
import { BranchName } from '../schemas/branches.js';
import { Nullable, RunStatus } from '../state-schemas.js';

const Sha = Type.String({ pattern: '^[0-9a-f]{40}$', description: 'A full commit SHA' });

const QaRunSummary = Type.Object({
  workflowId: WorkflowId,
  runId: Type.String(),
  status: RunStatus,
  startTime: Type.String(),
  closeTime: Nullable(Type.String()),
  sha: Nullable(Sha),
  trigger: Nullable(Type.String()),
  stage: Nullable(Type.String()),
  outcome: Nullable(Type.String()),
  branch: Nullable(Type.String({ description: 'The branch tested; null for runs from before release channels' })),
});

export const qaRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, deps) => {
  const { config, client } = deps;

  app.post(
    '/repos/:id/qa',
    {
      schema: {
        summary:
          'Run QA on the head of a branch of the repository (default: its release branch), or join the run already testing that commit',
        tags: ['qa'],
        params: RepoIdParams,
        body: Type.Object(
          { branch: Type.Optional(BranchName) },
          { additionalProperties: false, description: 'Send no body, or {}, for the release branch' },
        ),
        response: {
          202: Type.Object({ workflowId: WorkflowId, runId: Type.String(), sha: Sha }),
          ...errorResponses(400, 401, 404, 413, 415, 422, 503),
        },
      },
    },
    async (request, reply) => {
      const repo = configuredRepo(config, request.params.id);
      const branch = configuredBranch(repo, request.body?.branch);
      const sha = await headCommit(deps, repo, branch);
      return reply.code(202).send(await startQa(deps, repo, sha, branch, actorOf(request)));
    },
  );

  app.get(
    '/qa',
    {
      schema: {
        summary: `The most recent QA runs of a repository (at most ${RECENT_RUNS_LIMIT}), newest first`,
        tags: ['qa'],
        querystring: Type.Object({ repo: RepoId }, { additionalProperties: false }),
        response: { 200: Type.Object({ runs: Type.Array(QaRunSummary) }), ...errorResponses(400, 401, 404, 503) },
      },
    },
    async (request) => {
      const repo = configuredRepo(config, request.query.repo);
      return { runs: await recentQaRuns(client, repo.id) };
    },
  );
};
