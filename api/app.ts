import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Client } from '@temporalio/client';
import { Type } from 'typebox';
import Fastify, { type FastifyServerOptions } from 'fastify';
import type { ApiToken, ShipgateConfig } from '../config/types.js';
import { actionOfRoute, bearerAuth, tokenHolders, type SecuredRoute } from './auth.js';
import type { ApiDeps } from './deps.js';
import { RunEventHub } from './run-events.js';
import { formatValidationErrors, handleError, handleNotFound } from './errors.js';
import { healthRoutes } from './routes/health.js';
import { approvalRoutes } from './routes/approvals.js';
import { cancelRoutes } from './routes/cancel.js';
import { deploymentRoutes } from './routes/deployments.js';
import { environmentRoutes } from './routes/environments.js';
import { eventRoutes } from './routes/events.js';
import { metricsRoutes } from './routes/metrics.js';
import { hookRoutes } from './routes/hooks.js';
import { planRoutes } from './routes/plan.js';
import { qaRoutes } from './routes/qa.js';
import { releaseRoutes } from './routes/releases.js';
import { reportRoutes } from './routes/reports.js';
import { runRoutes } from './routes/runs.js';
import { repoRoutes } from './routes/repos.js';
import { watchRoutes } from './routes/watch.js';
import { whoamiRoutes } from './routes/whoami.js';

const NO_QUERY = Type.Object({}, { additionalProperties: false });

/** Every request body is a small JSON options object; anything near this size is a mistake. */
export const BODY_LIMIT_BYTES = 64 * 1024;

/**
 * The router's default (100) is below what the schemas allow: a workflow ID may be 200
 * characters (`qa:<63-character repo>:<sha>` is already 107), and clients percent-encode its
 * colons. Above this the router refuses; below it, the schema does, and names the field.
 */
const MAX_PARAM_LENGTH = 1_000;

declare module 'fastify' {
  interface FastifyInstance {
    /** The followers behind `GET /events`, for tests and benchmarks to look into. */
    runEvents: RunEventHub;
    /** Every route behind the bearer check with the action its role check asks for. */
    securedRoutes: SecuredRoute[];
  }
}

export interface AppOptions {
  config: ShipgateConfig;
  client: Client;
  /** The single token, whose holder is one admin (SHIPGATE_API_TOKEN, or made at start); optional with `tokens`. */
  token?: string | null;
  /** Tokens per person or bot, with their roles (`api.tokens`); default: the configuration's. */
  tokens?: ApiToken[];
  logger?: FastifyServerOptions['logger'];
}

/** The shipgate API: public health, then every resource behind the bearer token. */
export const shipgateApi: FastifyPluginAsyncTypebox<
  ApiDeps & { token?: string | null; tokens?: ApiToken[]; events: RunEventHub; securedRoutes?: SecuredRoute[] }
> = async (app, options) => {
  const deps: ApiDeps = { config: options.config, client: options.client };
  const holders = tokenHolders({ token: options.token, tokens: options.tokens ?? options.config.api.tokens });
  // Without a querystring schema Fastify validates no query at all, so `?skipQa=true` would be
  // ignored while the same typo in a body is refused. Declared parameters stay the route's own.
  app.addHook('onRoute', (route) => {
    const schema = route.schema ?? {};
    if (schema.querystring === undefined) route.schema = { ...schema, querystring: NO_QUERY };
  });
  await app.register(healthRoutes, deps);
  await app.register(hookRoutes, deps);
  const securedRoutes = options.securedRoutes ?? [];
  await app.register(async (secured) => {
    secured.addHook('onRequest', bearerAuth(holders));
    secured.addHook('onRoute', (route) => {
      for (const method of [route.method].flat())
        if (method !== 'HEAD')
          securedRoutes.push({ method, url: route.url, action: actionOfRoute(method, route.config) });
    });
    await secured.register(repoRoutes, deps);
    await secured.register(reportRoutes, deps);
    await secured.register(qaRoutes, deps);
    await secured.register(planRoutes, deps);
    await secured.register(releaseRoutes, deps);
    await secured.register(deploymentRoutes, deps);
    await secured.register(environmentRoutes, deps);
    await secured.register(approvalRoutes, deps);
    await secured.register(metricsRoutes, deps);
    await secured.register(watchRoutes, deps);
    await secured.register(cancelRoutes, deps);
    await secured.register(runRoutes, deps);
    await secured.register(eventRoutes, { ...deps, events: options.events });
    await secured.register(whoamiRoutes, deps);
  });
};

export async function buildApp(options: AppOptions) {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // A malformed percent-encoding or an over-long parameter gets the one error format too.
    frameworkErrors: (error, request, reply) => {
      void handleError(error, request, reply);
    },
    // Fastify's default silently drops unknown body fields; a typo should be an error instead.
    // A JSON body is taken as sent: ["major"] is not "major", 1 is not true.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
    schemaErrorFormatter: formatValidationErrors,
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setErrorHandler(handleError);
  app.decorateRequest('identity', null);
  app.setNotFoundHandler(handleNotFound);

  // Bodies here are options objects, so no body means no options. Some clients also send
  // Content-Type: application/json on a bare POST, which Fastify would reject as empty JSON.
  app.removeContentTypeParser('text/plain');
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body.length === 0) done(null, undefined);
    else void parseJson(request, body.toString(), done);
  });
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined && request.routeOptions.schema?.body !== undefined) request.body = {};
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'shipgate',
        description: 'Release orchestration on Temporal: QA gate, releases, deployments, environments and promotions.',
        version: '1',
      },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearerAuth: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  // One hub per API process: every subscriber of a run shares its follower (see api/run-events.ts).
  const events = new RunEventHub(options.client, options.config.temporal.namespace);
  app.decorate('runEvents', events);
  // Open event streams would keep the server from closing; they end first.
  app.addHook('preClose', async () => events.close());
  const securedRoutes: SecuredRoute[] = [];
  app.decorate('securedRoutes', securedRoutes);
  await app.register(shipgateApi, {
    config: options.config,
    client: options.client,
    token: options.token ?? null,
    tokens: options.tokens ?? options.config.api.tokens,
    events,
    securedRoutes,
  });
  return app;
}
