import { createHash, timingSafeEqual } from 'node:crypto';
import type { onRequestAsyncHookHandler } from 'fastify';
import { ShipgateError } from '../domain/errors.js';

const BEARER = /^Bearer +(\S+) *$/i;

/**
 * An onRequest hook that lets a request through only with `Authorization: Bearer <token>`.
 * Both sides are hashed first so the comparison takes the same time whatever the lengths.
 */
export function bearerAuth(token: string): onRequestAsyncHookHandler {
  if (token.length === 0) throw new Error('the API token must not be empty');
  const expected = sha256(token);
  return async (request) => {
    const header = request.headers.authorization;
    if (header === undefined || header === '') {
      throw new ShipgateError('SHIPGATE_UNAUTHORIZED', 'send the API token as "Authorization: Bearer <token>"');
    }
    const presented = BEARER.exec(header)?.[1];
    if (presented === undefined)
      throw new ShipgateError('SHIPGATE_UNAUTHORIZED', 'the Authorization header must be "Bearer <token>"');
    if (!timingSafeEqual(sha256(presented), expected))
      throw new ShipgateError('SHIPGATE_UNAUTHORIZED', 'the API token is not valid');
  };
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
