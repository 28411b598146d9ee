import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { approvalPage, decide, overrideGate } from '../approvals.js';
import { identityOf } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { errorResponses } from '../schemas.js';
import {
  ApprovalBody,
  ApprovalPage,
  ApprovalPageParams,
  DecisionAnswer,
  DenialBody,
  OverrideBody,
} from '../schemas/approvals.js';
import { EnvironmentParams } from '../schemas/environments.js';

export const approvalRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, deps) => {
  app.post(
    '/repos/:id/environments/:env/approvals',
    {
      config: { action: 'approve' },
      schema: {
        summary:
          "Approve a version into an environment, as the token's holder: refused (403 SHIPGATE_APPROVAL_REFUSED) for " +
          'someone not allowed, who already approved, started the release or authored one of its commits',
        tags: ['approvals'],
        params: EnvironmentParams,
        body: ApprovalBody,
        response: { 200: DecisionAnswer, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 503) },
      },
    },
    async (request) =>
      decide(
        deps,
        { repoId: request.params.id, environment: request.params.env, version: request.body.version },
        identityOf(request),
        'approve',
        request.body.reason ?? null,
      ),
  );

  app.post(
    '/repos/:id/environments/:env/denials',
    {
      config: { action: 'approve' },
      schema: {
        summary: 'Deny a version entry into an environment, with the reason: its promotion ends denied',
        tags: ['approvals'],
        params: EnvironmentParams,
        body: DenialBody,
        response: { 200: DecisionAnswer, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 503) },
      },
    },
    async (request) =>
      decide(
        deps,
        { repoId: request.params.id, environment: request.params.env, version: request.body.version },
        identityOf(request),
        'deny',
        request.body.reason,
      ),
  );

  app.post(
    '/repos/:id/environments/:env/overrides',
    {
      config: { action: 'admin' },
      schema: {
        summary:
          'As an admin, let a version pass a gate that holds it (its approval or an open freeze window), recorded',
        tags: ['approvals'],
        params: EnvironmentParams,
        body: OverrideBody,
        response: { 200: DecisionAnswer, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 503) },
      },
    },
    async (request) =>
      overrideGate(
        deps,
        { repoId: request.params.id, environment: request.params.env, version: request.body.version },
        identityOf(request),
        request.body.gate,
        request.body.reason,
      ),
  );

  app.get(
    '/repos/:id/environments/:env/approvals/:version',
    {
      schema: {
        summary:
          'The approval page of a version: its approvals so far, the QA report, the changelog entry and the diff ' +
          'since the release before',
        tags: ['approvals'],
        params: ApprovalPageParams,
        response: { 200: ApprovalPage, ...errorResponses(400, 401, 404, 503) },
      },
    },
    async (request) =>
      approvalPage(deps, {
        repoId: request.params.id,
        environment: request.params.env,
        version: request.params.version,
      }),
  );
};
