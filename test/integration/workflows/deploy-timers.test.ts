import { randomUUID } from 'node:crypto';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DeployAttempt, ResolvedRelease } from '../../../activities/deploy.js';
import type { LedgerVerdict } from '../../../activities/ledger.js';
import type { RunSettings } from '../../../activities/pinning.js';
import { parseConfig } from '../../../config/load.js';
import { workflowsPath } from '../../../worker/workflows-path.js';
import { deployWorkflow } from '../../../workflows/deploy.js';
import {
  decisionUpdate,
  deployStateQuery,
  type DeployResult,
  type HealthSample,
} from '../../../vocabulary/messages.js';

/**
 * The deployment's timers on the real dev server: the decision timeout, the backoff between
 * attempts and the health deadline. Time is the subject, so the deploy command and the probe are
 * stand-ins on the test worker; every other step is the workflow's own. The timers are read from
 * the run's history, where Temporal records each one with its duration.
 */
type Behaviour = { deployFails: boolean; probe: () => Pick<HealthSample, 'ok' | 'error' | 'status'> };

const DEFAULTS = parseConfig(
  'repositories:\n  - id: r\n    path: /nonexistent\n    test: { command: ["true"] }\n    deploy: { command: ["true"] }\n    health: { url: "http://127.0.0.1:1/healthz" }\n',
  { file: null, env: {} },
).repositories[0]!;
const behaviours = new Map<string, Behaviour>();
const settings = new Map<string, RunSettings>();
let connection: Connection;
let nativeConnection: NativeConnection;
let client: Client;
let worker: Worker;
let running: Promise<void>;
let taskQueue: string;

function repo(tune: (s: RunSettings) => void, behaviour: Behaviour): string {
  const repoId = `timers-${randomUUID().slice(0, 8)}`;
  const s: RunSettings = {
    repoId,
    branch: 'main',
    testTimeoutMs: 60_000,
    heartbeatTimeoutMs: 30_000,
    deploy: {
      environment: 'production',
      timeoutMs: 10_000,
      retries: 0,
      autoRollback: false,
      decisionTimeoutMs: DEFAULTS.deploy!.decisionTimeoutMs,
    },
    health: {
      initialDelayMs: 0,
      intervalMs: 200,
      successes: 1,
      failureBudget: 100,
      deadlineMs: 60_000,
      checksVersion: false,
    },
  };
  tune(s);
  settings.set(repoId, s);
  behaviours.set(repoId, behaviour);
  return repoId;
}

function start(repoId: string): Promise<WorkflowHandle<typeof deployWorkflow>> {
  return client.workflow.start(deployWorkflow, {
    taskQueue,
    workflowId: `deploy:${repoId}:production`,
    args: [{ repoId, version: '1.1.0', release: { tag: 'v1.1.0', sha: 'a'.repeat(40), previous: null } }],
  });
}

/** Every timer the run started, in order, in milliseconds. */
async function timers(handle: WorkflowHandle): Promise<number[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).flatMap((e) => {
    const timeout = e.timerStartedEventAttributes?.startToFireTimeout;
    return timeout ? [Number(timeout.seconds ?? 0) * 1000 + Math.round((timeout.nanos ?? 0) / 1e6)] : [];
  });
}

