import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { pinnedQueue } from '../../../activities/deps.js';
import { releaseStateQuery } from '../../../vocabulary/messages.js';
import { releaseWorkflow } from '../../../workflows/release.js';
import { pollUntil } from '../../helpers/api.js';
import { saveHistory } from '../../helpers/temporal-cli.js';
import {
  expectKilledAt,
  runCleanups,
  startProcess,
  writeConfigFile,
  type ServiceProcess,
} from '../../helpers/processes.js';
import { createSampleService, type SampleService } from '../../helpers/sample-service.js';
import { sharedServerClient } from '../../helpers/temporal.js';

/**
 * A worker is SIGKILLed for good in the middle of a release of a `url` repository and never
 * comes back; another worker, on its own host (its own data folder), is alive. The release must
 * move to it and finish with exactly one release commit, one tag and one push on the remote.
 */
const LOSS_POINTS = [
  // QA moves, runs the tests again there, and the release follows it to the report.
  { point: 'runTests', what: "during QA's tests", resumed: /^clean at [0-9a-f]{7}$/, qaRuns: 1 },
  // Nothing was pushed and the approving report stayed behind: QA runs again on the new worker.
  {
    point: 'commitAndTagRelease',
    what: 'between the release commit and the push',
    resumed: /not here: context\/test-pass-/,
    qaRuns: 2,
  },
  // The push landed: the remote's release commit is adopted, nothing is made twice.
  {
    point: 'pushRelease',
    what: 'right after the push, before the workflow learns of it',
    resumed: /: adopted$/,
    qaRuns: 1,
  },
] as const;

let client: Client;
const cleanups: (() => Promise<unknown>)[] = [];
const measured: string[] = [];

/**
 * With SHIPGATE_RECORD_HISTORIES=1 (see record-histories.test.ts), the histories of the runs that
 * moved are saved for the replay test, so later changes keep them replayable.
 */
async function record(name: string, workflowId: string): Promise<void> {
  if (process.env.SHIPGATE_RECORD_HISTORIES === '1') await saveHistory(name, workflowId);
}

function track(proc: ServiceProcess): ServiceProcess {
  cleanups.push(() => proc.stop());
  return proc;
}

/** The sample application as a `url` repository: each worker clones it into its own data folder. */
async function urlService(repoId: string): Promise<SampleService> {
  const service = await createSampleService(repoId, (settings) => {
    // Outlasts a worker's loss (heartbeat, the 15 s bound) and a second test run.
    settings.health = { ...settings.health!, deadline: '90s' };
  });
  cleanups.push(() => service.stop());
  service.settings.path = undefined;
  service.settings.url = service.repo.remote;
  return service;
}

async function waitForPollers(queue: string): Promise<void> {
  await pollUntil(
    () =>
      client.workflowService
        .describeTaskQueue({ namespace: 'default', taskQueue: { name: queue }, taskQueueType: 2 })
        .then((a) => a.pollers?.length ?? 0),
    (pollers) => pollers > 0,
    60_000,
  );
}

beforeAll(async () => {
  client = await sharedServerClient(cleanups);
});

afterAll(async () => {
  await runCleanups(cleanups);
  if (measured.length) console.log(`kill → finished: ${measured.join('; ')}`);
});

