import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { ApiToken } from '../config/types.js';
import { ShipgateError } from '../domain/errors.js';
import {
  roleAllows,
  rolesAllowing,
  SINGLE_TOKEN_IDENTITY,
  type Action,
  type Identity,
} from '../vocabulary/identity.js';

const BEARER = /^Bearer +(\S+) *$/i;

declare module 'fastify' {
  interface FastifyRequest {
    /** Who sent the request: set by the bearer check on every route behind it, null elsewhere. */
    identity: Identity | null;
  }
  interface FastifyContextConfig {
    /**
     * What the route needs the caller's role to allow (vocabulary/identity.ts). Unsaid: `read`
     * for GET and HEAD, `run` for anything else; routes that need more say so.
     */
    action?: Action;
  }
}

/** One holder of a token: who they are and the SHA-256 of their token. */
interface Holder {
  identity: Identity;
  sha256: Buffer;
}

/**
 * The holders an API answers: every token of `api.tokens`, and the single token (given or made
 * at start) as one admin. At least one is needed.
 */
export function tokenHolders(options: { token?: string | null; tokens?: ApiToken[] }): Holder[] {
  const holders: Holder[] = (options.tokens ?? []).map((token) => ({
    identity: { name: token.name, role: token.role, authors: token.authors },
    sha256: Buffer.from(token.sha256, 'hex'),
  }));
  if (options.token !== undefined && options.token !== null) {
    if (options.token.length === 0) throw new Error('the API token must not be empty');
    holders.push({ identity: SINGLE_TOKEN_IDENTITY, sha256: sha256(options.token) });
  }
  if (holders.length === 0) throw new Error('the API needs a token: SHIPGATE_API_TOKEN or api.tokens');
  return holders;
}

/**
 * An onRequest hook that lets a request through only with `Authorization: Bearer <token>` of a
 * known holder whose role allows what the route does. The presented token is hashed and compared
 * with every holder's hash, each in constant time and all of them every time, so neither the
 * token's length nor which holder it matched shows in how long the answer takes.
 */
export function bearerAuth(holders: Holder[]): onRequestAsyncHookHandler {
  return async (request) => {
    const header = request.headers.authorization;
    if (header === undefined || header === '') {
      throw new ShipgateError('SHIPGATE_UNAUTHORIZED', 'send the API token as "Authorization: Bearer <token>"');
    }
    const presented = BEARER.exec(header)?.[1];
    if (presented === undefined)
      throw new ShipgateError('SHIPGATE_UNAUTHORIZED', 'the Authorization header must be "Bearer <token>"');
    const digest = sha256(presented);
    let found: Identity | null = null;
    for (const holder of holders) if (timingSafeEqual(digest, holder.sha256) && !found) found = holder.identity;
    if (!found) throw new ShipgateError('SHIPGATE_UNAUTHORIZED', 'the API token is not valid');
    request.identity = found;
    // Every line the request logs from here on names who sent it.
    request.log = request.log.child({ by: found.name, role: found.role });
    const action = actionOf(request);
    if (!roleAllows(found.role, action))
      throw new ShipgateError(
        'SHIPGATE_ROLE_REQUIRED',
        `${found.name} is ${found.role}, which may not ${ACTION_TEXT[action]}: that needs ${rolesAllowing(action).join(' or ')}`,
      );
  };
}

const ACTION_TEXT: Record<Action, string> = {
  read: 'read',
  run: 'start or decide on runs',
  approve: 'approve or deny promotions',
  admin: 'pin, unpin, cancel or override',
};

function actionOf(request: FastifyRequest): Action {
  return actionOfRoute(request.method, request.routeOptions.config);
}

/** A route as the role check sees it. */
export interface SecuredRoute {
  method: string;
  url: string;
  action: Action;
}

/** The action a route declares, or the default for its method. */
export function actionOfRoute(method: string, config: { action?: Action } | undefined): Action {
  if (config?.action) return config.action;
  return method === 'GET' || method === 'HEAD' ? 'read' : 'run';
}

/** Who sent a request behind the bearer check (the routes behind it always have one). */
export function identityOf(request: FastifyRequest): Identity {
  if (!request.identity) throw new Error('identityOf: the route is not behind the bearer check');
  return request.identity;
}

/**
 * The name to record for a change a request asks for: the token holder's. A body's `by` is only
 * taken from the single shared token, which cannot tell people apart (as before tokens per
 * person); with a person's or bot's token it may only repeat the holder's name.
 */
export function actorOf(request: FastifyRequest, by?: string): string {
  const identity = identityOf(request);
  if (by === undefined || by === identity.name) return identity.name;
  if (identity === SINGLE_TOKEN_IDENTITY) return by;
  throw new ShipgateError('SHIPGATE_BAD_REQUEST', `by names someone else: the token is ${identity.name}'s`);
}

export function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
