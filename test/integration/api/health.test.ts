import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiConnectionOptions, createHealthProbe } from '../../../api/health-probe.js';
import { buildTestApp, connectTestClient, type TestApp } from '../../helpers/api.js';
import { testConfig } from '../../helpers/temporal.js';
import {
  DEPLOY_DECISIONS,
  QA_OUTCOMES,
  RELEASE_DECISIONS,
  RELEASE_OUTCOMES,
  TRIGGERS,
} from '../../../vocabulary/messages.js';

describe('GET /healthz', () => {
  let app: TestApp;
  let close: () => Promise<void>;
  let address: string;

  beforeAll(async () => {
    const test = await connectTestClient(await testConfig([]));
    close = test.close;
    address = test.config.temporal.address!;
    app = await buildTestApp(test.config, test.client);
  });

  afterAll(async () => {
    await app?.close();
    await close?.();
  });

  it('says ok, without a token, when the Temporal server answers', async () => {
    const response = await app.inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok', temporal: { reachable: true, address } });
  });

  it('answers 503 with the reason when the Temporal server cannot be reached', async () => {
    // Nothing listens on port 1; the lazy connection fails on first use instead of at construction.
    const config = await testConfig([]);
    const unreachable = { ...config, temporal: { ...config.temporal, address: '127.0.0.1:1' } };
    // No retry interceptor: the SDK's retry of a refused call waits on a timer that outlives the
    // 2 s probe, and fired after the connection is closed below it throws where no test can catch it.
    const connection = Connection.lazy({ address: '127.0.0.1:1', interceptors: [] });
    const down = await buildTestApp(unreachable, new Client({ connection }));
    try {
      const started = Date.now();
      const response = await down.inject({ method: 'GET', url: '/healthz' });
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(response.statusCode).toBe(503);
      const body = response.json();
      expect(body).toMatchObject({ status: 'unavailable', temporal: { reachable: false, address: '127.0.0.1:1' } });
      expect(body.temporal.reason).toEqual(expect.any(String));
    } finally {
      await down.close();
      await connection.close();
    }
  });
});

type Interceptor = NonNullable<ConnectionOptions['interceptors']>[number];

/** A client of the shared dev server, as the API connects, that counts the GetSystemInfo calls it sends. */
async function countingClient(
  address: string,
): Promise<{ client: Client; probes: () => number; close: () => Promise<void> }> {
  let probes = 0;
  const counter: Interceptor = (options, nextCall) => {
    if (options.method_definition.path.endsWith('/GetSystemInfo')) probes++;
    return nextCall(options) as ReturnType<Interceptor>;
  };
  const api = apiConnectionOptions(address);
  // Inside the retry interceptor, so that each attempt that reaches the server counts.
  const connection = await Connection.connect({ ...api, interceptors: [...api.interceptors!, counter] });
  const before = probes;
  return { client: new Client({ connection }), probes: () => probes - before, close: () => connection.close() };
}

describe('GET /healthz under load', () => {
  it('answers a burst of 100 concurrent requests ok from one shared probe of the server', async () => {
    const config = await testConfig([]);
    const test = await connectTestClient(config);
    await test.close();
    const counting = await countingClient(test.config.temporal.address!);
    const app = await buildTestApp(test.config, counting.client);
    try {
      const answers = await Promise.all(
        Array.from({ length: 100 }, () => app.inject({ method: 'GET', url: '/healthz' })),
      );
      expect(answers.map((answer) => answer.statusCode)).toEqual(Array(100).fill(200));
      // A burst longer than the one-second share could take a second probe, never one per request.
      expect(counting.probes()).toBeGreaterThanOrEqual(1);
      expect(counting.probes()).toBeLessThanOrEqual(2);
    } finally {
      await app.close();
      await counting.close();
    }
  });

  it('shares a probe while it runs and for a second after, then probes again', async () => {
    const test = await connectTestClient(await testConfig([]));
    await test.close();
    const counting = await countingClient(test.config.temporal.address!);
    let now = 0;
    const probe = createHealthProbe(counting.client, { now: () => now });
    try {
      expect(await Promise.all([probe(), probe(), probe()])).toEqual([null, null, null]);
      expect(counting.probes()).toBe(1);
      now = 999;
      expect(await probe()).toBeNull();
      expect(counting.probes()).toBe(1);
      now = 1_000;
      expect(await probe()).toBeNull();
      expect(counting.probes()).toBe(2);
    } finally {
      await counting.close();
    }
  });
});

