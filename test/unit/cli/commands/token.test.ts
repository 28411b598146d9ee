import Fastify from 'fastify';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { bearerAuth, identityOf, tokenHolders } from '../../../../api/auth.js';
import { configEntry, createToken, parse, run } from '../../../../cli/commands/token.js';
import type { RunContext } from '../../../../cli/command.js';
import { parseConfig } from '../../../../config/load.js';
import { parseInput } from './parse-input.js';

/** The output of `shipgate token create`, as the person who ran it sees it. */
async function created(options: Record<string, string | string[]>, json = false) {
  let out = '';
  const context = {
    json,
    io: { stdout: { write: (text: string) => (out += text) }, stderr: { write: () => true }, env: {} },
  } as unknown as RunContext;
  const code = await run(parse(parseInput(['create'], options)), context);
  return { code, out };
}

/** An app with the tokens of a configuration file, answering who called. */
async function appOf(configText: string) {
  const config = parseConfig(configText, { file: null, cwd: '/tmp', env: {} });
  const app = Fastify();
  app.decorateRequest('identity', null);
  app.addHook('onRequest', bearerAuth(tokenHolders({ tokens: config.api.tokens })));
  app.get('/me', async (request) => identityOf(request));
  app.post('/change', async (request) => identityOf(request));
  return app;
}

describe('shipgate token create', () => {
  it('prints a token once with the api.tokens entry whose hash lets exactly that token in, with that role', async () => {
    const { code, out } = await created({ name: 'alice', role: 'releaser', author: ['alice@example.com', 'Alice A'] });
    expect(code).toBe(0);
    const token = /^ {2}([A-Za-z0-9_-]{43,})$/m.exec(out)?.[1];
    expect(token).toBeDefined();
    expect(out).toMatch(/not shown again/);
    expect(out.match(new RegExp(token!, 'g'))).toHaveLength(1);
    // What follows "api:" is pasted into a configuration as it is.
    const yamlPart = out.slice(out.indexOf('  api:'));
    const config = stringify({ repositories: [] }) + yamlPart.replace(/^ {2}/gm, '');
    const app = await appOf(config);
    const me = await app.inject({ method: 'GET', url: '/me', headers: { authorization: `Bearer ${token}` } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toEqual({ name: 'alice', role: 'releaser', authors: ['alice@example.com', 'Alice A'] });
    const other = await app.inject({ method: 'GET', url: '/me', headers: { authorization: `Bearer ${token}x` } });
    expect(other.statusCode).toBe(401);
  });

  it('answers {name, role, token, hash} with --json, the hash being the sha256 of the token', async () => {
    const { out } = await created({ name: 'ci-bot', role: 'viewer' }, true);
    const answer = JSON.parse(out);
    expect(Object.keys(answer)).toEqual(['name', 'role', 'token', 'hash']);
    expect(answer).toMatchObject({ name: 'ci-bot', role: 'viewer' });
    expect(Buffer.from(answer.token, 'base64url').length).toBeGreaterThanOrEqual(32);
    const app = await appOf(
      stringify({ repositories: [], api: { tokens: [{ name: 'ci-bot', role: 'viewer', hash: answer.hash }] } }),
    );
    const me = await app.inject({ method: 'GET', url: '/me', headers: { authorization: `Bearer ${answer.token}` } });
    expect(me.json()).toMatchObject({ name: 'ci-bot', role: 'viewer' });
    const change = await app.inject({
      method: 'POST',
      url: '/change',
      headers: { authorization: `Bearer ${answer.token}` },
    });
    expect(change.statusCode).toBe(403);
    expect(change.json().message).toMatch(/ci-bot is viewer, which may not start or decide on runs/);
  });

  it('makes a new token every time, and an entry of one list item', () => {
    const a = createToken({ name: 'a', role: 'admin', authors: [] });
    const b = createToken({ name: 'a', role: 'admin', authors: [] });
    expect(a.token).not.toBe(b.token);
    expect(parseYaml(configEntry(a))).toEqual([{ name: 'a', role: 'admin', hash: a.hash, authors: [] }]);
  });

  const refused: [string, Record<string, string | string[]>, string[], RegExp][] = [
    ['no name', { role: 'viewer' }, ['create'], /needs --name/],
    ['a name with a space', { name: 'a b', role: 'viewer' }, ['create'], /--name must be/],
    ['no role', { name: 'a' }, ['create'], /needs --role/],
    [
      'an unknown role',
      { name: 'a', role: 'owner' },
      ['create'],
      /--role must be one of viewer, releaser, approver, admin/,
    ],
    ['another verb', { name: 'a', role: 'viewer' }, ['delete'], /knows only "create"/],
    ['an empty author', { name: 'a', role: 'viewer', author: [' '] }, ['create'], /--author must be/],
  ];
  for (const [what, options, positionals, message] of refused) {
    it(`refuses ${what}`, () => {
      expect(() => parse(parseInput(positionals, options))).toThrow(message);
    });
  }
});
