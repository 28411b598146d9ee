import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../devserver/dev-server.js';
import {
  provisionTemporalServer,
  startTemporalCluster,
  type RunningCluster,
} from '../../../devserver/temporal-server.js';
import { pollUntil } from '../../helpers/api.js';
import { runCleanups, type ServiceProcess, startProcess, writeConfigFile } from '../../helpers/processes.js';
import { createSampleService, type SampleService } from '../../helpers/sample-service.js';
import { clusterLane, LANE_REQUIRED } from './lane.js';

/**
 * The production-like lane: a real Temporal server on PostgreSQL, three worker processes that
 * share nothing but the cluster and the report key (each its own data folder, as separate hosts
 * would), the real API, and six `url` repositories released at once, each deploying a real
 * loopback service.
 */
const lane = await clusterLane();
if ('skip' in lane) {
  if (LANE_REQUIRED)
    throw new Error(
      `the production-like cluster lane is required here (SHIPGATE_CLUSTER_LANE=required), but ${lane.skip}`,
    );
  console.info(`production-like cluster lane skipped: ${lane.skip}`);
}

const WORKERS = ['w1', 'w2', 'w3'] as const;
const REPOS_PER_SCENARIO = 6;
const SCENARIOS = ['spread', 'server-restart', 'worker-lost'] as const;
type Scenario = (typeof SCENARIOS)[number];
/** A lost worker is noticed after the heartbeat timeout; a short one keeps the lane quick. */
const HEARTBEAT_TIMEOUT = '5s';
/** How long six releases may take on a busy 2-core machine, disruptions included. */
const SCENARIO_DEADLINE_MS = 6 * 60_000;

const cleanups: (() => Promise<unknown>)[] = [];
let cluster: RunningCluster;
let client: Client;
let apiPort: number;
const token = randomBytes(24).toString('base64url');
const workers = new Map<string, ServiceProcess>();
const services = new Map<Scenario, SampleService[]>();