describe('GET /docs/json', () => {
  it('serves an OpenAPI document, without a token, that lists every route and the bearer scheme', async () => {
    // The document describes routes; it needs no Temporal server at all.
    // No retry interceptor: the SDK's retry of a refused call waits on a timer that outlives the
    // 2 s probe, and fired after the connection is closed below it throws where no test can catch it.
    const connection = Connection.lazy({ address: '127.0.0.1:1', interceptors: [] });
    const app = await buildTestApp(await testConfig([]), new Client({ connection }));
    try {
      const response = await app.inject({ method: 'GET', url: '/docs/json' });
      expect(response.statusCode).toBe(200);
      const doc = response.json();
      expect(doc.openapi).toMatch(/^3\./);
      expect(doc.info.title).toBe('shipgate');
      expect(doc.components.securitySchemes.bearerAuth).toEqual({ type: 'http', scheme: 'bearer' });
      expect(Object.keys(doc.paths).sort()).toEqual([
        '/deployments',
        '/deployments/{workflowId}',
        '/deployments/{workflowId}/cancel',
        '/deployments/{workflowId}/notifications',
        '/deployments/{workflowId}/runs',
        '/deployments/{workflowId}/{decision}',
        '/events',
        '/healthz',
        '/hooks/github',
        '/hooks/gitlab',
        '/qa',
        '/qa/{workflowId}',
        '/qa/{workflowId}/cancel',
        '/qa/{workflowId}/runs',
        '/releases',
        '/releases/{workflowId}',
        '/releases/{workflowId}/cancel',
        '/releases/{workflowId}/notifications',
        '/releases/{workflowId}/runs',
        '/releases/{workflowId}/{decision}',
        '/repos',
        '/repos/{id}',
        '/repos/{id}/deployments',
        '/repos/{id}/environments',
        '/repos/{id}/environments/{env}/approvals',
        '/repos/{id}/environments/{env}/approvals/{version}',
        '/repos/{id}/environments/{env}/denials',
        '/repos/{id}/environments/{env}/overrides',
        '/repos/{id}/environments/{env}/pin',
        '/repos/{id}/environments/{env}/promotions',
        '/repos/{id}/environments/{env}/unpin',
        '/repos/{id}/metrics',
        '/repos/{id}/plan',
        '/repos/{id}/qa',
        '/repos/{id}/releases',
        '/repos/{id}/reports',
        '/repos/{id}/watch',
        '/repos/{id}/watch/pause',
        '/repos/{id}/watch/resume',
        '/whoami',
      ]);
      expect(doc.paths['/healthz'].get.security).toEqual([]);
      expect(doc.paths['/repos/{id}/qa'].post.responses).toHaveProperty('202');
      expect(
        doc.paths['/repos/{id}/deployments'].get.responses['200'].content['application/json'].schema.properties,
      ).toHaveProperty('environments');
      expect(doc.paths['/repos/{id}/environments/{env}/promotions'].post.responses).toHaveProperty('202');
      const release = doc.paths['/releases/{workflowId}'].get.responses['200'].content['application/json'].schema;
      expect(release.properties).toHaveProperty('promotion');
      expect(doc.paths['/events'].get.responses['200'].content).toHaveProperty('text/event-stream');
      expect(doc.paths['/events'].get.parameters.map((p: { name: string }) => p.name)).toEqual(
        expect.arrayContaining(['repo', 'run', 'runId', 'last-event-id']),
      );
      expect((await app.inject({ method: 'GET', url: '/docs' })).statusCode).toBeLessThan(400);
    } finally {
      await app.close();
      await connection.close();
    }
  });

  it('describes decisions, triggers and outcomes as enums of the vocabulary, and every field of a QA run', async () => {
    // No retry interceptor: the SDK's retry of a refused call waits on a timer that outlives the
    // 2 s probe, and fired after the connection is closed below it throws where no test can catch it.
    const connection = Connection.lazy({ address: '127.0.0.1:1', interceptors: [] });
    const app = await buildTestApp(await testConfig([]), new Client({ connection }));
    try {
      const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
      const json = (operation: any) => operation.responses['200'].content['application/json'].schema;
      // A release also takes `skip`, for a publish step that waits for a decision.
      for (const [path, decisions] of [
        ['/releases/{workflowId}/{decision}', RELEASE_DECISIONS],
        ['/deployments/{workflowId}/{decision}', DEPLOY_DECISIONS],
      ] as const) {
        const decision = doc.paths[path].post.parameters.find((p: { name: string }) => p.name === 'decision');
        expect(decision.schema.enum).toEqual([...decisions]);
        expect(json(doc.paths[path].post).properties.accepted.enum).toEqual([...decisions]);
      }
      // A QA run's state is nested under `state`, like a release's and a deployment's.
      const qaRun = json(doc.paths['/qa/{workflowId}'].get).properties;
      const qaState = qaRun.state.anyOf.find((s: { type?: string }) => s.type === 'object').properties;
      expect(qaState.trigger.enum).toEqual([...TRIGGERS]);
      expect(qaState).toHaveProperty('autoRelease');
      const release = json(doc.paths['/releases/{workflowId}'].get).properties;
      expect(release.result.properties.outcome.enum).toEqual([...RELEASE_OUTCOMES]);
      expect(JSON.stringify(release.state)).toContain(JSON.stringify([...QA_OUTCOMES]));
    } finally {
      await app.close();
      await connection.close();
    }
  });
});
