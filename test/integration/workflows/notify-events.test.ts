import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RepositoryInput } from '../../../config/schema.js';
import { denyUpdate, type PromotionResult } from '../../../vocabulary/environments.js';
import type { Identity } from '../../../vocabulary/identity.js';
import { decisionUpdate, deployStateQuery, type DeployState } from '../../../vocabulary/messages.js';
import type { Notification } from '../../../vocabulary/notifications.js';
import type { notifierWorkflow } from '../../../workflows/notify.js';
import { releaseWorkflow } from '../../../workflows/release.js';
import { pollUntil } from '../../helpers/api.js';
import { createTestRepo, type TestRepo } from '../../helpers/git-repo.js';
import { endEnvironments, promotionUntil, twoEnvironments, type TwoEnvironments } from '../../helpers/promotion.js';
import { SAMPLE_FILES, sampleRepoSettings } from '../../helpers/sample-project.js';
import { createSampleService, type SampleService } from '../../helpers/sample-service.js';
import { startTestWorker, testConfig, type TestWorker } from '../../helpers/temporal.js';
import {
  deliveryProblems,
  startWebhookReceiver,
  type ReceivedHook,
  type WebhookReceiver,
} from '../../helpers/webhook-receiver.js';

const SECRET_ENV = 'SHIPGATE_TEST_NOTIFY_EVENTS_SECRET';
const SECRET = 'notify-events-test-secret';
// Fresh IDs per run: deploy and promotion workflow IDs are fixed per repository, and one left waiting
// by an earlier, failed run would hold them.
const run = randomBytes(3).toString('hex');
const IDS = {
  blocked: `ntfe-blocked-${run}`,
  abandoned: `ntfe-abandoned-${run}`,
  rollback: `ntfe-rollback-${run}`,
  refused: `ntfe-refused-${run}`,
  approval: `ntfe-approval-${run}`,
  terminated: `ntfe-terminated-${run}`,
  muted: `ntfe-muted-${run}`,
};
type Key = keyof typeof IDS;

const receivers = new Map<Key, WebhookReceiver>();
const repos = new Map<Key, TestRepo>();
let service: SampleService;
let environments: TwoEnvironments;
let worker: TestWorker;

const alice: Identity = { name: 'alice', role: 'approver', authors: [] };

function hook(key: Key) {
  return [{ name: 'all', url: receivers.get(key)!.url, secretEnv: SECRET_ENV }];
}

function startRelease(key: Key, requestedBy?: string) {
  const repoId = IDS[key];
  return worker.client.workflow.start(releaseWorkflow, {
    taskQueue: worker.taskQueue,
    workflowId: `release:${repoId}:${Math.random().toString(36).slice(2)}`,
    args: [{ repoId, ...(requestedBy ? { requestedBy } : {}) }],
  });
}

type Body = Notification;
const bodyOf = (h: ReceivedHook) => JSON.parse(h.body) as Body;

/** One run's delivered events, in arrival order. */
interface Run {
  workflowId: string;
  runId: string;
  bodies: Body[];
  events: string[];
}

/** The delivered events grouped by run (`<workflowId> <runId>`), runs in the order their first event arrived. */
function runsOf(hooks: ReceivedHook[]): Run[] {
  const runs = new Map<string, Run>();
  for (const h of hooks) {
    const body = bodyOf(h);
    const key = `${body.workflowId} ${body.runId}`;
    const entry = runs.get(key) ?? { workflowId: body.workflowId, runId: body.runId, bodies: [], events: [] };
    entry.bodies.push(body);
    entry.events.push(body.event);
    runs.set(key, entry);
  }
  return [...runs.values()];
}

/** The runs whose workflow ID starts with `<kind>:`. */
const runsOfKind = (runs: Run[], kind: string) => runs.filter((r) => r.workflowId.startsWith(`${kind}:`));

/**
 * Waits until `done` holds for the delivered events, then until the notifier of every run seen has
 * ended (it ends once it delivered everything), and checks what every target must get: each request
 * signed and delivered once (the receiver answers 204, so no request is a retry), the headers
 * matching the body, and each run's events numbered 1, 2, 3… in arrival order.
 */
