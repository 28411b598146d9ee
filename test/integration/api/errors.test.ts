import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BODY_LIMIT_BYTES } from '../../../api/app.js';
import { AUTH, buildTestApp, type TestApp } from '../../helpers/api.js';
import { createTestRepo, type TestRepo } from '../../helpers/git-repo.js';
import { SAMPLE_FILES, sampleRepoSettings } from '../../helpers/sample-project.js';
import { startTestWorker, testConfig, type TestWorker } from '../../helpers/temporal.js';

describe('request errors', () => {
  let app: TestApp;
  let worker: TestWorker;
  let plainDir: string;
  let remote: TestRepo;

  beforeAll(async () => {
    plainDir = await mkdtemp(path.join(os.tmpdir(), 'shipgate-not-a-repo-'));
    remote = await createTestRepo(SAMPLE_FILES);
    const config = await testConfig([
      sampleRepoSettings('gone', '/nonexistent/shipgate/repo'),
      sampleRepoSettings('plain', plainDir),
      { id: 'no-branch', url: remote.remote, branch: 'release', test: { command: ['true'] } },
    ]);
    // The head commit of a QA request is read by a worker, which has the working copies.
    worker = await startTestWorker(config);
    app = await buildTestApp(worker.config, worker.client);
  });

  afterAll(async () => {
    await app?.close();
    await worker?.stop();
    await rm(plainDir, { recursive: true, force: true });
    await remote?.cleanup();
  });

  const postQa = (id: string, options: { payload?: string; headers?: Record<string, string> } = {}) =>
    app.inject({
      method: 'POST',
      url: `/repos/${id}/qa`,
      headers: { ...AUTH, ...options.headers },
      payload: options.payload,
    });

  it('answers 413 SHIPGATE_BODY_TOO_LARGE for a body over the limit', async () => {
    const payload = JSON.stringify({ padding: 'x'.repeat(BODY_LIMIT_BYTES) });
    const response = await postQa('gone', { payload, headers: { 'content-type': 'application/json' } });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({
      statusCode: 413,
      error: 'Payload Too Large',
      code: 'SHIPGATE_BODY_TOO_LARGE',
    });
  });

  for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded']) {
    it(`answers 415 SHIPGATE_UNSUPPORTED_MEDIA_TYPE for a ${type} body`, async () => {
      const response = await postQa('gone', { payload: 'a=b', headers: { 'content-type': type } });
      expect(response.statusCode).toBe(415);
      expect(response.json()).toMatchObject({
        statusCode: 415,
        error: 'Unsupported Media Type',
        code: 'SHIPGATE_UNSUPPORTED_MEDIA_TYPE',
      });
    });
  }

  it('answers 400 naming an unknown body field', async () => {
    const response = await postQa('gone', {
      payload: '{"bump":"major"}',
      headers: { 'content-type': 'application/json' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      code: 'SHIPGATE_BAD_REQUEST',
      message: 'body has an unknown field "bump"',
    });
  });

  // Every route of the API, with what it needs to pass validation but for the extra parameter.
  const routes: [method: 'GET' | 'POST', url: string][] = [
    ['GET', '/repos/gone/deployments?limit=5'],
    ['GET', '/deployments?repo=gone'],
    ['GET', '/repos/gone/plan?bump=minor'],
    ['GET', '/qa?repo=gone'],
    ['GET', '/releases?repo=gone'],
    ['POST', '/repos/gone/releases'],
    ['POST', '/repos/gone/qa'],
    ['POST', '/releases/release:gone/retry'],
    ['GET', '/repos/gone'],
    ['GET', '/repos/gone/watch'],
  ];
  for (const [method, url] of routes) {
    it(`answers 400 naming an unknown query parameter on ${method} ${url.split('?')[0]}, as for an unknown body field`, async () => {
      const response = await app.inject({
        method,
        url: `${url}${url.includes('?') ? '&' : '?'}skipQa=true`,
        headers: AUTH,
      });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        code: 'SHIPGATE_BAD_REQUEST',
        message: 'querystring has an unknown field "skipQa"',
      });
    });
  }

  it('answers 400 for a body that is not valid JSON', async () => {
    const response = await postQa('gone', { payload: '{"oops', headers: { 'content-type': 'application/json' } });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'SHIPGATE_BAD_REQUEST', message: 'the body is not valid JSON' });
  });

  it('answers 400 for a body that is JSON but not an object', async () => {
    const response = await postQa('gone', { payload: '[]', headers: { 'content-type': 'application/json' } });
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toBe('body must be object');
  });

  for (const [label, options] of [
    ['no body', {}],
    ['an empty JSON body', { payload: '', headers: { 'content-type': 'application/json' } }],
    ['{}', { payload: '{}', headers: { 'content-type': 'application/json' } }],
  ] as const) {
    it(`accepts ${label}, then answers 422 SHIPGATE_REPO_UNAVAILABLE when the configured path is missing`, async () => {
      const response = await postQa('gone', options);
      expect(response.statusCode).toBe(422);
      expect(response.json()).toEqual({
        statusCode: 422,
        error: 'Unprocessable Entity',
        code: 'SHIPGATE_REPO_UNAVAILABLE',
        message: 'repository "gone": /nonexistent/shipgate/repo does not exist',
      });
    });
  }

  it('answers 422 when the configured path is not a git repository', async () => {
    const response = await postQa('plain');
    expect(response.statusCode).toBe(422);
    expect(response.json().message).toBe(`repository "plain": ${plainDir} is not a git repository (no .git)`);
  });

  it('answers 422 when the configured branch does not exist at the configured URL', async () => {
    const response = await postQa('no-branch');
    expect(response.statusCode).toBe(422);
    expect(response.json().message).toBe('repository "no-branch": branch release does not exist at its remote URL');
  });

  it('answers 404 for QA of an unknown repository', async () => {
    expect((await postQa('nope')).json()).toMatchObject({ statusCode: 404, code: 'SHIPGATE_REPO_NOT_FOUND' });
  });

  it('answers 400 for a workflow ID with characters no shipgate ID has', async () => {
    const response = await app.inject({
      method: 'GET',
      url: `/qa/${encodeURIComponent("qa:x' OR 1=1")}`,
      headers: AUTH,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toMatch(/^params\/workflowId must match pattern/);
  });

  it('answers 400 when the repository filter is missing or malformed', async () => {
    const missing = await app.inject({ method: 'GET', url: '/qa', headers: AUTH });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().message).toBe("querystring must have required property 'repo'");
    const quoted = await app.inject({
      method: 'GET',
      url: `/qa?repo=${encodeURIComponent("x' OR 'a'='a")}`,
      headers: AUTH,
    });
    expect(quoted.statusCode).toBe(400);
    expect(quoted.json().message).toMatch(/^querystring\/repo must match pattern/);
  });
});

describe('when the Temporal server cannot be reached', () => {
  it('answers 503 SHIPGATE_TEMPORAL_UNAVAILABLE', async () => {
    const config = await testConfig([]);
    const connection = Connection.lazy({ address: '127.0.0.1:1' });
    const app = await buildTestApp(config, new Client({ connection }));
    try {
      const response = await app.inject({ method: 'GET', url: `/qa/qa:web:${'0'.repeat(40)}`, headers: AUTH });
      expect(response.json()).toEqual({
        statusCode: 503,
        error: 'Service Unavailable',
        code: 'SHIPGATE_TEMPORAL_UNAVAILABLE',
        message: 'the Temporal server cannot be reached',
      });
    } finally {
      await app.close();
      await connection.close();
    }
  });
});
