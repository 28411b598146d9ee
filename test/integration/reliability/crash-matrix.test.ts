import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { decodeTimeoutType } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { releaseWorkflow } from '../../../workflows/release.js';
import { createSampleService, type SampleService } from '../../helpers/sample-service.js';
import { expectKilledAt, runCleanups, startProcess, writeConfigFile } from '../../helpers/processes.js';
import { sharedServerClient } from '../../helpers/temporal.js';

/**
 * The worker is killed with SIGKILL right after each activity of a full release did its work
 * and before it could report back, then started again. Each release must still complete with
 * exactly one of everything.
 */
const KILL_POINTS = [
  'pinRun',
  'preflight',
  'runTests',
  'commitAndTagRelease',
  'pushRelease',
  'runDeploy',
  'probeHealth',
] as const;
/** How often the deploy command may run: once, plus once more when the worker died inside it. */
const DEPLOY_RUNS_ALLOWED: Record<string, number> = { runDeploy: 2 };

/** A killed worker's activity must be noticed within this, not after a minute of start-to-close. */
const NOTICED_WITHIN_MS = 60_000;

type Duration = { seconds?: unknown; nanos?: number | null } | null | undefined;
const durationMs = (d: Duration) => (d ? Number(d.seconds ?? 0) * 1000 + Math.round((d.nanos ?? 0) / 1e6) : null);

interface Retry {
  workflowId: string;
  activity: string;
  attempt: number;
  /** The timeout that ended the attempt before, and how long that timeout was. */
  timeout: string;
  timeoutMs: number | null;
}

/** Every activity attempt after the first in a run and its children, read from their histories. */
async function retriesIn(workflowId: string, runId?: string): Promise<Retry[]> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  type Scheduled = NonNullable<NonNullable<typeof history.events>[number]['activityTaskScheduledEventAttributes']>;
  const scheduled = new Map<string, Scheduled>();
  const retries: Retry[] = [];
  for (const event of history.events ?? []) {
    const attrs = event.activityTaskScheduledEventAttributes;
    if (attrs) scheduled.set(String(event.eventId), attrs);
    // A restart slower than the lost-worker bound (`lostWorkerAfterMs`): the retry waited on the
    // dead worker's queue until the run counted the worker as lost and scheduled the step anew
    // (for a path repository, on the same queue, waiting for it without a bound).
    const timedOut = event.activityTaskTimedOutEventAttributes;
    if (timedOut && decodeTimeoutType(timedOut.failure?.timeoutFailureInfo?.timeoutType) === 'SCHEDULE_TO_START') {
      const of = scheduled.get(String(timedOut.scheduledEventId));
      retries.push({
        workflowId,
        activity: of?.activityType?.name ?? '?',
        attempt: 0,
        timeout: 'SCHEDULE_TO_START',
        timeoutMs: durationMs(of?.scheduleToStartTimeout),
      });
    }
    const child = event.childWorkflowExecutionStartedEventAttributes?.workflowExecution;
    if (child?.workflowId) retries.push(...(await retriesIn(child.workflowId, child.runId ?? undefined)));
    const started = event.activityTaskStartedEventAttributes;
    if (!started || (started.attempt ?? 1) <= 1) continue;
    const of = scheduled.get(String(started.scheduledEventId));
    const type = decodeTimeoutType(started.lastFailure?.timeoutFailureInfo?.timeoutType) ?? null;
    const timeoutMs =
      type === 'HEARTBEAT'
        ? durationMs(of?.heartbeatTimeout)
        : type === 'START_TO_CLOSE'
          ? durationMs(of?.startToCloseTimeout)
          : null;
    retries.push({
      workflowId,
      activity: of?.activityType?.name ?? '?',
      attempt: started.attempt ?? 0,
      timeout: type ?? `not a timeout: ${started.lastFailure?.message ?? '?'}`,
      timeoutMs,
    });
  }
  return retries;
}

let client: Client;
const cleanups: (() => Promise<void>)[] = [];

