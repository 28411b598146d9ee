import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RepositoryInput } from '../../../config/schema.js';
import type { notifierWorkflow } from '../../../workflows/notify.js';
import { releaseWorkflow } from '../../../workflows/release.js';
import { publishDecisionUpdate, releaseStateQuery, type ReleaseState } from '../../../vocabulary/messages.js';
import type { RunNotificationsView } from '../../../cli/api-types.js';
import type { NotifierState } from '../../../vocabulary/notifications.js';
import { authedRequests, buildTestApp, pollUntil, type TestApp } from '../../helpers/api.js';
import { createTestRepo, type TestRepo } from '../../helpers/git-repo.js';
import { createPublishTarget, type PublishTarget } from '../../helpers/publish-target.js';
import { SAMPLE_FILES, sampleRepoSettings } from '../../helpers/sample-project.js';
import { startTestWorker, testConfig, type TestWorker } from '../../helpers/temporal.js';
import {
  deliveryProblems,
  startWebhookReceiver,
  type ReceivedHook,
  type WebhookReceiver,
} from '../../helpers/webhook-receiver.js';

const SECRET_ENV = 'SHIPGATE_TEST_NOTIFY_SECRET';
const SECRET = 'notify-test-secret';
const IDS = ['ntf-order', 'ntf-outage', 'ntf-slack'] as const;
type Id = (typeof IDS)[number];

const repos = new Map<Id, TestRepo>();
const receivers = new Map<string, WebhookReceiver>();
let target: PublishTarget;
let worker: TestWorker;
let app: TestApp;
const { get } = authedRequests(() => app);

const DEPLOY = { command: [process.execPath, '-e', 'process.exit(0)'] };

function settings(id: Id): RepositoryInput {
  const hook = (name: string) => ({ name, url: receivers.get(`${id}/${name}`)!.url, secretEnv: SECRET_ENV });
  const extras: Record<Id, () => Partial<RepositoryInput>> = {
    'ntf-order': () => ({
      deploy: DEPLOY,
      publish: [{ name: 'pkg', command: target.command, check: target.check, retries: 0 }],
      notify: [hook('all')],
    }),
    'ntf-outage': () => ({ deploy: DEPLOY, notify: [hook('all')] }),
    'ntf-slack': () => ({
      deploy: DEPLOY,
      notify: [
        { ...hook('chat'), format: 'slack' as const, events: ['release.released', 'deploy.*'] },
        { ...hook('gone'), events: ['release.*'] },
      ],
    }),
  };
  return sampleRepoSettings(id, repos.get(id)!.dir, extras[id]());
}

function startRelease(id: Id) {
  return worker.client.workflow.start(releaseWorkflow, {
    taskQueue: worker.taskQueue,
    workflowId: `release:${id}:${Math.random().toString(36).slice(2)}`,
    args: [{ repoId: id }],
  });
}

type Body = { id: string; event: string; seq: number; workflowId: string; runId: string } & Record<string, unknown>;
const bodyOf = (hook: ReceivedHook) => JSON.parse(hook.body) as Body;

/** The delivered events of each run, in arrival order: `<workflow kind>` → event names. */
function eventsByRun(hooks: ReceivedHook[]): Map<string, Body[]> {
  const runs = new Map<string, Body[]>();
  for (const hook of hooks) {
    const body = bodyOf(hook);
    const key = body.workflowId.split(':')[0]!;
    runs.set(key, [...(runs.get(key) ?? []), body]);
  }
  return runs;
}