describe('a release survives the permanent loss of its worker', () => {
  it.each(LOSS_POINTS)(
    'finishes on another worker when its worker dies for good in $point ($what)',
    async ({ point, resumed, qaRuns }) => {
      const repoId = `lost-${point.toLowerCase()}-${randomUUID().slice(0, 6)}`;
      const service = await urlService(repoId);
      const taskQueue = `lost-${randomUUID()}`;
      const marker = path.join(os.tmpdir(), `shipgate-lost-${randomUUID()}`);
      // Hosts of one service share the report key, as they must: a report one signs, another trusts.
      const base = {
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        SHIPGATE_TASK_QUEUE: taskQueue,
        SHIPGATE_REPORT_KEY: randomUUID().replaceAll('-', ''),
      };
      // Two hosts: two configuration files, so two data folders and two clones.
      const doomedConfig = await writeConfigFile([service.settings], { heartbeatTimeout: '3s' });
      const liveConfig = await writeConfigFile([service.settings], { heartbeatTimeout: '3s' });
      const doomed = track(
        startProcess('worker/main.js', {
          ...base,
          SHIPGATE_CONFIG: doomedConfig,
          SHIPGATE_WORKER_ID: 'doomed',
          SHIPGATE_FAULT_KILL_AFTER: `${point}:${marker}`,
        }),
      );
      await waitForPollers(taskQueue);

      const handle = await client.workflow.start(releaseWorkflow, {
        taskQueue,
        workflowId: `release:${repoId}`,
        args: [{ repoId }],
      });
      // Only the doomed worker runs yet, so the release is pinned to it; then the other host starts.
      const pinned = await pollUntil(
        () => handle.query(releaseStateQuery).catch(() => null),
        (s) => s?.steps.some((step) => step.name === 'pin' && step.finishedAt !== null) === true,
        60_000,
      );
      expect(pinned?.steps.find((s) => s.name === 'pin')?.summary).toBe('worker doomed');
      track(startProcess('worker/main.js', { ...base, SHIPGATE_CONFIG: liveConfig, SHIPGATE_WORKER_ID: 'survivor' }));

      await expectKilledAt(doomed, point, marker, 120_000);
      const killedAt = Date.now();

      const result = await Promise.race([
        handle.result(),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error(`no result 180 s after the loss of the worker in ${point}`)), 180_000),
        ),
      ]);
      measured.push(`${point} ${((Date.now() - killedAt) / 1000).toFixed(1)} s`);
      expect(result, JSON.stringify(result)).toMatchObject({ outcome: 'deployed', version: '1.0.0', tag: 'v1.0.0' });

      const state = await handle.query(releaseStateQuery);
      expect(state.repins?.length, JSON.stringify(state.repins)).toBeGreaterThan(0);
      expect(state.repins?.[0]).toMatchObject({ from: 'doomed', to: 'survivor' });
      expect(state.steps.find((step) => step.name === 'resume')?.summary, JSON.stringify(state.steps)).toMatch(resumed);
      expect(state.steps.filter((step) => step.name === 'qa')).toHaveLength(qaRuns);
      // The run finished on the survivor: exactly one release commit, one tag, one push.
      const git = service.repo.git;
      await git('fetch', '--quiet', '--tags', 'origin');
      const releaseCommits = (await git('log', '--format=%H %s', 'origin/main'))
        .split('\n')
        .filter((l) => l.endsWith('chore(release): v1.0.0'));
      expect(releaseCommits).toHaveLength(1);
      const releaseCommit = releaseCommits[0]!.split(' ')[0]!;
      expect(result.releaseCommit).toBe(releaseCommit);
      const remote = await git('ls-remote', 'origin');
      expect(remote).toContain(`${releaseCommit}\trefs/heads/main`);
      expect(remote).toContain(`${releaseCommit}\trefs/tags/v1.0.0^{}`);
      expect(remote.split('\n').filter((l) => l.includes('refs/tags/') && !l.endsWith('^{}'))).toHaveLength(1);
      expect((await git('show', 'origin/main:CHANGELOG.md')).match(/^## 1\.0\.0/gm)).toHaveLength(1);
      // The release commit carries the approving report: the evidence travelled, or QA ran again.
      const committedReports = (await git('show', '--name-only', '--format=', releaseCommit))
        .split('\n')
        .filter((f) => /^context\/test-pass-.*\.md$/.test(f));
      expect(committedReports.length).toBeGreaterThanOrEqual(1);
      expect(service.deployCount()).toBe(1);
      expect(await service.servingVersion()).toBe('1.0.0');
      await record(`release-repinned-after-${point}`, handle.workflowId);
      if (point === 'runTests') await record('qa-repinned-in-tests', `qa:${repoId}:${state.sourceSha}`);
    },
  );
});

