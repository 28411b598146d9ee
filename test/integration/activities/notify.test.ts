import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createNotifyActivities } from '../../../activities/notify.js';
import type { ResolvedDeps } from '../../../activities/deps.js';
import { parseConfig } from '../../../config/load.js';
import type { Notification } from '../../../domain/notification.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../helpers/webhook-receiver.js';

const SECRET_ENV = 'SHIPGATE_TEST_ACTIVITY_NOTIFY_SECRET';
const URL_ENV = 'SHIPGATE_TEST_ACTIVITY_NOTIFY_URL';

const notification: Notification = {
  id: 'release:app/run-1/1',
  event: 'release.started',
  seq: 1,
  at: '2026-12-02T10:00:00.000Z',
  repo: 'app',
  workflowId: 'release:app',
  runId: 'run-1',
  version: null,
  tag: null,
  environment: null,
  outcome: null,
  reason: null,
  summary: 'release of app from main started (manual)',
  details: { trigger: 'manual' },
};

describe('deliverNotification against a real HTTP receiver', () => {
  let receiver: WebhookReceiver;
  let hanging: http.Server;
  let hangingUrl: string;
  let activities: ReturnType<typeof createNotifyActivities>;
  const env = new MockActivityEnvironment({ attempt: 3 });
  const deliver = (target: string) =>
    env.run((input: Parameters<typeof activities.deliverNotification>[0]) => activities.deliverNotification(input), {
      repoId: 'app',
      target,
      notification,
    });
  const failure = (target: string) =>
    deliver(target).then(
      () => {
        throw new Error('delivered');
      },
      (error: unknown) => error as ApplicationFailure,
    );

  beforeAll(async () => {
    process.env[SECRET_ENV] = 's3cret';
    receiver = await startWebhookReceiver({ secret: 's3cret' });
    // Takes the request and never answers: the attempt's timeout ends it.
    hanging = http.createServer(() => undefined);
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    hangingUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/`;
    const config = parseConfig(
      stringify({
        repositories: [
          {
            id: 'app',
            path: '/tmp/app',
            test: { command: ['npm', 'test'] },
            notify: [
              { name: 'json', url: receiver.url, secretEnv: SECRET_ENV },
              { name: 'slack', url: receiver.url, format: 'slack' },
              { name: 'by-env', urlEnv: URL_ENV },
              { name: 'no-secret', url: receiver.url, secretEnv: 'SHIPGATE_TEST_UNSET_SECRET' },
              { name: 'hangs', url: hangingUrl, timeout: '300ms' },
            ],
          },
        ],
      }),
      { file: null, env: {} },
    );
    activities = createNotifyActivities({
      config,
      now: () => new Date('2026-12-02T10:00:05Z'),
    } as ResolvedDeps);
  });

  afterEach(() => receiver.answer(204));

  afterAll(async () => {
    delete process.env[SECRET_ENV];
    await receiver.stop();
    hanging.closeAllConnections();
    await new Promise((resolve) => hanging.close(resolve));
  });

  it('POSTs the event as JSON with its headers and a valid signature', async () => {
    expect(await deliver('json')).toEqual({ status: 'delivered', httpStatus: 204, attempt: 3 });
    const hook = receiver.requests.at(-1)!;
    expect(hook.signed).toBe(true);
    expect(JSON.parse(hook.body)).toEqual(notification);
    expect(hook.headers).toMatchObject({
      'content-type': 'application/json',
      'x-shipgate-event': 'release.started',
      'x-shipgate-delivery': 'release:app/run-1/1',
      'x-shipgate-timestamp': String(Date.parse('2026-12-02T10:00:05Z') / 1000),
      'x-shipgate-attempt': '3',
    });
  });

  it('sends a slack target only the text, unsigned when it has no secret', async () => {
    await deliver('slack');
    const hook = receiver.requests.at(-1)!;
    expect(JSON.parse(hook.body)).toEqual({
      text: ':information_source: *app* release of app from main started (manual)\n`release.started` · release:app',
    });
    expect(hook.headers['x-shipgate-signature']).toBeUndefined();
  });

  it('answers gone for a 410, and fails retryably for a 503, for good for a 400', async () => {
    receiver.answer(410);
    expect(await deliver('json')).toMatchObject({ status: 'gone', httpStatus: 410 });
    receiver.answer(503);
    expect(await failure('json')).toMatchObject({
      type: 'SHIPGATE_NOTIFY_FAILED',
      nonRetryable: false,
      message: 'notify target "json" answered 503 to release.started (attempt 3)',
    });
    receiver.answer(400);
    expect(await failure('json')).toMatchObject({ type: 'SHIPGATE_NOTIFY_REFUSED', nonRetryable: true });
  });

  it('fails retryably when the receiver cannot be reached or does not answer in time', async () => {
    await receiver.down();
    try {
      expect(await failure('json')).toMatchObject({
        type: 'SHIPGATE_NOTIFY_FAILED',
        nonRetryable: false,
        message: expect.stringMatching(
          /^notify target "json" could not be reached \(.+\); attempt 3 of release.started$/,
        ) as unknown,
      });
    } finally {
      await receiver.up();
    }
    const started = Date.now();
    expect(await failure('hangs')).toMatchObject({
      type: 'SHIPGATE_NOTIFY_FAILED',
      nonRetryable: false,
      message: 'notify target "hangs" did not answer within 300 ms; attempt 3 of release.started',
    });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses for good when a variable the target names is not set, naming it, and sends nothing', async () => {
    const before = receiver.requests.length;
    expect(await failure('by-env')).toMatchObject({
      type: 'SHIPGATE_NOTIFY_REFUSED',
      nonRetryable: true,
      message: `notify target "by-env": the environment variable ${URL_ENV} (its URL) is not set on this worker`,
    });
    expect((await failure('no-secret')).message).toContain('SHIPGATE_TEST_UNSET_SECRET (its secret)');
    expect((await failure('gone-from-config')).message).toBe(
      'repository "app" has no notify target "gone-from-config" in this worker\'s configuration',
    );
    expect(receiver.requests.length).toBe(before);
    process.env[URL_ENV] = receiver.url;
    try {
      expect(await deliver('by-env')).toMatchObject({ status: 'delivered' });
    } finally {
      delete process.env[URL_ENV];
    }
  });
});
