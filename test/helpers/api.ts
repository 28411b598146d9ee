import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { inject } from 'vitest';
import { buildApp } from '../../api/app.js';
import type { ShipgateConfig } from '../../config/types.js';

export const TEST_TOKEN = randomBytes(24).toString('base64url');
export const AUTH = { authorization: `Bearer ${TEST_TOKEN}` };

export type TestApp = Awaited<ReturnType<typeof buildApp>>;

export function buildTestApp(config: ShipgateConfig, client: Client): Promise<TestApp> {
  return buildApp({ config, client, token: TEST_TOKEN, logger: false });
}

/** A client of the shared dev server, for API tests that need no worker. */
export async function connectTestClient(
  config: ShipgateConfig,
): Promise<{ client: Client; config: ShipgateConfig; close: () => Promise<void> }> {
  const address = inject('temporalAddress');
  const connection = await Connection.connect({ address });
  return {
    client: new Client({ connection, namespace: config.temporal.namespace }),
    config: { ...config, temporal: { ...config.temporal, address } },
    close: () => connection.close(),
  };
}

/** Calls `probe` until `done` holds for its answer, or fails after `timeoutMs`. */
export async function pollUntil<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`still not done after ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** A run view's `status` once the run has ended (not yet there, or RUNNING, is not ended). */
export const finished = (run: any): boolean => run.status !== undefined && run.status !== 'RUNNING';

/**
 * GET and POST with the test token, and a poll of a GET until `done` holds for its JSON body, for
 * an app the test builds later (in `beforeAll`): hence the getter.
 */
export function authedRequests(app: () => TestApp) {
  const get = (url: string) => app().inject({ method: 'GET', url, headers: AUTH });
  const post = (url: string, payload?: object) =>
    app().inject({ method: 'POST', url, headers: AUTH, ...(payload ? { payload } : {}) });
  const until = (url: string, done: (body: any) => boolean = finished, timeoutMs?: number) =>
    pollUntil(async (): Promise<any> => (await get(url)).json(), done, timeoutMs);
  return { get, post, until };
}