describe('two live workers with one worker ID', () => {
  it('refuses a second worker with the same ID on another data folder, and one on the same data folder, and takes back a restart', async () => {
    const taskQueue = `dup-${randomUUID()}`;
    const workerId = `dup-${randomUUID().slice(0, 6)}`;
    const base = {
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      SHIPGATE_TASK_QUEUE: taskQueue,
      SHIPGATE_WORKER_ID: workerId,
    };
    const firstConfig = await writeConfigFile([]);
    const first = track(startProcess('worker/main.js', { ...base, SHIPGATE_CONFIG: firstConfig }));
    await waitForPollers(pinnedQueue(taskQueue, workerId));

    const otherHost = track(startProcess('worker/main.js', { ...base, SHIPGATE_CONFIG: await writeConfigFile([]) }));
    expect(await otherHost.exited).toEqual({ code: 1, signal: null });
    const refusal = otherHost
      .output()
      .split('\n')
      .filter((line) => line.includes('refused to start'));
    expect(refusal, otherHost.output()).toHaveLength(1);
    expect(refusal[0]).toContain(`worker ID \\"${workerId}\\" is in use by another live worker`);

    const sameFolder = track(startProcess('worker/main.js', { ...base, SHIPGATE_CONFIG: firstConfig }));
    expect(await sameFolder.exited).toEqual({ code: 1, signal: null });
    expect(sameFolder.output()).toMatch(/the data folder .* is in use by the live worker/);

    // The same host after a crash: same data folder, same instance, its own queue again.
    await first.stop();
    const restarted = track(startProcess('worker/main.js', { ...base, SHIPGATE_CONFIG: firstConfig }));
    const polling = pollUntil(
      () =>
        client.workflowService
          .describeTaskQueue({
            namespace: 'default',
            taskQueue: { name: pinnedQueue(taskQueue, workerId) },
            taskQueueType: 2,
          })
          .then((a) => (a.pollers ?? []).some((p) => p.identity?.endsWith(`/${restarted.child.pid}`))),
      (found) => found,
      60_000,
    );
    expect(await Promise.race([polling, restarted.exited]), restarted.output()).toBe(true);
    await restarted.stop();
  });
});

describe('a path repository cannot move', () => {
  it('waits for its lost worker, says so, and finishes exactly once when that worker comes back', async () => {
    const repoId = `lost-path-${randomUUID().slice(0, 6)}`;
    const service = await createSampleService(repoId, (settings) => {
      settings.health = { ...settings.health!, deadline: '90s' };
    });
    cleanups.push(() => service.stop());
    const taskQueue = `lost-path-${randomUUID()}`;
    const marker = path.join(os.tmpdir(), `shipgate-lost-${randomUUID()}`);
    const configFile = await writeConfigFile([service.settings], { heartbeatTimeout: '3s' });
    const env = {
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      SHIPGATE_TASK_QUEUE: taskQueue,
      SHIPGATE_CONFIG: configFile,
      SHIPGATE_WORKER_ID: 'path-host',
    };
    const doomed = track(
      startProcess('worker/main.js', { ...env, SHIPGATE_FAULT_KILL_AFTER: `commitAndTagRelease:${marker}` }),
    );
    await waitForPollers(taskQueue);
    const handle = await client.workflow.start(releaseWorkflow, {
      taskQueue,
      workflowId: `release:${repoId}`,
      args: [{ repoId }],
    });
    expect(await doomed.exited).toEqual({ code: null, signal: 'SIGKILL' });
    // Another host is alive, yet the run stays: the path exists on the lost worker's host only.
    track(
      startProcess('worker/main.js', {
        ...env,
        SHIPGATE_CONFIG: await writeConfigFile([service.settings], { heartbeatTimeout: '3s' }),
        SHIPGATE_WORKER_ID: 'other-host',
      }),
    );

    const waiting = await pollUntil(
      () => handle.query(releaseStateQuery).catch(() => null),
      (s) => Boolean(s?.waitingForWorker),
      120_000,
    );
    expect(waiting?.waitingForWorker).toMatchObject({ workerId: 'path-host', step: 'commit' });
    expect(waiting?.waitingForWorker?.reason).toMatch(
      /is a path on that worker's host, so the run cannot move: it waits for path-host to come back \(end it with shipgate cancel\)/,
    );
    expect(waiting?.steps.find((s) => s.name === 'pin')?.summary).toBe(
      'worker path-host (a path repository: bound to this worker)',
    );
    expect(waiting?.repins ?? []).toEqual([]);

    // The host comes back on its own data folder, so on its own queue.
    track(startProcess('worker/main.js', env));
    const result = await Promise.race([
      handle.result(),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('no result 180 s after the worker came back')), 180_000),
      ),
    ]);
    expect(result, JSON.stringify(result)).toMatchObject({ outcome: 'deployed', version: '1.0.0', tag: 'v1.0.0' });
    expect((await handle.query(releaseStateQuery)).waitingForWorker).toBeNull();
    const git = service.repo.git;
    expect(
      (await git('log', '--format=%s', 'origin/main')).split('\n').filter((s) => s === 'chore(release): v1.0.0'),
    ).toHaveLength(1);
    expect(await git('tag', '--list')).toBe('v1.0.0');
    expect(service.deployCount()).toBe(1);
    await record('release-waited-for-path-worker', handle.workflowId);
  });
});