async function settled(key: Key, done: (runs: Run[]) => boolean, what: string, timeoutMs = 90_000): Promise<Run[]> {
  const receiver = receivers.get(key)!;
  await receiver.waitFor((hooks) => done(runsOf(hooks)), timeoutMs, what);
  for (const r of runsOf(receiver.delivered())) {
    const notifier = worker.client.workflow.getHandle<typeof notifierWorkflow>(`notify:${r.workflowId}:${r.runId}`);
    const state = await notifier.result();
    expect(
      state.targets.flatMap((t) => t.deliveries.map((d) => `${d.seq} ${d.event} ${d.status}`)),
      `the notifier of ${r.workflowId} delivered every event`,
    ).toEqual(state.targets.flatMap((t) => t.deliveries.map((d) => `${d.seq} ${d.event} delivered`)));
  }
  const hooks = receiver.delivered();
  expect(deliveryProblems(hooks)).toEqual([]);
  expect(receiver.requests, 'every request was answered 2xx, none sent twice').toHaveLength(hooks.length);
  for (const h of hooks) {
    expect(bodyOf(h).repo).toBe(IDS[key]);
  }
  const runs = runsOf(hooks);
  for (const r of runs)
    expect(
      r.bodies.map((b) => b.seq),
      `the events of ${r.workflowId} arrive in seq order`,
    ).toEqual(r.bodies.map((_, i) => i + 1));
  return runs;
}

const hasEvent = (runs: Run[], kind: string, event: string, count = 1) =>
  runsOfKind(runs, kind).filter((r) => r.events.includes(event)).length >= count;

const SUBTRACT = {
  'src/math.js': 'export function add(a, b) {\n  return a + b;\n}\n\nexport const sub = (a, b) => a - b;\n',
};

/**
 * Releases a feature to a repository whose deployment fails, and waits until that deployment waits
 * for a decision and the receiver has heard so.
 */
async function releaseAwaitingDecision(key: Key) {
  await repos.get(key)!.commit('feat: subtract numbers', SUBTRACT);
  const handle = await startRelease(key);
  const deploy = worker.client.workflow.getHandle(`deploy:${IDS[key]}:production`);
  await pollUntil(
    () => deploy.query(deployStateQuery).catch(() => null),
    (s: DeployState | null) => s?.awaitingDecision === true,
    180_000,
  );
  await receivers
    .get(key)!
    .waitFor((hooks) => hooks.some((h) => bodyOf(h).event === 'decision.awaiting'), 30_000, 'decision.awaiting');
  return { handle, deploy };
}

