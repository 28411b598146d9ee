import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, CliError } from '../../../cli/http.js';
import { freePort } from '../../../devserver/dev-server.js';

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  contentType: string | undefined;
  body: string;
}

/** A plain HTTP server standing in for the API: it records each request and answers per path. */
describe('ApiClient', () => {
  let server: Server;
  let baseUrl: string;
  const seen: Seen[] = [];

  beforeAll(async () => {
    server = createServer((request: IncomingMessage, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        seen.push({
          method: request.method ?? '',
          url: request.url ?? '',
          authorization: request.headers.authorization,
          contentType: request.headers['content-type'],
          body,
        });
        const send = (status: number, payload: string, type = 'application/json') =>
          response.writeHead(status, { 'content-type': type }).end(payload);
        if (request.url === '/ok') return send(200, '{"repositories":[]}');
        if (request.url === '/missing-repo')
          return send(
            404,
            JSON.stringify({
              statusCode: 404,
              error: 'Not Found',
              code: 'SHIPGATE_REPO_NOT_FOUND',
              message: 'unknown repository "x"',
            }),
          );
        if (request.url === '/locked')
          return send(
            401,
            JSON.stringify({
              statusCode: 401,
              error: 'Unauthorized',
              code: 'SHIPGATE_UNAUTHORIZED',
              message: 'the API token is not valid',
            }),
          );
        if (request.url === '/proxy') return send(502, '<html>Bad Gateway</html>', 'text/html');
        if (request.url === '/html') return send(200, '<html>hello</html>', 'text/html');
        if (request.url === '/slow') return void setTimeout(() => send(200, '{}'), 500);
        return send(201, '{"created":true}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const client = (token: string | null = 'sekret', timeoutMs?: number) => new ApiClient({ baseUrl, token, timeoutMs });
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected a failure');
      },
      (error: unknown) => error as CliError,
    );

  it('sends the token as a bearer token and answers the parsed JSON', async () => {
    expect(await client().get('/ok')).toEqual({ repositories: [] });
    expect(seen.at(-1)).toMatchObject({
      method: 'GET',
      url: '/ok',
      authorization: 'Bearer sekret',
      contentType: undefined,
    });
  });

  it('posts options as JSON, and nothing at all without them', async () => {
    await client().post('/repos/x/releases', { bump: 'minor', deploy: false });
    expect(seen.at(-1)).toMatchObject({
      method: 'POST',
      contentType: 'application/json',
      body: '{"bump":"minor","deploy":false}',
    });
    await client().post('/repos/x/qa');
    expect(seen.at(-1)).toMatchObject({ method: 'POST', contentType: undefined, body: '' });
  });

  it("turns an error body into one line with the API's message and code", async () => {
    const error = await failure(client().get('/missing-repo'));
    expect(error).toBeInstanceOf(CliError);
    expect(error.message).toBe('unknown repository "x" (SHIPGATE_REPO_NOT_FOUND)');
    expect(error.details).toMatchObject({ status: 404, code: 'SHIPGATE_REPO_NOT_FOUND', transient: false });
  });

  it('says whether the token was missing or refused, and names SHIPGATE_API_TOKEN', async () => {
    expect((await failure(client(null).get('/locked'))).message).toBe(
      'no API token was given: set SHIPGATE_API_TOKEN (or pass --token) to the token the API was started with (SHIPGATE_UNAUTHORIZED)',
    );
    expect(seen.at(-1)?.authorization).toBeUndefined();
    expect((await failure(client('wrong').get('/locked'))).message).toBe(
      'the API token was refused: set SHIPGATE_API_TOKEN (or pass --token) to the token the API was started with (SHIPGATE_UNAUTHORIZED)',
    );
  });

  it('says where a refused token came from', async () => {
    const refused = new ApiClient({ baseUrl, token: 'stale', tokenSource: 'saved in /srv/shipgate/.api-token' });
    expect((await failure(refused.get('/locked'))).message).toBe(
      'the API token saved in /srv/shipgate/.api-token was refused: set SHIPGATE_API_TOKEN (or pass --token) to the token the API was started with (SHIPGATE_UNAUTHORIZED)',
    );
  });

  it('describes answers that are not from the shipgate API', async () => {
    expect(await failure(client().get('/proxy'))).toMatchObject({
      message: 'the API answered 502 Bad Gateway',
      details: { transient: true },
    });
    expect((await failure(client().get('/html'))).message).toBe(
      `the API answered GET /html with something other than JSON; is ${baseUrl} the shipgate API?`,
    );
  });

  it('says the API cannot be reached when nothing listens', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const error = await failure(new ApiClient({ baseUrl: url, token: null }).get('/repos'));
    expect(error.message).toBe(`cannot reach the shipgate API at ${url} (is \`npm start\` running?)`);
  });

  it('gives up on an API that does not answer in time', async () => {
    expect((await failure(client('t', 100).get('/slow'))).message).toBe(
      `the shipgate API at ${baseUrl} did not answer within 0.1 s`,
    );
  });
});
