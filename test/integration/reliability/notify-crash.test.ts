import os from 'node:os';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { NotifierState } from '../../../vocabulary/notifications.js';
import { releaseWorkflow } from '../../../workflows/release.js';
import { createTestRepo } from '../../helpers/git-repo.js';
import {
  expectKilledAt,
  runCleanups,
  startProcess,
  writeConfigFile,
  type ServiceProcess,
} from '../../helpers/processes.js';
import { SAMPLE_FILES, sampleRepoSettings } from '../../helpers/sample-project.js';
import { sharedServerClient } from '../../helpers/temporal.js';
import { startWebhookReceiver, type ReceivedHook, type WebhookReceiver } from '../../helpers/webhook-receiver.js';

/**
 * Notifications survive the death of the worker that delivers them: real worker processes are
 * SIGKILLed while a run's notifier is at work, and a real loopback receiver is told every event
 * of the run, in order, signed, at least once — and twice only where the worker died between
 * the receiver's answer and Temporal hearing of it, under the same delivery id.
 */

const SECRET = `notify-${randomBytes(16).toString('hex')}`;
const RELEASE_EVENTS = ['release.started', 'release.released', 'release.finished'];
const DEPLOY_EVENTS = ['deploy.started', 'deploy.deployed'];
/** A lost delivery attempt is retried after its start-to-close (timeout + 5 s = 15 s), then backs off up to ~30 s. */
const EVENTS_WITHIN_MS = 150_000;
const RESULT_WITHIN_MS = 150_000;

let client: Client;
const cleanups: (() => Promise<void>)[] = [];

interface Scenario {
  repoId: string;
  receiver: WebhookReceiver;
  env: Record<string, string>;
  worker(extra?: Record<string, string>): ServiceProcess;
  startRelease(): ReturnType<typeof startReleaseRun>;
}

function startReleaseRun(repoId: string, taskQueue: string) {
  return client.workflow.start(releaseWorkflow, { taskQueue, workflowId: `release:${repoId}`, args: [{ repoId }] });
}

/** A sample repository with a feature to release, a deploy that succeeds, and one signed notify target. */
async function scenario(name: string): Promise<Scenario> {
  const repoId = `notify-${name}-${randomUUID().slice(0, 6)}`;
  const receiver = await startWebhookReceiver({ secret: SECRET });
  cleanups.push(() => receiver.stop());
  const repo = await createTestRepo(SAMPLE_FILES);
  cleanups.push(() => repo.cleanup());
  await repo.commit(`feat: a feature of ${repoId}`, { 'docs/feature.txt': `${repoId}\n` });
  const settings = sampleRepoSettings(repoId, repo.dir, {
    deploy: { command: [process.execPath, '-e', 'process.exit(0)'], retries: 0 },
    notify: [{ name: 'hooks', url: receiver.url, secretEnv: 'NOTIFY_TEST_SECRET' }],
  });
  const configFile = await writeConfigFile([settings], { heartbeatTimeout: '3s' });
  const taskQueue = `notify-crash-${randomUUID()}`;
  const env = {
    SHIPGATE_CONFIG: configFile,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    SHIPGATE_TASK_QUEUE: taskQueue,
    SHIPGATE_WORKER_ID: `notify-${name}`,
    NOTIFY_TEST_SECRET: SECRET,
  };
  return {
    repoId,
    receiver,
    env,
    worker(extra = {}) {
      const proc = startProcess('worker/main.js', { ...env, ...extra });
      cleanups.push(() => proc.stop());
      return proc;
    },
    startRelease: () => startReleaseRun(repoId, taskQueue),
  };
}