const call = async (method: string, url: string, body?: object) => {
  const response = await fetch(`http://127.0.0.1:${apiPort}${url}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
};

/** The lane's worker behind a poller identity: `shipgate@<worker ID>/<pid>`, or `shipgate@<worker ID>.<instance>/<pid>`. */
const workerOf = (identity: string | null | undefined) =>
  WORKERS.find((id) => new RegExp(`^shipgate@${id}[./]`).test(identity ?? '')) ?? null;

/** Which worker picked the run up (pinRun) and which one pushed its release, from the history. */
async function workersOfRun(
  workflowId: string,
): Promise<{ firstTask: string | null; pinned: string | null; pushed: string | null; closed: Date | null }> {
  const handle = client.workflow.getHandle(workflowId);
  const events = (await handle.fetchHistory()).events ?? [];
  const names = new Map(
    events
      .filter((e) => e.activityTaskScheduledEventAttributes)
      .map((e) => [String(e.eventId), e.activityTaskScheduledEventAttributes!.activityType!.name!]),
  );
  const last: Record<string, string | null> = {};
  const firstTask = workerOf(
    events.find((e) => e.workflowTaskStartedEventAttributes)?.workflowTaskStartedEventAttributes?.identity,
  );
  for (const e of events) {
    const started = e.activityTaskStartedEventAttributes;
    if (started) last[names.get(String(started.scheduledEventId))!] = workerOf(started.identity);
  }
  const description = await handle.describe();
  return {
    firstTask,
    pinned: last.pinRun ?? null,
    pushed: last.pushRelease ?? null,
    closed: description.closeTime ?? null,
  };
}

/** VmRSS and VmHWM (the peak) of a live process, in MiB. */
function memoryOf(pid: number): { rssMiB: number; peakMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rssMiB: Math.round(kib('VmRSS') / 1024), peakMiB: Math.round(kib('VmHWM') / 1024) };
}

interface Outcome {
  /** Runs per worker, counted by the worker that pushed the release. */
  perWorker: Record<string, number>;
  runs: { workflowId: string; pinned: string | null; pushed: string | null }[];
  closedAt: Date[];
}

/** Releases the scenario's six repositories at once through the API; `during` disrupts the cluster meanwhile. */
async function releaseAll(
  scenario: Scenario,
  during: (workflowIds: string[]) => Promise<void> = async () => {},
): Promise<Outcome> {
  const repos = services.get(scenario)!;
  const started = await Promise.all(repos.map((service) => call('POST', `/repos/${repoIdOf(service)}/releases`, {})));
  for (const answer of started) expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  const workflowIds = started.map((answer) => String(answer.body.workflowId));

  await during(workflowIds);

  const views = await Promise.all(
    workflowIds.map((id) =>
      pollUntil(
        // The API answers 503 while the server is away; that is a moment to wait through, not an answer.
        () =>
          call('GET', `/releases/${encodeURIComponent(id)}`).catch(() => ({
            status: 0,
            body: {} as Record<string, any>,
          })),
        (view) => view.status === 200 && view.body.status !== 'RUNNING',
        SCENARIO_DEADLINE_MS,
      ),
    ),
  );
  for (const [index, view] of views.entries()) {
    expect(view.body.status, `${workflowIds[index]}: ${JSON.stringify(view.body)}`).toBe('COMPLETED');
    expect(view.body.result, workflowIds[index]).toMatchObject({
      outcome: 'deployed',
      version: '1.0.0',
      tag: 'v1.0.0',
    });
  }

  const perWorker: Record<string, number> = Object.fromEntries(WORKERS.map((id) => [id, 0]));
  const runs: Outcome['runs'] = [];
  const closedAt: Date[] = [];
  for (const id of workflowIds) {
    const run = await workersOfRun(id);
    expect(run.pushed, `${id} has no pushRelease attempt by a shipgate worker`).not.toBeNull();
    perWorker[run.pushed!] = (perWorker[run.pushed!] ?? 0) + 1;
    runs.push({ workflowId: id, pinned: run.pinned, pushed: run.pushed });
    if (run.closed) closedAt.push(run.closed);
  }
  for (const service of repos) await expectReleasedOnce(service);
  return { perWorker, runs, closedAt };
}

const repoIdOf = (service: SampleService) => String(service.settings.id);

/** Exactly one release commit, one tag and one push on the remote, and the service serves the version. */
async function expectReleasedOnce(service: SampleService): Promise<void> {
  const bare = service.repo.remote.replace(/^file:\/\//, '');
  const git = async (...args: string[]) => (await execa('git', ['--git-dir', bare, ...args])).stdout;
  const releaseCommits = (await git('log', '--format=%H %s', 'main'))
    .split('\n')
    .filter((line) => line.endsWith(' chore(release): v1.0.0'));
  expect(releaseCommits, repoIdOf(service)).toHaveLength(1);
  expect((await git('tag', '--list')).split('\n').filter(Boolean), repoIdOf(service)).toEqual(['v1.0.0']);
  expect((await git('rev-parse', 'v1.0.0^{commit}')).trim()).toBe(releaseCommits[0]!.split(' ')[0]);
  // The release commit is the branch head: nothing was pushed after it, twice or otherwise.
  expect((await git('rev-parse', 'main')).trim()).toBe(releaseCommits[0]!.split(' ')[0]);
  expect(await service.servingVersion(), repoIdOf(service)).toBe('1.0.0');
}

function report(scenario: Scenario, outcome: Outcome, extra: Record<string, unknown> = {}): void {
  const memory = Object.fromEntries(
    [...workers]
      .filter(([, worker]) => worker.child.exitCode === null && worker.child.signalCode === null)
      .map(([id, worker]) => [id, memoryOf(worker.child.pid!)]),
  );
  console.info(
    `cluster lane [${scenario}]: ${JSON.stringify({ runsPerWorker: outcome.perWorker, ...extra, workerMemory: memory })}`,
  );
}

describe.skipIf('skip' in lane)('a production-like cluster: Temporal on PostgreSQL, three workers, the API', () => {
  beforeAll(async () => {
    if ('skip' in lane) return;
    const server = await provisionTemporalServer();
    cluster = await startTemporalCluster({ server, postgres: lane.postgres });
    cleanups.push(() => cluster.stop());
    const connection = await Connection.connect({ address: cluster.address });
    cleanups.push(() => connection.close());
    client = new Client({ connection, namespace: cluster.namespace });

    for (const scenario of SCENARIOS) {
      const list: SampleService[] = [];
      for (let i = 1; i <= REPOS_PER_SCENARIO; i += 1) {
        const service = await createSampleService(`${scenario}-${i}-${randomUUID().slice(0, 4)}`, (settings) => {
          // A url repository: every worker clones it into its own data folder, as on its own host.
          settings.url = settings.path!.replace(/\/app$/, '/remote.git').replace(/^/, 'file://');
          delete settings.path;
          // Long enough to outlast a lost worker or a server restart between deploy and health.
          settings.health = { ...settings.health!, deadline: '120s' };
        });
        cleanups.push(() => service.stop());
        list.push(service);
      }
      services.set(scenario, list);
    }
    const configFile = await writeConfigFile(
      [...services.values()].flat().map((service) => service.settings),
      { heartbeatTimeout: HEARTBEAT_TIMEOUT },
    );
    cleanups.push(() => rm(path.dirname(configFile), { recursive: true, force: true }));
    const reportKey = randomBytes(32).toString('hex');
    const dataDir = async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'shipgate-host-'));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      return dir;
    };
    const shared = { SHIPGATE_CONFIG: configFile, TEMPORAL_ADDRESS: cluster.address, SHIPGATE_REPORT_KEY: reportKey };

    for (const id of WORKERS) {
      const worker = startProcess('worker/main.js', {
        ...shared,
        SHIPGATE_WORKER_ID: id,
        SHIPGATE_DATA_DIR: await dataDir(),
        SHIPGATE_LOG_LEVEL: 'info',
      });
      cleanups.push(() => worker.stop());
      workers.set(id, worker);
    }
    apiPort = await freePort();
    const api = startProcess('api/server.js', {
      ...shared,
      SHIPGATE_API_TOKEN: token,
      SHIPGATE_API_PORT: String(apiPort),
      SHIPGATE_DATA_DIR: await dataDir(),
    });
    cleanups.push(() => api.stop());
    await pollUntil(
      () =>
        fetch(`http://127.0.0.1:${apiPort}/healthz`).then(
          (r) => r.status,
          () => 0,
        ),
      (status) => status === 200,
      60_000,
    );
    for (const [id, worker] of workers) {
      await pollUntil(
        async () => worker.output(),
        (output) => output.includes('worker polling') || worker.child.exitCode !== null,
        120_000,
      );
      expect(worker.output(), `worker ${id} did not start`).toContain('worker polling');
    }
  });

  afterAll(async () => {
    await runCleanups(cleanups);
  });

  it('releases six url repositories at once, spread over three workers, each exactly once', async () => {
    const outcome = await releaseAll('spread');
    report('spread', outcome);
    expect(Object.values(outcome.perWorker).reduce((a, b) => a + b, 0)).toBe(REPOS_PER_SCENARIO);
    // How the runs spread is Temporal's matching (whichever poller takes pinRun): reported, not
    // asserted. What shipgate promises is that a run stays with the worker that pinned it.
    for (const run of outcome.runs) expect(run.pushed, run.workflowId).toBe(run.pinned);
    for (const service of services.get('spread')!) expect(service.deployCount(), repoIdOf(service)).toBe(1);
  });

  it('finishes all six when the Temporal server is stopped and started again mid-release', async () => {
    let downMs = 0;
    const outcome = await releaseAll('server-restart', async (workflowIds) => {
      await pollUntil(
        () => Promise.all(workflowIds.map((id) => workersOfRun(id).catch(() => null))),
        (runs) => runs.every((run) => run?.pinned),
        120_000,
      );
      const before = Date.now();
      await cluster.restart();
      downMs = Date.now() - before;
    });
    report('server-restart', outcome, { restartMs: downMs });
    for (const service of services.get('server-restart')!)
      expect(service.deployCount(), repoIdOf(service)).toBeLessThanOrEqual(2);
  });

  it('finishes all six elsewhere when one worker is SIGKILLed for good mid-release', async () => {
    let victim = '';
    let victimRuns = 0;
    let killedAt = 0;
    const outcome = await releaseAll('worker-lost', async (workflowIds) => {
      // Mid-release: every run is pinned, and the victim holds runs that have not pushed yet.
      const runs = await pollUntil(
        () => Promise.all(workflowIds.map((id) => workersOfRun(id).catch(() => null))),
        (all) => all.every((run) => run?.pinned) && all.some((run) => !run?.pushed),
        120_000,
      );
      const unfinished = new Map<string, number>();
      for (const run of runs)
        if (run?.pinned && !run.pushed) unfinished.set(run.pinned, (unfinished.get(run.pinned) ?? 0) + 1);
      [victim, victimRuns] = [...unfinished].sort((a, b) => b[1] - a[1])[0]!;
      const worker = workers.get(victim)!;
      worker.child.kill('SIGKILL');
      killedAt = Date.now();
      await worker.exited;
      workers.delete(victim);
    });
    const lastClosed = Math.max(...outcome.closedAt.map((date) => date.getTime()));
    report('worker-lost', outcome, {
      killed: victim,
      itsUnpushedRuns: victimRuns,
      lastRunFinishedMsAfterKill: lastClosed - killedAt,
    });
    for (const service of services.get('worker-lost')!)
      expect(service.deployCount(), repoIdOf(service)).toBeLessThanOrEqual(2);
  });
});