describe('notifications of a release', () => {
  beforeAll(async () => {
    process.env[SECRET_ENV] = SECRET;
    target = await createPublishTarget();
    for (const key of ['ntf-order/all', 'ntf-outage/all', 'ntf-slack/chat', 'ntf-slack/gone'])
      receivers.set(key, await startWebhookReceiver({ secret: SECRET }));
    for (const id of IDS) repos.set(id, await createTestRepo(SAMPLE_FILES));
    for (const repo of repos.values())
      await repo.commit('feat: subtract numbers', {
        'src/math.js': 'export function add(a, b) {\n  return a + b;\n}\n\nexport const sub = (a, b) => a - b;\n',
      });
    worker = await startTestWorker(await testConfig(IDS.map(settings)));
    app = await buildTestApp(worker.config, worker.client);
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await worker?.stop();
    await Promise.all([...receivers.values()].map((r) => r.stop()));
    await Promise.all([...repos.values(), target].map((r) => r?.cleanup()));
    delete process.env[SECRET_ENV];
  });

  it('sends every event of the release and of its deployment once, in order per run, signed', async () => {
    const receiver = receivers.get('ntf-order/all')!;
    await target.refuse();
    const handle = await startRelease('ntf-order');
    await pollUntil(
      () => handle.query(releaseStateQuery),
      (s: ReleaseState) => s.publish?.awaiting != null,
      180_000,
    );
    await receiver.waitFor(
      (hooks) => hooks.some((h) => h.headers['x-shipgate-event'] === 'decision.awaiting'),
      30_000,
      'decision.awaiting',
    );
    await target.recover();
    await handle.executeUpdate(publishDecisionUpdate, { args: [{ decision: 'retry', by: 'alice' }] });
    const result = await handle.result();
    expect(result.outcome).toBe('deployed');
    await receiver.waitFor(
      (hooks) => hooks.filter((h) => ['release.finished', 'deploy.deployed'].includes(bodyOf(h).event)).length === 2,
      60_000,
      'release.finished and deploy.deployed',
    );

    const hooks = receiver.delivered();
    expect(deliveryProblems(hooks)).toEqual([]);
    expect(receiver.requests, 'every request was answered 2xx').toHaveLength(hooks.length);
    for (const hook of hooks) {
      expect(Math.abs(Number(hook.headers['x-shipgate-timestamp']) * 1000 - hook.at)).toBeLessThan(10_000);
    }
    const runs = eventsByRun(hooks);
    expect(runs.get('release')!.map((b) => b.event)).toEqual([
      'release.started',
      'release.released',
      'decision.awaiting',
      'release.finished',
    ]);
    expect(runs.get('release')!.map((b) => b.seq)).toEqual([1, 2, 3, 4]);
    expect(runs.get('deploy')!.map((b) => b.event)).toEqual(['deploy.started', 'deploy.deployed']);
    const [started, released, awaiting, finished] = runs.get('release')!;
    expect(started).toMatchObject({ repo: 'ntf-order', workflowId: handle.workflowId, version: null });
    expect(released).toMatchObject({
      version: '1.0.0',
      tag: 'v1.0.0',
      summary: 'v1.0.0 released: branch and tag pushed',
    });
    expect(String((released!.details as { changelog: string }).changelog)).toContain('subtract numbers');
    expect(awaiting).toMatchObject({
      details: { kind: 'publish', step: 'pkg', allowed: ['retry', 'skip', 'abandon'] },
      reason: expect.stringMatching(/publish step "pkg"/) as unknown,
    });
    expect(finished).toMatchObject({
      outcome: 'deployed',
      version: '1.0.0',
      details: { published: [{ name: 'pkg', status: 'published' }] },
    });
    expect(runs.get('deploy')![1]).toMatchObject({ outcome: 'deployed', environment: 'production', version: '1.0.0' });

    // The notifier of each run ended once it had delivered everything.
    const notifier = worker.client.workflow.getHandle<typeof notifierWorkflow>(
      `notify:${handle.workflowId}:${started!.runId}`,
    );
    const state: NotifierState = await notifier.result();
    expect(state.targets[0]!.deliveries.map((d) => `${d.seq} ${d.event} ${d.status}`)).toEqual([
      '1 release.started delivered',
      '2 release.released delivered',
      '3 decision.awaiting delivered',
      '4 release.finished delivered',
    ]);

    // The API answers the same from the notifier's memo, for the latest run or the one named.
    const path = `/releases/${encodeURIComponent(handle.workflowId)}/notifications`;
    const read = await get(`${path}?runId=${started!.runId}`);
    expect(read.statusCode, read.body).toBe(200);
    expect(read.json()).toMatchObject({
      workflowId: handle.workflowId,
      runId: started!.runId,
      notifier: { workflowId: `notify:${handle.workflowId}:${started!.runId}`, status: 'COMPLETED', state },
    });
    const deployId = runs.get('deploy')![0]!.workflowId;
    const deployRead = (await get(`/deployments/${encodeURIComponent(deployId)}/notifications`)).json<{
      notifier: NonNullable<RunNotificationsView['notifier']>;
    }>();
    expect(deployRead.notifier.state!.targets[0]!.deliveries.map((d) => `${d.event} ${d.status}`)).toEqual([
      'deploy.started delivered',
      'deploy.deployed delivered',
    ]);
    expect((await get('/releases/release%3Anope/notifications')).json()).toMatchObject({
      statusCode: 404,
      code: 'SHIPGATE_RUN_NOT_FOUND',
    });
    // A deployment's ID is not a release's.
    expect((await get(`/releases/${encodeURIComponent(deployId)}/notifications`)).statusCode).toBe(404);
  }, 300_000);

  it('does not hold the release up while the receiver is down, and delivers everything once when it is back', async () => {
    const receiver = receivers.get('ntf-outage/all')!;
    receiver.answer(503);
    const handle = await startRelease('ntf-outage');
    const result = await handle.result();
    expect(result.outcome).toBe('deployed');
    expect(receiver.delivered()).toHaveLength(0);
    expect(receiver.requests.length, 'the first event was tried, and refused').toBeGreaterThan(0);
    // Only the first event of each run is tried while it is down: the others wait behind it.
    expect(new Set(receiver.requests.map((r) => r.headers['x-shipgate-event']))).toEqual(
      new Set(['release.started', 'deploy.started']),
    );
    await receiver.down();
    await new Promise((r) => setTimeout(r, 3_000));
    await receiver.up();
    await receiver.waitFor(
      (hooks) => hooks.filter((h) => ['release.finished', 'deploy.deployed'].includes(bodyOf(h).event)).length === 2,
      120_000,
      'release.finished and deploy.deployed after the outage',
    );
    const hooks = receiver.delivered();
    expect(hooks.every((h) => h.signed)).toBe(true);
    const ids = hooks.map((h) => h.headers['x-shipgate-delivery']);
    expect(new Set(ids).size).toBe(ids.length);
    const runs = eventsByRun(hooks);
    expect(runs.get('release')!.map((b) => b.event)).toEqual([
      'release.started',
      'release.released',
      'release.finished',
    ]);
    expect(runs.get('deploy')!.map((b) => b.event)).toEqual(['deploy.started', 'deploy.deployed']);
    // Retried attempts say so.
    const retried = receiver.requests.filter((r) => r.answered === 204 && Number(r.headers['x-shipgate-attempt']) > 1);
    expect(retried.length).toBeGreaterThan(0);
  }, 300_000);

  it('sends a Slack-compatible text to a slack target, only the events it asks for, and stops at a 410', async () => {
    const chat = receivers.get('ntf-slack/chat')!;
    const gone = receivers.get('ntf-slack/gone')!;
    gone.answer(410);
    const handle = await startRelease('ntf-slack');
    const result = await handle.result();
    expect(result.outcome).toBe('deployed');
    await chat.waitFor((hooks) => hooks.length === 3, 60_000, 'three slack messages');
    const texts = chat.delivered().map((h) => JSON.parse(h.body) as { text: string });
    expect(texts.every((t) => Object.keys(t).join() === 'text')).toBe(true);
    expect(chat.delivered().map((h) => h.headers['x-shipgate-event'])).toEqual([
      'release.released',
      'deploy.started',
      'deploy.deployed',
    ]);
    expect(texts[0]!.text).toMatch(/^:package: \*ntf-slack\* v1\.0\.0 released: branch and tag pushed\n/);
    expect(texts[2]!.text).toContain('1.0.0 is live in production');
    expect(chat.delivered().every((h) => h.signed)).toBe(true);

    // The receiver that answered 410 got the first event only; the rest were not sent to it.
    const release = await handle.describe();
    const notifier = worker.client.workflow.getHandle<typeof notifierWorkflow>(
      `notify:${handle.workflowId}:${release.runId}`,
    );
    const state: NotifierState = await notifier.result();
    expect(gone.requests.map((r) => r.headers['x-shipgate-event'])).toEqual(['release.started']);
    expect(state.targets.find((t) => t.name === 'gone')!.deliveries.map((d) => `${d.event} ${d.status}`)).toEqual([
      'release.started gone',
      'release.released skipped',
      'release.finished skipped',
    ]);
  }, 300_000);
});
