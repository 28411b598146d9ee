import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { pinEnvironment, requestEnvironmentDeployment, unpinEnvironment } from '../../../client/environments.js';
import type { RepositoryInput } from '../../../config/schema.js';
import { freePort } from '../../../devserver/dev-server.js';
import {
  environmentStateQuery,
  type EnvironmentRequest,
  type EnvironmentRequestKind,
  type EnvironmentState,
} from '../../../vocabulary/environments.js';
import { ViewMemoKey, workflowIdFor } from '../../../vocabulary/messages.js';
import { environmentWorkflow } from '../../../workflows/environment.js';
import { eventListenerWorkflow, receivedEventsQuery } from '../../fixtures/workflows/event-listener.js';
import { createSampleService, type SampleService } from '../../helpers/sample-service.js';
import { runRelease, startTestWorker, testConfig, type TestWorker } from '../../helpers/temporal.js';

/*
 * One repository with two environments, each a real sample service on its own loopback port:
 * staging (the sample's own state folder and port) and production (a second state folder and
 * port). The tests are one story in order: each builds on what the one before left live.
 */
const run = randomBytes(3).toString('hex');
const REPO = `env-${run}`;
let worker: TestWorker;
let sample: SampleService;
let production: { stateDir: string; port: number };
/** A requester that has ended: the events sent to it fail, and the environment goes on. */
let lastRelease: string;

// A staging deploy sleeps first while this file exists in its state folder.
const SLOW_DEPLOY = ['sh', '-c', 'if [ -f "$SAMPLE_STATE_DIR/slow" ]; then sleep 4; fi; exec node deploy.mjs'];

function deploysIn(stateDir: string): { version: string; previous: string }[] {
  const log = path.join(stateDir, 'deploys.log');
  return existsSync(log)
    ? readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { version: string; previous: string })
    : [];
}

const stagingDeploys = () => deploysIn(sample.stateDir);
const productionDeploys = () => deploysIn(production.stateDir);