function within<T>(promise: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what()} (after ${ms} ms)`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

interface Hook {
  request: ReceivedHook;
  body: Record<string, unknown> & { id: string; event: string; seq: number; workflowId: string; runId: string };
  delivery: string;
  attempt: number;
}

const parse = (request: ReceivedHook): Hook => ({
  request,
  body: JSON.parse(request.body) as Hook['body'],
  delivery: String(request.headers['x-shipgate-delivery']),
  attempt: Number(request.headers['x-shipgate-attempt']),
});

/** The hooks of each run (`<workflowId>/<runId>`), in arrival order. */
function byRun(hooks: Hook[]): Map<string, Hook[]> {
  const runs = new Map<string, Hook[]>();
  for (const hook of hooks) {
    const key = `${hook.body.workflowId}/${hook.body.runId}`;
    runs.set(key, [...(runs.get(key) ?? []), hook]);
  }
  return runs;
}

/** Each run's distinct deliveries in order of first sight: their seqs, events, and that each id is the run's own. */
function firstSightings(hooks: Hook[]) {
  const seen = new Set<string>();
  const firsts = hooks.filter((h) => !seen.has(h.delivery) && seen.add(h.delivery));
  for (const h of firsts) {
    expect(h.delivery, JSON.stringify(h.body)).toBe(h.body.id);
    expect(h.body.id).toBe(`${h.body.workflowId}/${h.body.runId}/${h.body.seq}`);
    expect(h.request.headers['x-shipgate-event']).toBe(h.body.event);
  }
  return { seqs: firsts.map((h) => h.body.seq), events: firsts.map((h) => h.body.event) };
}

const has = (hooks: ReceivedHook[], event: string, workflowPrefix: string) =>
  hooks.some((r) => {
    const body = JSON.parse(r.body) as { event?: string; workflowId?: string };
    return body.event === event && body.workflowId?.startsWith(workflowPrefix);
  });

/** Waits until the release's last event and the deployment's last event were both delivered. */
function bothRunsThrough(s: Scenario) {
  return s.receiver.waitFor(
    (d) => has(d, 'release.finished', `release:${s.repoId}`) && has(d, 'deploy.deployed', `deploy:${s.repoId}:`),
    EVENTS_WITHIN_MS,
    `release.finished of release:${s.repoId} and deploy.deployed of its deployment`,
  );
}

/** The two runs' hooks: the release run's and the deployment run's, each in arrival order. */
function releaseAndDeploy(s: Scenario, hooks: Hook[]) {
  const runs = byRun(hooks);
  expect([...runs.keys()], 'the runs that notified').toHaveLength(2);
  const release = [...runs.entries()].find(([key]) => key.startsWith(`release:${s.repoId}/`));
  const deploy = [...runs.entries()].find(([key]) => key.startsWith(`deploy:${s.repoId}:`));
  expect(release, [...runs.keys()].join(', ')).toBeDefined();
  expect(deploy, [...runs.keys()].join(', ')).toBeDefined();
  return { release: release!, deploy: deploy! };
}

/** What each run's notifier says it did (its result: it ended once every event was through). */
async function notifierResult(runKey: string): Promise<NotifierState> {
  const [workflowId, runId] = [runKey.slice(0, runKey.lastIndexOf('/')), runKey.slice(runKey.lastIndexOf('/') + 1)];
  return within(
    client.workflow.getHandle<() => Promise<NotifierState>>(`notify:${workflowId}:${runId}`).result(),
    60_000,
    () => `the notifier of ${runKey} did not end`,
  );
}

describe('notifications when the worker delivering them is killed', () => {
  beforeAll(async () => {
    client = await sharedServerClient(cleanups);
  });
  afterAll(() => runCleanups(cleanups));

  it('a worker killed right after a delivery: the event arrives again under the same id, nothing else repeats', async () => {
    const s = await scenario('kill');
    const marker = path.join(os.tmpdir(), `shipgate-killed-${randomUUID()}`);
    const doomed = s.worker({ SHIPGATE_FAULT_KILL_AFTER: `deliverNotification:${marker}` });
    const handle = await s.startRelease();
    await expectKilledAt(doomed, 'deliverNotification', marker, 90_000);
    // Answered by the receiver, never reported to Temporal: the last request before the kill.
    const beforeKill = s.receiver.requests.length;
    expect(beforeKill, 'requests before the kill').toBeGreaterThanOrEqual(1);
    const killed = parse(s.receiver.requests[beforeKill - 1]!);
    expect(killed.attempt).toBe(1);
    expect(killed.request.answered).toBe(204);

    const revived = s.worker();
    const result = await within(
      handle.result(),
      RESULT_WITHIN_MS,
      () => `no result after the restart:\n${revived.output()}`,
    );
    expect(result, JSON.stringify(result)).toMatchObject({ outcome: 'deployed', version: '1.0.0', tag: 'v1.0.0' });
    await bothRunsThrough(s);

    const requests = s.receiver.requests;
    expect(
      requests.filter((r) => r.answered !== 204),
      'every request was answered 204',
    ).toEqual([]);
    for (const r of requests) expect(r.signed, `${String(r.headers['x-shipgate-event'])} is signed`).toBe(true);
    const hooks = requests.map(parse);

    const { release, deploy } = releaseAndDeploy(s, hooks);
    const fromRelease = firstSightings(release[1]);
    const fromDeploy = firstSightings(deploy[1]);
    expect(fromRelease.events).toEqual(RELEASE_EVENTS);
    expect(fromRelease.seqs).toEqual([1, 2, 3]);
    expect(fromDeploy.events).toEqual(DEPLOY_EVENTS);
    expect(fromDeploy.seqs).toEqual([1, 2]);

    // At least once: the event the dead worker delivered comes again, as the same delivery, a second attempt.
    const counts = new Map<string, number>();
    for (const h of hooks) counts.set(h.delivery, (counts.get(h.delivery) ?? 0) + 1);
    const repeated = [...counts.entries()].filter(([, n]) => n > 1);
    expect(repeated, 'the deliveries that arrived more than once').toEqual([[killed.delivery, 2]]);
    const again = hooks.filter((h) => h.delivery === killed.delivery);
    expect(again[0]!.request).toBe(killed.request);
    expect(again[1]!.attempt).toBe(2);
    expect(again[1]!.request.body).toBe(killed.request.body);
    expect(again[1]!.request.headers['x-shipgate-event']).toBe(killed.body.event);

    // And the notifiers agree: every event delivered, the killed one on its second attempt.
    for (const [key, expected] of [
      [release[0], RELEASE_EVENTS],
      [deploy[0], DEPLOY_EVENTS],
    ] as const) {
      const state = await notifierResult(key);
      const deliveries = state.targets.find((t) => t.name === 'hooks')?.deliveries ?? [];
      expect(
        deliveries.map((d) => [d.seq, d.event, d.status]),
        JSON.stringify(state),
      ).toEqual(expected.map((event, i) => [i + 1, event, 'delivered']));
      for (const d of deliveries)
        expect(d.attempts, JSON.stringify(d)).toBe(`${key}/${d.seq}` === killed.delivery ? 2 : 1);
    }
  });

  it('a worker killed while the receiver is down: every event arrives exactly once, in order, signed', async () => {
    const s = await scenario('down');
    s.receiver.answer(503);
    const first = s.worker();
    const handle = await s.startRelease();
    const refusedStarts = () =>
      s.receiver.requests.filter((r) => r.answered === 503 && r.headers['x-shipgate-event'] === 'release.started');
    await within(
      (async () => {
        while (refusedStarts().length < 2) await new Promise((r) => setTimeout(r, 100));
      })(),
      60_000,
      () =>
        `the receiver did not refuse release.started twice; it saw ${s.receiver.requests.length} requests:\n${first.output()}`,
    );
    first.child.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });

    // No worker: nothing is delivered, and the release does not get on.
    const whileDead = s.receiver.requests.length;
    await new Promise((r) => setTimeout(r, 5_000));
    expect(s.receiver.requests.length, 'requests with no worker').toBe(whileDead);
    expect((await handle.describe()).status.name).toBe('RUNNING');
    expect(s.receiver.delivered()).toEqual([]);

    const second = s.worker();
    await s.receiver.up();
    const result = await within(
      handle.result(),
      RESULT_WITHIN_MS,
      () => `no result after the restart:\n${second.output()}`,
    );
    expect(result, JSON.stringify(result)).toMatchObject({ outcome: 'deployed', version: '1.0.0', tag: 'v1.0.0' });
    await bothRunsThrough(s);

    for (const r of s.receiver.requests)
      expect(r.signed, `${String(r.headers['x-shipgate-event'])} is signed`).toBe(true);
    const delivered = s.receiver.delivered().map(parse);
    const ids = delivered.map((h) => h.delivery);
    expect(
      ids.filter((id, i) => ids.indexOf(id) !== i),
      'deliveries answered 2xx more than once',
    ).toEqual([]);
    const { release, deploy } = releaseAndDeploy(s, delivered);
    expect(release[1].map((h) => h.body.event)).toEqual(RELEASE_EVENTS);
    expect(release[1].map((h) => h.body.seq)).toEqual([1, 2, 3]);
    expect(deploy[1].map((h) => h.body.event)).toEqual(DEPLOY_EVENTS);
    expect(deploy[1].map((h) => h.body.seq)).toEqual([1, 2]);
    for (const h of delivered) expect(h.delivery).toBe(h.body.id);
    // release.started was refused before the kill and taken after it: one delivery id throughout, attempts counting on.
    const starts = s.receiver.requests.map(parse).filter((h) => h.body.event === 'release.started');
    expect(new Set(starts.map((h) => h.delivery)).size).toBe(1);
    expect(starts.at(-1)!.request.answered).toBe(204);
    expect(starts.at(-1)!.attempt).toBeGreaterThan(2);
  });
});
