import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ShipgateError } from '../../domain/errors.js';
import type { ApiDeps } from '../deps.js';
import { errorResponses } from '../schemas.js';
import {
  deliveryIdOf,
  qaForPush,
  repositoriesFor,
  verifiedRepository,
  verifyGitHub,
  verifyGitLab,
  type HookAnswer,
} from '../webhooks.js';

const Answer = Type.Object({
  status: Type.Union([
    Type.Literal('started'),
    Type.Literal('duplicate'),
    Type.Literal('ignored'),
    Type.Literal('pong'),
  ]),
  workflowId: Type.Optional(Type.String()),
  sha: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String()),
});

const RAW_BODY = Symbol('rawBody');
type WithRawBody = FastifyRequest & { [RAW_BODY]?: string };

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/**
 * Push webhooks from GitHub and GitLab. They carry a signature instead of the API token, which
 * is checked against the raw body before anything starts.
 */
export const hookRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, deps) => {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    (request as WithRawBody)[RAW_BODY] = body as string;
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(new ShipgateError('SHIPGATE_BAD_REQUEST', 'the body is not valid JSON'), undefined);
    }
  });
  const schema = (forge: string) => ({
    summary: `Push webhook from ${forge}: starts QA of the pushed commit on a configured branch (with release.auto, a release of that branch after a pass)`,
    tags: ['webhooks'],
    security: [],
    response: { 200: Answer, 202: Answer, ...errorResponses(400, 401, 413, 415, 503) },
  });
  const answer = (result: HookAnswer) => result;

  app.post('/hooks/github', { schema: schema('GitHub') }, async (request, reply) => {
    const payload = record(request.body);
    const repository = record(payload.repository);
    const urls = [
      repository.clone_url,
      repository.ssh_url,
      repository.html_url,
      repository.git_url,
      repository.url,
    ] as (string | undefined)[];
    const candidates = await repositoriesFor(deps, urls);
    if (candidates.length === 0)
      return reply
        .code(202)
        .send(answer({ status: 'ignored', reason: 'no configured repository has this remote URL' }));
    const signature = request.headers['x-hub-signature-256'];
    const repo = verifiedRepository(candidates, (r) =>
      verifyGitHub(r, (request as WithRawBody)[RAW_BODY] ?? '', typeof signature === 'string' ? signature : undefined),
    );
    const event = request.headers['x-github-event'];
    if (event === 'ping') return reply.code(200).send(answer({ status: 'pong' }));
    if (event !== 'push')
      return reply.code(202).send(answer({ status: 'ignored', reason: `event ${String(event)} is not a push` }));
    const delivery = deliveryIdOf(request.headers['x-github-delivery'], 'X-GitHub-Delivery');
    const result = await qaForPush(deps, repo, { ref: payload.ref, after: payload.after }, delivery);
    return reply.code(result.status === 'duplicate' ? 200 : 202).send(result);
  });

  app.post('/hooks/gitlab', { schema: schema('GitLab') }, async (request, reply) => {
    const payload = record(request.body);
    const project = record(payload.project);
    const urls = [project.git_http_url, project.git_ssh_url, project.web_url, project.http_url, project.ssh_url] as (
      string | undefined
    )[];
    const candidates = await repositoriesFor(deps, urls);
    if (candidates.length === 0)
      return reply
        .code(202)
        .send(answer({ status: 'ignored', reason: 'no configured repository has this remote URL' }));
    const token = request.headers['x-gitlab-token'];
    const repo = verifiedRepository(candidates, (r) => verifyGitLab(r, typeof token === 'string' ? token : undefined));
    const event = request.headers['x-gitlab-event'];
    if (event !== 'Push Hook')
      return reply.code(202).send(answer({ status: 'ignored', reason: `event ${String(event)} is not a push` }));
    const delivery = deliveryIdOf(request.headers['x-gitlab-event-uuid'], 'X-Gitlab-Event-UUID');
    const result = await qaForPush(
      deps,
      repo,
      { ref: payload.ref, after: payload.checkout_sha ?? payload.after },
      delivery,
    );
    return reply.code(result.status === 'duplicate' ? 200 : 202).send(result);
  });
};