async function serving(port: number): Promise<string | null> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/healthz`);
    return ((await response.json()) as { version?: string }).version ?? null;
  } catch {
    return null;
  }
}

let requests = 0;
function request(version: string, kind: EnvironmentRequestKind, more: Partial<EnvironmentRequest> = {}) {
  requests += 1;
  return {
    requestId: `req-${run}-${requests}`,
    version,
    kind,
    trigger: 'manual',
    requestedBy: 'the environment tests',
    from: null,
    // A requester that never existed: its events fail to arrive, and the environment goes on.
    replyTo: `promotion:${REPO}:nobody-${requests}`,
    waitIfPinned: kind !== 'manual',
    ...more,
  } satisfies EnvironmentRequest;
}

const starter = () => ({ client: worker.client, taskQueue: worker.taskQueue });
const ask = (environment: string, r: EnvironmentRequest) =>
  requestEnvironmentDeployment(starter(), REPO, environment, r);

function stateOf(environment: string): Promise<EnvironmentState> {
  return worker.client.workflow.getHandle(workflowIdFor('environment', REPO, environment)).query(environmentStateQuery);
}

/** Waits until the ledger holds an entry for the request, and answers it. */
async function settled(environment: string, requestId: string, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await stateOf(environment).catch(() => null);
    const entry = state?.ledger.find((e) => e.requestId === requestId);
    if (entry && state) return { entry, state };
    if (Date.now() > deadline) throw new Error(`request ${requestId} did not end: ${JSON.stringify(state)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await read().catch(() => undefined);
    if (value !== undefined && done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function release(expected: string, feature: string | null): Promise<void> {
  if (feature)
    await sample.repo.commit(`feat: ${feature}`, { [`src/${feature}.js`]: `export const ${feature} = true;\n` });
  const { result, handle } = await runRelease(worker, { repoId: REPO, deploy: false });
  lastRelease = handle.workflowId;
  expect(result.outcome, result.reason).toBe('released');
  expect(result.version).toBe(expected);
}

async function refusalOf(promise: Promise<unknown>): Promise<{ type?: string; message: string }> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause: (Error & { type?: string }) | undefined = (error as WorkflowUpdateFailedError).cause;
  return { type: cause?.type, message: cause?.message ?? '' };
}

describe('an environment', () => {
  beforeAll(async () => {
    const port = await freePort();
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'shipgate-production-'));
    production = { stateDir, port };
    sample = await createSampleService(REPO, (settings: RepositoryInput) => {
      const { environment: _named, ...deploy } = settings.deploy!;
      const health = settings.health!;
      settings.environments = [
        { name: 'staging', deploy: { ...deploy, command: SLOW_DEPLOY }, health },
        {
          name: 'production',
          after: 'staging',
          deploy: { ...deploy, autoRollback: true, env: { SAMPLE_STATE_DIR: stateDir, SAMPLE_PORT: String(port) } },
          health: { ...health, url: `http://127.0.0.1:${port}/healthz` },
        },
      ];
      delete settings.deploy;
      delete settings.health;
    });
    await mkdir(sample.stateDir, { recursive: true });
    const config = await testConfig([sample.settings]);
    worker = await startTestWorker(config);
    // Staging continues as new after a short history, so the story below crosses several runs.
    await worker.client.workflow.start(environmentWorkflow, {
      taskQueue: worker.taskQueue,
      workflowId: workflowIdFor('environment', REPO, 'staging'),
      args: [{ repoId: REPO, environment: 'staging', continueAsNewAfter: 60 }],
    });
    await release('1.0.0', null);
    await release('1.1.0', 'shout');
    await release('1.2.0', 'whisper');
  });

  afterAll(async () => {
    await worker?.stop();
    for (const dir of [sample?.stateDir, production?.stateDir]) {
      const pid = dir && path.join(dir, 'service.pid');
      if (pid && existsSync(pid)) {
        try {
          process.kill(Number(readFileSync(pid, 'utf8')), 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    await sample?.stop();
    if (production) await rm(production.stateDir, { recursive: true, force: true });
  });

  it('deploys one version at a time, and a newer request supersedes a queued older one, which never deploys', async () => {
    await writeFile(path.join(sample.stateDir, 'slow'), '');
    const first = request('1.0.0', 'release');
    expect((await ask('staging', first)).status).toMatch(/queued|deploying/);
    await until(
      () => stateOf('staging'),
      (s) => s.pending.some((p) => p.status === 'deploying'),
      'no deployment started',
    );
    const middle = request('1.1.0', 'release');
    const queued = await ask('staging', middle);
    expect(queued.status).toBe('queued');
    const newest = request('1.2.0', 'release');
    const answer = await ask('staging', newest);
    expect(answer).toMatchObject({ status: 'queued', superseded: [middle.requestId] });
    // The same request again is the same request: it is not queued twice.
    expect((await ask('staging', newest)).status).toBe('queued');

    const { entry, state } = await settled('staging', newest.requestId);
    expect(entry.outcome, entry.reason).toBe('deployed');
    const byId = Object.fromEntries(state.ledger.map((e) => [e.requestId, e]));
    expect(byId[first.requestId]!.outcome).toBe('deployed');
    expect(byId[middle.requestId]).toMatchObject({ outcome: 'superseded', startedAt: null, deployment: null });
    expect(byId[middle.requestId]!.reason).toContain('1.2.0');
    // Serial: 1.2.0 started only once 1.0.0 had ended.
    expect(Date.parse(entry.startedAt!)).toBeGreaterThanOrEqual(Date.parse(byId[first.requestId]!.endedAt));
    expect(entry.deployment?.workflowId).toBe(`deploy:${REPO}:staging`);
    // 1.1.0 never ran; 1.2.0 was told 1.0.0 was live before it, from the environment's ledger.
    expect(stagingDeploys()).toEqual([
      { version: '1.0.0', previous: '' },
      { version: '1.2.0', previous: '1.0.0' },
    ]);
    expect(state.live).toMatchObject({ version: '1.2.0', tag: 'v1.2.0', verified: true, report: entry.report });
    expect(state.lastGood?.version).toBe('1.2.0');
    expect(state.pending).toEqual([]);
    expect(await serving(sample.port)).toBe('1.2.0');
    // The deployment names its environment, and the environment's memo carries its view.
    const child = await worker.client.workflow.getHandle(`deploy:${REPO}:staging`).describe();
    expect(child.typedSearchAttributes.getAll().find((p) => p.key.name === 'ShipgateEnvironment')?.value).toBe(
      'staging',
    );
    const described = await worker.client.workflow.getHandle(workflowIdFor('environment', REPO, 'staging')).describe();
    expect((described.memo?.[ViewMemoKey] as EnvironmentState).live?.version).toBe('1.2.0');
    await rm(path.join(sample.stateDir, 'slow'), { force: true });
  });

  it('supersedes at once an automatic request older than what is live, and answers a live version as deployed', async () => {
    const stale = await ask('staging', request('1.1.0', 'release'));
    expect(stale.status).toBe('superseded');
    expect(stale.reason).toContain('1.2.0');
    const again = await ask('staging', request('1.2.0', 'manual'));
    expect(again.status).toBe('deployed');
    expect(again.reason).toMatch(/already live since/);
    expect(stagingDeploys()).toHaveLength(2);
  });

  it('refuses nonsense at once, with the catalogue code', async () => {
    const bad = await refusalOf(ask('staging', request('not-a-version', 'manual')));
    expect(bad.type).toBe('SHIPGATE_BAD_REQUEST');
    expect(bad.message).toContain('semantic version');
    const fromNowhere = await refusalOf(ask('production', request('1.2.0', 'promotion', { from: null })));
    expect(fromNowhere.type).toBe('SHIPGATE_BAD_REQUEST');
  });

  it('promotes only a version still live and verified healthy where it comes from', async () => {
    const gone = await ask('production', request('1.0.0', 'promotion', { from: 'staging' }));
    expect(gone.status).toMatch(/queued|deploying/);
    const refused = await settled('production', gone.requestId);
    expect(refused.entry.outcome).toBe('refused');
    expect(refused.entry.reason).toMatch(
      /1\.0\.0 is no longer live and verified healthy in staging: staging runs 1\.2\.0/,
    );
    expect(productionDeploys()).toEqual([]);

    const promoted = request('1.2.0', 'promotion', { from: 'staging' });
    await ask('production', promoted);
    const { entry, state } = await settled('production', promoted.requestId);
    expect(entry.outcome, entry.reason).toBe('deployed');
    expect(state.live?.version).toBe('1.2.0');
    expect(productionDeploys()).toEqual([{ version: '1.2.0', previous: '' }]);
    expect(await serving(production.port)).toBe('1.2.0');
  });

  it('rolls a failing production deployment back and pins it; a person is refused, an automatic request held until unpinned', async () => {
    await release('1.3.0', 'sing');
    const staged = request('1.3.0', 'release');
    await ask('staging', staged);
    expect((await settled('staging', staged.requestId)).entry.outcome).toBe('deployed');

    await writeFile(path.join(production.stateDir, 'unhealthy-1.3.0'), '');
    const failing = request('1.3.0', 'promotion', { from: 'staging' });
    await ask('production', failing);
    const { entry, state } = await settled('production', failing.requestId);
    expect(entry.outcome, entry.reason).toBe('rolled-back');
    expect(state.live).toMatchObject({ version: '1.2.0', verified: true });
    expect(state.pinned).toMatchObject({ by: 'shipgate', automatic: true, version: '1.2.0' });
    expect(state.pinned?.reason).toContain('1.3.0 was rolled back');
    expect(state.pinned?.reason).toContain(entry.report!);
    // The rollback target and SHIPGATE_PREVIOUS_VERSION came from production's own ledger.
    expect(productionDeploys().slice(1)).toEqual([
      { version: '1.3.0', previous: '1.2.0' },
      { version: '1.2.0', previous: '1.3.0' },
    ]);
    expect(await serving(production.port)).toBe('1.2.0');

    const person = await refusalOf(ask('production', request('1.3.0', 'manual')));
    expect(person.type).toBe('SHIPGATE_ENVIRONMENT_PINNED');
    expect(person.message).toContain('1.3.0 was rolled back');
    const again = await refusalOf(pinEnvironment(starter(), REPO, 'production', { by: 'ops', reason: 'pinned twice' }));
    expect(again.type).toBe('SHIPGATE_ENVIRONMENT_PINNED');

    // The Temporal UI lists it as pinned, at the version live there, and says why in its details.
    const described = await worker.client.workflow
      .getHandle(workflowIdFor('environment', REPO, 'production'))
      .describe();
    const attribute = (name: string) =>
      described.typedSearchAttributes.getAll().find((p) => p.key.name === name)?.value;
    expect([attribute('ShipgateStage'), attribute('ShipgateVersion'), attribute('ShipgateEnvironment')]).toEqual([
      'pinned',
      '1.2.0',
      'production',
    ]);

    const automatic = request('1.3.0', 'promotion', { from: 'staging', replyTo: lastRelease });
    expect((await ask('production', automatic)).status).toBe('held');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(productionDeploys()).toHaveLength(3);

    await rm(path.join(production.stateDir, 'unhealthy-1.3.0'), { force: true });
    const unpinned = await unpinEnvironment(starter(), REPO, 'production', { by: 'ops', reason: 'fixed the health' });
    expect(unpinned.pinned).toBeNull();
    expect(unpinned.pinHistory.at(-1)).toMatchObject({ automatic: true, unpinnedBy: 'ops' });
    const after = await settled('production', automatic.requestId);
    expect(after.entry.outcome, after.entry.reason).toBe('deployed');
    expect(after.state.live).toMatchObject({ version: '1.3.0', verified: true });
    expect(productionDeploys().at(-1)).toEqual({ version: '1.3.0', previous: '1.2.0' });
  });

  it('keeps its ledger and live state across a worker restart and continue-as-new', async () => {
    const before = await stateOf('staging');
    expect(before.generation).toBeGreaterThan(0);
    const { taskQueue, config } = worker;
    await worker.stop();
    worker = await startTestWorker(config, { taskQueue });
    const after = await stateOf('staging');
    expect(after.live).toEqual(before.live);
    expect(after.ledgerTotal).toBe(before.ledgerTotal);
    expect(after.ledger.map((e) => e.requestId)).toEqual(before.ledger.map((e) => e.requestId));

    // The new worker goes on: a person rolls staging back to 1.2.0 by hand.
    const back = request('1.2.0', 'manual');
    await ask('staging', back);
    const { entry, state } = await settled('staging', back.requestId);
    expect(entry.outcome, entry.reason).toBe('deployed');
    expect(state.live?.version).toBe('1.2.0');
    expect(stagingDeploys().at(-1)).toEqual({ version: '1.2.0', previous: '1.3.0' });
    expect(state.ledgerTotal).toBe(before.ledgerTotal + 1);
  });

  it('starts from what the deploy reports say was live before it', async () => {
    // A fresh environment workflow for production reads the signed deploy reports of production.
    const handle = worker.client.workflow.getHandle(workflowIdFor('environment', REPO, 'production'));
    await handle.terminate('the tests start it again from the deploy reports');
    const state = await until(
      () => ask('production', request('1.3.0', 'manual')).then(() => stateOf('production')),
      () => true,
      'no fresh production',
    );
    expect(state.generation).toBe(0);
    expect(state.lastGood?.version).toBe('1.3.0');
    expect(state.ledger.at(-1)?.reason).toMatch(/already live since/);
  });

  it('tells its requester each change of a request, and the request that made a version live when it is replaced', async () => {
    const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
    const taskQueue = `listener-${randomUUID()}`;
    const listener = await Worker.create({
      connection,
      taskQueue,
      workflowsPath: fileURLToPath(new URL('../../fixtures/workflows/event-listener.ts', import.meta.url)),
    });
    const listenerId = `listener:${REPO}:${run}`;
    try {
      const events = await listener.runUntil(async () => {
        const handle = await worker.client.workflow.start(eventListenerWorkflow, { taskQueue, workflowId: listenerId });
        const first = request('1.3.0', 'manual', { replyTo: listenerId });
        await ask('staging', first);
        expect((await settled('staging', first.requestId)).entry.outcome).toBe('deployed');
        const second = request('1.2.0', 'manual');
        await ask('staging', second);
        expect((await settled('staging', second.requestId)).entry.outcome).toBe('deployed');
        const received = await until(
          () => handle.query(receivedEventsQuery),
          (list) => list.some((e) => e.status === 'replaced'),
          'no replaced event',
        );
        await handle.terminate('the test has its events');
        return received.map((e) => [e.requestId === first.requestId, e.version, e.status]);
      });
      expect(events).toEqual([
        [true, '1.3.0', 'queued'],
        [true, '1.3.0', 'deploying'],
        [true, '1.3.0', 'deployed'],
        [true, '1.3.0', 'replaced'],
      ]);
    } finally {
      await connection.close();
    }
  });

  it('holds an automatic request while a person has it pinned, and deploys it once unpinned', async () => {
    const pinned = await pinEnvironment(starter(), REPO, 'staging', { by: 'ops', reason: 'freeze for the audit' });
    expect(pinned.pinned).toMatchObject({ by: 'ops', automatic: false, version: '1.2.0' });
    const held = request('1.3.0', 'release');
    expect((await ask('staging', held)).status).toBe('held');
    const person = await refusalOf(ask('staging', request('1.3.0', 'manual')));
    expect(person.type).toBe('SHIPGATE_ENVIRONMENT_PINNED');
    expect(person.message).toContain('freeze for the audit');
    const deploysBefore = stagingDeploys().length;
    await unpinEnvironment(starter(), REPO, 'staging', { by: 'ops', reason: 'audit done' });
    const notPinned = await refusalOf(unpinEnvironment(starter(), REPO, 'staging', { by: 'ops', reason: 'again' }));
    expect(notPinned.type).toBe('SHIPGATE_ENVIRONMENT_NOT_PINNED');
    const { entry, state } = await settled('staging', held.requestId);
    expect(entry.outcome, entry.reason).toBe('deployed');
    expect(state.pinHistory.at(-1)).toMatchObject({ by: 'ops', unpinnedBy: 'ops', unpinReason: 'audit done' });
    expect(stagingDeploys().slice(deploysBefore)).toEqual([{ version: '1.3.0', previous: '1.2.0' }]);
  });
});