async function untilAwaitingDecision(handle: WorkflowHandle): Promise<void> {
  for (let i = 0; i < 300; i += 1) {
    const state = await handle.query(deployStateQuery).catch(() => null);
    if (state?.awaitingDecision) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('no decision awaited');
}

describe('deployment timers', () => {
  beforeAll(async () => {
    const address = inject('temporalAddress');
    taskQueue = `timers-${randomUUID()}`;
    Runtime.install({ logger: new DefaultLogger('WARN') });
    const bundle = await bundleWorkflowCode({ workflowsPath: workflowsPath(), logger: new DefaultLogger('WARN') });
    nativeConnection = await NativeConnection.connect({ address });
    const reports: unknown[] = [];
    worker = await Worker.create({
      connection: nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      activities: {
        pinRun: ({ repoId }: { repoId: string }) =>
          Promise.resolve({ taskQueue, workerId: 'timers', settings: settings.get(repoId)! }),
        resolveRelease: (): Promise<ResolvedRelease> =>
          Promise.resolve({ version: '1.1.0', tag: 'v1.1.0', sha: 'a'.repeat(40), previous: null }),
        deployLedger: ({ environment }: { environment: string }): Promise<LedgerVerdict> =>
          Promise.resolve({ environment, live: null, entries: 0, warnings: [] }),
        runDeploy: ({ repoId }: { repoId: string }): Promise<DeployAttempt> => {
          const fails = behaviours.get(repoId)!.deployFails;
          return Promise.resolve({
            ok: !fails,
            exitCode: fails ? 1 : 0,
            timedOut: false,
            spawnError: null,
            durationMs: 1,
            tail: [],
            logFile: '/dev/null',
            reason: fails ? 'deploy command exited with code 1' : 'exited 0',
          });
        },
        probeHealth: ({ repoId }: { repoId: string }): Promise<HealthSample> =>
          Promise.resolve({
            at: new Date().toISOString(),
            latencyMs: 1,
            version: null,
            ...behaviours.get(repoId)!.probe(),
          }),
        writeDeployReport: (input: unknown) => {
          reports.push(input);
          return Promise.resolve({ name: `deploy-${reports.length}.md` });
        },
      },
    });
    running = worker.run();
    connection = await Connection.connect({ address });
    client = new Client({ connection });
  });

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await connection?.close();
    await nativeConnection?.close();
  });

  it('waits 24 hours for a decision by default, on one durable timer', async () => {
    expect(DEFAULTS.deploy!.decisionTimeoutMs).toBe(24 * 60 * 60 * 1000);
    const handle = await start(
      repo(() => {}, { deployFails: true, probe: () => ({ ok: true, error: null, status: 200 }) }),
    );
    await untilAwaitingDecision(handle);
    const state = await handle.query(deployStateQuery);
    expect(Date.parse(state.decisionDeadline!) - Date.parse(state.startedAt)).toBeGreaterThanOrEqual(
      24 * 60 * 60 * 1000,
    );
    expect(await timers(handle)).toEqual([24 * 60 * 60 * 1000]);
    await handle.executeUpdate(decisionUpdate, { args: ['abandon'] });
    expect((await handle.result()).outcome).toBe('abandoned');
  });

  it('ends a failed deployment as failed, with its reason, when the decision timeout passes', async () => {
    const handle = await start(
      repo(
        (s) => {
          s.deploy!.decisionTimeoutMs = 1_500;
        },
        { deployFails: true, probe: () => ({ ok: true, error: null, status: 200 }) },
      ),
    );
    const result: DeployResult = await handle.result();
    expect(result).toMatchObject({
      outcome: 'failed',
      reason: 'no decision within 2s after deploying 1.1.0 failed: deploy command exited with code 1',
      attempts: 1,
    });
    expect(await timers(handle)).toEqual([1_500]);
    expect((await handle.query(deployStateQuery)).decisions).toEqual([]);
  });

  it('backs off 2s, then 4s, between automatic attempts, before it asks for a decision', async () => {
    const handle = await start(
      repo(
        (s) => {
          s.deploy!.retries = 2;
          s.deploy!.decisionTimeoutMs = 500;
        },
        { deployFails: true, probe: () => ({ ok: true, error: null, status: 200 }) },
      ),
    );
    const result = await handle.result();
    expect(result).toMatchObject({ outcome: 'failed', attempts: 3 });
    expect(await timers(handle)).toEqual([2_000, 4_000, 500]);
  });

  it("fails the health check at its deadline with the last sample's error, sampling at the configured interval", async () => {
    const handle = await start(
      repo(
        (s) => {
          s.health!.deadlineMs = 1_000;
          s.health!.intervalMs = 300;
          s.deploy!.decisionTimeoutMs = 500;
        },
        { deployFails: false, probe: () => ({ ok: false, error: 'HTTP 503', status: 503 }) },
      ),
    );
    const result = await handle.result();
    expect(result).toMatchObject({
      outcome: 'failed',
      reason: 'no decision within 1s after deploying 1.1.0 failed: not healthy within 1s: HTTP 503',
    });
    const all = await timers(handle);
    expect(all.at(-1)).toBe(500);
    const intervals = all.slice(0, -1);
    // How many samples fit before the deadline depends on how long each probe takes; each gap is the interval.
    expect(intervals.length).toBeGreaterThanOrEqual(1);
    expect(new Set(intervals)).toEqual(new Set([300]));
    const state = await handle.query(deployStateQuery);
    expect(state.samples.length).toBe(intervals.length + 1);
    expect(state.lastError).toBe('not healthy within 1s: HTTP 503');
  });

  it('waits the initial delay once before the first health sample', async () => {
    const handle = await start(
      repo(
        (s) => {
          s.health!.initialDelayMs = 700;
          s.health!.successes = 2;
        },
        { deployFails: false, probe: () => ({ ok: true, error: null, status: 200 }) },
      ),
    );
    const result = await handle.result();
    expect(result).toMatchObject({ outcome: 'deployed', reason: '1.1.0 is live (healthy after 2 checks)' });
    expect(await timers(handle)).toEqual([700, 200]);
  });
});
