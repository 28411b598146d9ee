import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, connectTestClient, TEST_TOKEN, type TestApp } from '../../helpers/api.js';
import { testConfig } from '../../helpers/temporal.js';

describe('bearer token', () => {
  let app: TestApp;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const test = await connectTestClient(await testConfig([]));
    close = test.close;
    app = await buildTestApp(test.config, test.client);
  });

  afterAll(async () => {
    await app?.close();
    await close?.();
  });

  const cases: [string, Record<string, string>, RegExp][] = [
    ['is missing', {}, /Authorization: Bearer <token>/],
    ['is not a bearer token', { authorization: `Basic ${TEST_TOKEN}` }, /must be "Bearer <token>"/],
    ['is a bearer header without a token', { authorization: 'Bearer ' }, /must be "Bearer <token>"/],
    ['is wrong', { authorization: 'Bearer not-the-token' }, /not valid/],
    ['is the right token with a suffix', { authorization: `Bearer ${TEST_TOKEN}x` }, /not valid/],
  ];

  for (const [situation, headers, message] of cases) {
    it(`answers 401 SHIPGATE_UNAUTHORIZED when the token ${situation}`, async () => {
      const response = await app.inject({ method: 'GET', url: '/repos', headers });
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
      const body = response.json();
      expect(body).toMatchObject({ statusCode: 401, error: 'Unauthorized', code: 'SHIPGATE_UNAUTHORIZED' });
      expect(body.message).toMatch(message);
    });
  }

  it('checks the token before anything else, so a bad request without one is still 401', async () => {
    const response = await app.inject({ method: 'POST', url: '/repos/a%20b/qa', payload: { nope: true } });
    expect(response.statusCode).toBe(401);
  });

  it('lets the right token through, whatever the case of "Bearer"', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/repos',
      headers: { authorization: `bearer ${TEST_TOKEN}` },
    });
    expect(response.statusCode).toBe(200);
  });

  it('needs no token for /healthz', async () => {
    const response = await app.inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
  });

  it('answers an unknown route with 404 SHIPGATE_NOT_FOUND', async () => {
    const response = await app.inject({ method: 'GET', url: '/nope?secret=1' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      statusCode: 404,
      error: 'Not Found',
      code: 'SHIPGATE_NOT_FOUND',
      message: 'no route GET /nope',
    });
  });
});
