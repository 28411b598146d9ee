import { createHash } from 'node:crypto';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { actorOf, bearerAuth, tokenHolders } from '../../../api/auth.js';
import { handleError } from '../../../api/errors.js';

/** An app that answers the name a change would be recorded under, for a body's `by`. */
async function app() {
  const server = Fastify();
  server.setErrorHandler(handleError);
  server.decorateRequest('identity', null);
  const holders = tokenHolders({
    token: 'shared',
    tokens: [
      { name: 'alice', role: 'releaser', sha256: createHash('sha256').update('alice').digest('hex'), authors: [] },
    ],
  });
  server.addHook('onRequest', bearerAuth(holders));
  server.post<{ Body: { by?: string } }>('/change', async (request) => ({
    recorded: actorOf(request, request.body?.by),
  }));
  return server;
}

const change = async (token: string, body: object = {}) =>
  (await app()).inject({
    method: 'POST',
    url: '/change',
    headers: { authorization: `Bearer ${token}` },
    payload: body,
  });

describe('actorOf: the name a change is recorded under', () => {
  it("is a person's token's holder, with or without their own name as by", async () => {
    expect((await change('alice')).json()).toEqual({ recorded: 'alice' });
    expect((await change('alice', { by: 'alice' })).json()).toEqual({ recorded: 'alice' });
  });

  it("refuses a person's token a by that names someone else", async () => {
    const refused = await change('alice', { by: 'bob' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({
      code: 'SHIPGATE_BAD_REQUEST',
      message: "by names someone else: the token is alice's",
    });
  });

  it('takes by as given from the single shared token, and is admin without one', async () => {
    expect((await change('shared', { by: 'bob (shipgate cancel)' })).json()).toEqual({
      recorded: 'bob (shipgate cancel)',
    });
    expect((await change('shared')).json()).toEqual({ recorded: 'admin' });
  });
});