describe('notifications of the other ends of a run', () => {
  beforeAll(async () => {
    process.env[SECRET_ENV] = SECRET;
    for (const key of Object.keys(IDS) as Key[]) receivers.set(key, await startWebhookReceiver({ secret: SECRET }));
    for (const key of ['blocked', 'abandoned', 'refused', 'terminated', 'muted'] as const)
      repos.set(key, await createTestRepo(SAMPLE_FILES));
    service = await createSampleService(IDS.rollback, (s) => {
      s.deploy = { ...s.deploy!, autoRollback: true };
      s.notify = hook('rollback');
    });
    environments = await twoEnvironments(IDS.approval, {
      productionApproval: { required: 1, from: ['approver', 'admin'], notAuthor: false, expires: '10m' },
    });
    const settings: RepositoryInput[] = [
      sampleRepoSettings(IDS.blocked, repos.get('blocked')!.dir, {
        deploy: { command: [process.execPath, '-e', 'process.exit(0)'] },
        notify: hook('blocked'),
      }),
      sampleRepoSettings(IDS.abandoned, repos.get('abandoned')!.dir, {
        deploy: { command: [process.execPath, '-e', 'process.exit(1)'], retries: 0 },
        notify: hook('abandoned'),
      }),
      sampleRepoSettings(IDS.refused, repos.get('refused')!.dir, { notify: hook('refused') }),
      sampleRepoSettings(IDS.terminated, repos.get('terminated')!.dir, {
        deploy: { command: [process.execPath, '-e', 'process.exit(1)'], retries: 0 },
        notify: hook('terminated'),
      }),
      sampleRepoSettings(IDS.muted, repos.get('muted')!.dir, {
        deploy: { command: [process.execPath, '-e', 'process.exit(1)'], retries: 0 },
        notify: hook('muted'),
      }),
      service.settings,
      { ...environments.settings, notify: hook('approval') },
    ];
    worker = await startTestWorker(await testConfig(settings));
  }, 180_000);

  afterAll(async () => {
    if (worker) await endEnvironments(worker.client, IDS.approval);
    await worker?.stop();
    await Promise.all([...receivers.values()].map((r) => r.stop()));
    await Promise.all([...repos.values()].map((r) => r.cleanup()));
    await service?.stop();
    await environments?.stop();
    delete process.env[SECRET_ENV];
  });

  it('sends release.started then release.blocked when QA fails, and nothing of a deployment', async () => {
    const repo = repos.get('blocked')!;
    await repo.commit('fix: oops', { 'src/math.js': 'export function add(a, b) {\n  return a * b;\n}\n' });
    const handle = await startRelease('blocked');
    const result = await handle.result();
    expect(result.outcome, result.reason).toBe('blocked-by-qa');

    const runs = await settled('blocked', (r) => hasEvent(r, 'release', 'release.blocked'), 'release.blocked');
    expect(runs.map((r) => r.workflowId)).toEqual([handle.workflowId]);
    const [release] = runs;
    expect(release!.events).toEqual(['release.started', 'release.blocked']);
    const blocked = release!.bodies[1]!;
    expect(blocked).toMatchObject({
      outcome: 'blocked-by-qa',
      version: null,
      tag: null,
      summary: expect.stringMatching(/^QA blocked the release \(context\/test-failures-\d{8}-\d{6}\.md\)$/) as unknown,
    });
    expect(blocked.reason).toBe(result.reason);
    expect(runsOfKind(runs, 'deploy')).toEqual([]);
  }, 240_000);

  it('sends decision.awaiting for a failed deployment before it is decided, then deploy.failed once abandoned', async () => {
    const repoId = IDS.abandoned;
    const receiver = receivers.get('abandoned')!;
    const { handle, deploy } = await releaseAwaitingDecision('abandoned');
    // Nothing has been decided yet: the deployment still waits, and its run has said nothing more.
    expect((await deploy.query(deployStateQuery)).awaitingDecision).toBe(true);
    const before = runsOf(receiver.delivered());
    expect(runsOfKind(before, 'deploy').map((r) => r.events)).toEqual([['deploy.started', 'decision.awaiting']]);
    const awaiting = runsOfKind(before, 'deploy')[0]!.bodies[1]!;
    expect(awaiting).toMatchObject({
      environment: 'production',
      version: '1.0.0',
      outcome: null,
      details: { kind: 'deploy', allowed: ['retry', 'abandon'] },
    });
    expect(String(awaiting.summary)).toMatch(/^deployment of 1\.0\.0 to production failed: retry, abandon\?$/);
    expect(typeof awaiting.details.deadline).toBe('string');

    await deploy.executeUpdate(decisionUpdate, { args: ['abandon'] });
    const result = await handle.result();
    expect(result.outcome, result.reason).toBe('abandoned');

    const runs = await settled(
      'abandoned',
      (r) => hasEvent(r, 'deploy', 'deploy.failed') && hasEvent(r, 'release', 'release.finished'),
      'deploy.failed and release.finished',
    );
    expect(runs).toHaveLength(2);
    const [release] = runsOfKind(runs, 'release');
    const [deployRun] = runsOfKind(runs, 'deploy');
    expect(release!.workflowId).toBe(handle.workflowId);
    expect(release!.events).toEqual(['release.started', 'release.released', 'release.finished']);
    expect(release!.bodies[2]).toMatchObject({ outcome: 'abandoned', version: '1.0.0', tag: 'v1.0.0' });
    expect(deployRun!.workflowId).toBe(`deploy:${repoId}:production`);
    expect(deployRun!.events).toEqual(['deploy.started', 'decision.awaiting', 'deploy.failed']);
    expect(deployRun!.bodies[2]).toMatchObject({
      outcome: 'abandoned',
      environment: 'production',
      version: '1.0.0',
      summary: 'deployment of 1.0.0 to production was abandoned',
    });
  }, 300_000);

  it('sends deploy.rolled-back when a version fails its health check and is rolled back by itself', async () => {
    const first = await (await startRelease('rollback')).result();
    expect(first.outcome, first.reason).toBe('deployed');
    await settled(
      'rollback',
      (r) => hasEvent(r, 'deploy', 'deploy.deployed') && hasEvent(r, 'release', 'release.finished'),
      'the first release and deployment',
    );
    await service.repo.commit('feat: shout', {
      'src/greeting.js': 'export function greet(name) {\n  return `Hello, ${name}!`;\n}\n',
    });
    await service.fault('unhealthy-1.1.0');
    const handle = await startRelease('rollback');
    const result = await handle.result();
    expect(result.outcome, result.reason).toBe('rolled-back');
    expect(await service.servingVersion()).toBe('1.0.0');

    const runs = await settled(
      'rollback',
      (r) => hasEvent(r, 'deploy', 'deploy.rolled-back') && hasEvent(r, 'release', 'release.finished', 2),
      'deploy.rolled-back and the second release.finished',
    );
    expect(runs.map((r) => [r.workflowId.split(':')[0], r.events])).toEqual([
      ['release', ['release.started', 'release.released', 'release.finished']],
      ['deploy', ['deploy.started', 'deploy.deployed']],
      ['release', ['release.started', 'release.released', 'release.finished']],
      ['deploy', ['deploy.started', 'deploy.rolled-back']],
    ]);
    const [, firstDeploy, second, secondDeploy] = runs;
    expect(firstDeploy!.bodies[1]).toMatchObject({ outcome: 'deployed', version: '1.0.0' });
    expect(second!.workflowId).toBe(handle.workflowId);
    expect(second!.bodies[1]).toMatchObject({ version: '1.1.0', tag: 'v1.1.0' });
    expect(second!.bodies[2]).toMatchObject({ outcome: 'rolled-back', version: '1.1.0' });
    expect(secondDeploy!.workflowId).toBe(firstDeploy!.workflowId);
    expect(secondDeploy!.runId).not.toBe(firstDeploy!.runId);
    const rolledBack = secondDeploy!.bodies[1]!;
    expect(rolledBack).toMatchObject({ outcome: 'rolled-back', environment: 'production', version: '1.1.0' });
    expect(rolledBack.summary).toContain('1.0.0');
    expect(rolledBack.summary).toBe('1.1.0 was rolled back in production to 1.0.0');
    expect(rolledBack.reason).toMatch(/rolled back to 1\.0\.0/);
  }, 300_000);

  it('sends release.failed and deploy.failed, saying who terminated them and why, when a waiting release is terminated', async () => {
    const { handle, deploy } = await releaseAwaitingDecision('terminated');
    // A run terminated cannot say so itself: its notifier hears that it closed, and how.
    await handle.terminate('stuck on a broken deploy host');
    // Its deployment goes with it (parent close policy TERMINATE), soon after: the server applies it.
    await pollUntil(
      () => deploy.describe(),
      (d) => d.status.name === 'TERMINATED',
      30_000,
    );

    const runs = await settled(
      'terminated',
      (r) => hasEvent(r, 'release', 'release.failed') && hasEvent(r, 'deploy', 'deploy.failed'),
      'release.failed and deploy.failed',
    );
    expect(runs.map((r) => [r.workflowId.split(':')[0], r.events])).toEqual([
      ['release', ['release.started', 'release.released', 'release.failed']],
      ['deploy', ['deploy.started', 'decision.awaiting', 'deploy.failed']],
    ]);
    const [release, deployRun] = runs;
    expect(release!.bodies[2]).toMatchObject({
      outcome: 'terminated',
      version: '1.0.0',
      tag: 'v1.0.0',
      reason: 'stuck on a broken deploy host',
      details: { closed: 'terminated' },
    });
    expect(release!.bodies[2]!.summary).toMatch(
      /^release of 1\.0\.0 was terminated by .+: stuck on a broken deploy host$/,
    );
    expect(deployRun!.bodies[2]).toMatchObject({ outcome: 'terminated', version: '1.0.0', environment: 'production' });
    expect(deployRun!.bodies[2]!.summary).toMatch(/^deployment of 1\.0\.0 to production was terminated/);

    const notifier = worker.client.workflow.getHandle<typeof notifierWorkflow>(
      `notify:${handle.workflowId}:${release!.runId}`,
    );
    const state = await notifier.result();
    expect(state).toMatchObject({
      received: 3,
      closed: true,
      runEnded: { status: 'terminated', reason: 'stuck on a broken deploy host' },
    });
    expect((await notifier.describe()).status.name).toBe('COMPLETED');
  }, 300_000);

  it('stops only the deliveries when a person cancels a notifier while its run goes on', async () => {
    const receiver = receivers.get('muted')!;
    const { handle, deploy } = await releaseAwaitingDecision('muted');
    const releaseRun = (await handle.describe()).runId;
    const notifier = worker.client.workflow.getHandle(`notify:${handle.workflowId}:${releaseRun}`);
    await notifier.cancel();
    await expect(notifier.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    expect((await notifier.describe()).status.name).toBe('CANCELLED');

    // The release goes on and ends as it would; only its own events stop.
    await deploy.executeUpdate(decisionUpdate, { args: ['abandon'] });
    const result = await handle.result();
    expect(result.outcome, result.reason).toBe('abandoned');
    await receiver.waitFor((hooks) => hooks.some((h) => bodyOf(h).event === 'deploy.failed'), 30_000, 'deploy.failed');
    const runs = runsOf(receiver.delivered());
    expect(runs.map((r) => [r.workflowId.split(':')[0], r.events])).toEqual([
      ['release', ['release.started', 'release.released']],
      ['deploy', ['deploy.started', 'decision.awaiting', 'deploy.failed']],
    ]);
  }, 300_000);

  it('sends release.started then release.failed, naming the push, when the remote refuses it', async () => {
    const repo = repos.get('refused')!;
    const hookFile = path.join(repo.remote.replace('file://', ''), 'hooks', 'pre-receive');
    await writeFile(hookFile, '#!/bin/sh\necho "main is a protected branch" >&2\nexit 1\n', { mode: 0o755 });
    await repo.commit('fix: a fix for production');
    const handle = await startRelease('refused');
    const error = await handle.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);

    const runs = await settled('refused', (r) => hasEvent(r, 'release', 'release.failed'), 'release.failed');
    expect(runs.map((r) => r.workflowId)).toEqual([handle.workflowId]);
    expect(runs[0]!.events).toEqual(['release.started', 'release.failed']);
    const failed = runs[0]!.bodies[1]!;
    expect(failed).toMatchObject({ outcome: 'failed', version: '1.0.0', tag: 'v1.0.0' });
    expect(failed.summary).toMatch(/^release of 1\.0\.0 failed at /);
    expect(failed.reason).toMatch(/push/i);
    expect(failed.reason).toMatch(/pre-receive hook declined|main is a protected branch/);
  }, 240_000);

  it('sends approval.awaiting from the promotion into production, and nothing more once it is denied', async () => {
    const repoId = IDS.approval;
    const handle = await startRelease('approval', 'rita');
    const result = await handle.result();
    expect(result.outcome, result.reason).toBe('released');
    const promotion = worker.client.workflow.getHandle<() => Promise<PromotionResult>>(`promotion:${repoId}:1.0.0`);
    await promotionUntil(
      worker.client,
      promotion.workflowId,
      (s) => s.steps.find((step) => step.environment === 'production')?.status === 'awaiting approval',
      180_000,
    );
    const receiver = receivers.get('approval')!;
    await receiver.waitFor(
      (hooks) => hooks.some((h) => bodyOf(h).event === 'approval.awaiting'),
      30_000,
      'approval.awaiting',
    );
    const awaiting = receiver.events().find((b) => b.event === 'approval.awaiting') as unknown as Body;
    expect(awaiting).toMatchObject({
      workflowId: promotion.workflowId,
      environment: 'production',
      version: '1.0.0',
      details: { required: 1, from: ['approver', 'admin'] },
      summary: '1.0.0 waits for 1 approval into production',
    });
    expect(awaiting.reason).toMatch(/^needs 1 approval from approver, admin; 0 so far; expires at /);

    await promotion.executeUpdate(denyUpdate, {
      args: [{ environment: 'production', by: alice, reason: 'not this week' }],
    });
    const ended = await promotion.result();
    expect(ended).toMatchObject({ outcome: 'denied', reached: ['staging'] });

    const runs = await settled(
      'approval',
      (r) =>
        hasEvent(r, 'release', 'release.finished') &&
        hasEvent(r, 'deploy', 'deploy.deployed') &&
        hasEvent(r, 'promotion', 'approval.awaiting'),
      'the release, its staging deployment and the approval',
    );
    expect(runsOfKind(runs, 'release').map((r) => [r.workflowId, r.events])).toEqual([
      [handle.workflowId, ['release.started', 'release.released', 'release.finished']],
    ]);
    expect(runsOfKind(runs, 'release')[0]!.bodies[2]).toMatchObject({ outcome: 'released', version: '1.0.0' });
    expect(runsOfKind(runs, 'deploy').map((r) => [r.workflowId, r.events])).toEqual([
      [`deploy:${repoId}:staging`, ['deploy.started', 'deploy.deployed']],
    ]);
    expect(runsOfKind(runs, 'promotion').map((r) => [r.workflowId, r.events])).toEqual([
      [promotion.workflowId, ['approval.awaiting']],
    ]);
    expect(runs).toHaveLength(3);
    expect(await environments.production.servingVersion()).toBeNull();
  }, 300_000);
});