async function releaseSurvivingKill(
  point: string,
): Promise<{ service: SampleService; result: Awaited<ReturnType<typeof releaseWorkflow>>; retries: Retry[] }> {
  const repoId = `crash-${point.toLowerCase()}-${randomUUID().slice(0, 6)}`;
  // The health deadline must outlast a worker's death and restart (heartbeat timeout, sticky
  // queue timeout, a fresh workflow bundle): about 20 s here.
  const service = await createSampleService(repoId, (settings) => {
    settings.health = { ...settings.health!, deadline: '90s' };
  });
  cleanups.push(() => service.stop());
  const configFile = await writeConfigFile([service.settings], { heartbeatTimeout: '3s' });
  const taskQueue = `crash-${randomUUID()}`;
  const marker = path.join(os.tmpdir(), `shipgate-killed-${randomUUID()}`);
  const env = {
    SHIPGATE_CONFIG: configFile,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    SHIPGATE_TASK_QUEUE: taskQueue,
    SHIPGATE_WORKER_ID: `crash-${point}`,
  };

  const doomed = startProcess('worker/main.js', {
    ...env,
    SHIPGATE_FAULT_KILL_AFTER: `${point}:${marker}`,
  });
  cleanups.push(() => doomed.stop());
  const handle = await client.workflow.start(releaseWorkflow, {
    taskQueue,
    workflowId: `release:${repoId}`,
    args: [{ repoId }],
  });
  await expectKilledAt(doomed, point, marker, 90_000);

  const revived = startProcess('worker/main.js', env);
  cleanups.push(() => revived.stop());
  const result = await Promise.race([
    handle.result(),
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`no result 150 s after the restart:\n${revived.output()}`)), 150_000),
    ),
  ]);
  await revived.stop();
  return { service, result, retries: await retriesIn(handle.workflowId) };
}

describe('crash matrix: the worker dies inside each activity of a release', () => {
  beforeAll(async () => {
    client = await sharedServerClient(cleanups);
  });
  afterAll(() => runCleanups(cleanups));

  it.each(KILL_POINTS)('completes exactly once when the worker is killed in %s', async (point) => {
    const { service, result, retries } = await releaseSurvivingKill(point);
    expect(result, JSON.stringify(result)).toMatchObject({ outcome: 'deployed', version: '1.0.0', tag: 'v1.0.0' });
    // The dead worker's attempt was given up on by a timeout short enough to say "noticed soon".
    expect(
      retries.map((r) => r.activity),
      JSON.stringify(retries),
    ).toContain(point);
    for (const retry of retries) {
      expect(retry.timeout, JSON.stringify(retry)).toMatch(/^(HEARTBEAT|START_TO_CLOSE|SCHEDULE_TO_START)$/);
      expect(retry.timeoutMs, JSON.stringify(retry)).toBeLessThan(NOTICED_WITHIN_MS);
    }
    const git = service.repo.git;
    const releaseCommits = (await git('log', '--format=%H %s', 'origin/main'))
      .split('\n')
      .filter((l) => l.endsWith('chore(release): v1.0.0'));
    expect(releaseCommits).toHaveLength(1);
    const releaseCommit = releaseCommits[0]!.split(' ')[0];
    expect(await git('tag', '--list')).toBe('v1.0.0');
    expect((await git('rev-parse', 'v1.0.0^{commit}')).trim()).toBe(releaseCommit);
    const remote = await git('ls-remote', 'origin');
    expect(remote).toContain(`${releaseCommit}\trefs/heads/main`);
    expect(remote).toContain(`${releaseCommit}\trefs/tags/v1.0.0^{}`);
    const changelog = await readFile(path.join(service.repo.dir, 'CHANGELOG.md'), 'utf8');
    expect(changelog.match(/^## 1\.0\.0/gm)).toHaveLength(1);
    expect(service.deployCount()).toBeGreaterThanOrEqual(1);
    expect(service.deployCount()).toBeLessThanOrEqual(DEPLOY_RUNS_ALLOWED[point] ?? 1);
    expect(await service.servingVersion()).toBe('1.0.0');
    expect(await git('status', '--porcelain')).toMatch(/^(\?\? context\/deploy-\d{8}-\d{6}\.md\n?)*$/);
  });
});
