import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { deploymentLedger } from '../deploy-ledger.js';
import { actorOf } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { redeploy } from '../redeploy.js';
import { decideDeployment, listRuns } from '../release-runs.js';
import { configuredRepo } from '../repositories.js';
import { errorResponses, RepoIdParams } from '../schemas.js';
import { DeploymentRequestAnswer, EnvironmentName, Version } from '../schemas/environments.js';
import { requestDeploymentByHand } from '../environments.js';
import { environmentOrFail } from '../../config/environments.js';
import { DecisionRoute } from '../schemas/deployments.js';
import { DeploymentLedger, RunSummary } from '../state-schemas.js';

/** Runs per environment in the deploy ledger when the request names no `limit`. */
const LEDGER_LIMIT = 20;

export const deploymentRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, deps) => {
  const { config, client } = deps;

  app.post(
    '/repos/:id/deployments',
    {
      schema: {
        summary:
          'Deploy a released version again (or an older one), with the same health and version checks; ' +
          'a tag shipgate did not release is refused (SHIPGATE_NOT_RELEASED). With environments, a request by ' +
          'hand to one of them (default: the first), which a pinned one refuses (SHIPGATE_ENVIRONMENT_PINNED)',
        tags: ['deployments'],
        params: RepoIdParams,
        body: Type.Object(
          {
            version: Version,
            environment: Type.Optional(EnvironmentName),
          },
          { additionalProperties: false },
        ),
        response: {
          202: DeploymentRequestAnswer,
          ...errorResponses(400, 401, 404, 409, 413, 415, 422, 503),
        },
      },
    },
    async (request, reply) => {
      const { version, environment } = request.body;
      const repo = configuredRepo(config, request.params.id);
      const by = actorOf(request);
      if (repo.promotes)
        return reply.code(202).send(await requestDeploymentByHand(deps, repo, version, by, environment));
      // One environment, as before environments: its name is the only one a request may give.
      if (environment !== undefined) environmentOrFail(repo, environment);
      return reply.code(202).send(await redeploy(deps, repo.id, version, by));
    },
  );

  app.get(
    '/repos/:id/deployments',
    {
      schema: {
        summary:
          'The deploy ledger: what was deployed to each environment when, ' +
          'with its outcome and who asked, and what is live',
        tags: ['deployments'],
        params: RepoIdParams,
        querystring: Type.Object(
          {
            limit: Type.Optional(
              Type.String({
                pattern: '^[1-9][0-9]{0,2}$',
                description: `Runs per environment, newest first: 1 to 999 (default ${LEDGER_LIMIT})`,
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: DeploymentLedger, ...errorResponses(400, 401, 404, 503) },
      },
    },
    async (request) => deploymentLedger(deps, request.params.id, Number(request.query.limit ?? LEDGER_LIMIT)),
  );

  app.get(
    '/deployments',
    {
      schema: {
        summary: 'Recent deployments, newest first',
        tags: ['deployments'],
        querystring: Type.Object(
          { repo: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,62}$' })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ runs: Type.Array(RunSummary) }), ...errorResponses(400, 401, 404, 503) },
      },
    },
    async (request) => {
      if (request.query.repo) configuredRepo(config, request.query.repo);
      return { runs: await listRuns(client, { repo: request.query.repo, type: 'deployWorkflow' }) };
    },
  );

  app.post(
    '/deployments/:workflowId/:decision',
    {
      schema: {
        summary: 'Decide what a failed deployment does next',
        tags: ['deployments'],
        ...DecisionRoute,
      },
    },
    async (request) =>
      decideDeployment(client, request.params.workflowId, request.params.decision, actorOf(request), request.log),
  );
};
