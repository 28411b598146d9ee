import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { PromotionResult } from '../../../vocabulary/environments.js';
import { releaseWorkflow } from '../../../workflows/release.js';
import { endEnvironments, environmentState, twoEnvironments } from '../../helpers/promotion.js';
import { expectKilledAt, runCleanups, startProcess, writeConfigFile } from '../../helpers/processes.js';
import { sharedServerClient } from '../../helpers/temporal.js';

/**
 * The worker is killed with SIGKILL right after a promotion's step did its work and before it
 * could report back, then started again: the promotion must still end promoted, with production
 * deployed exactly once.
 * - `requestEnvironment`: the request to staging reached the environment, the answer was lost;
 *   the retried request (same request ID) is the same request, not a second deployment;
 * - `probeEnvironment`: the worker dies in the middle of the soak; its durable timer goes on.
 */
const KILL_POINTS = ['requestEnvironment', 'probeEnvironment'] as const;

let client: Client;
const cleanups: (() => Promise<unknown>)[] = [];

describe('crash: the worker dies in the middle of a promotion', () => {
  beforeAll(async () => {
    client = await sharedServerClient(cleanups);
  });
  afterAll(() => runCleanups(cleanups));

  it.each(KILL_POINTS)('finishes exactly once when the worker is killed in %s', async (point) => {
    const repoId = `promo-crash-${point.toLowerCase()}-${randomUUID().slice(0, 6)}`;
    // A soak long enough to be in the middle of when the worker dies, and health deadlines that
    // outlast a worker's death and restart.
    const repo = await twoEnvironments(repoId, { soak: '6s', productionDeadline: '90s' });
    cleanups.push(() => repo.stop());
    cleanups.push(() => endEnvironments(client, repoId));
    const configFile = await writeConfigFile([repo.settings], { heartbeatTimeout: '3s' });
    const marker = path.join(os.tmpdir(), `shipgate-killed-${randomUUID()}`);
    const env = {
      SHIPGATE_CONFIG: configFile,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      SHIPGATE_TASK_QUEUE: `promo-crash-${randomUUID()}`,
      SHIPGATE_WORKER_ID: `promo-crash-${point}`,
    };
    const doomed = startProcess('worker/main.js', { ...env, SHIPGATE_FAULT_KILL_AFTER: `${point}:${marker}` });
    cleanups.push(() => doomed.stop());
    const release = await client.workflow.start(releaseWorkflow, {
      taskQueue: env.SHIPGATE_TASK_QUEUE,
      workflowId: `release:${repoId}`,
      args: [{ repoId }],
    });
    await expectKilledAt(doomed, point, marker, 120_000);

    const revived = startProcess('worker/main.js', env);
    cleanups.push(() => revived.stop());
    const released = await release.result();
    expect(released.outcome, released.reason).toBe('released');
    const promotion = client.workflow.getHandle<() => Promise<PromotionResult>>(`promotion:${repoId}:1.0.0`);
    const result = await Promise.race([
      promotion.result(),
      new Promise<never>((_, reject) =>
        setTimeout(
          () => reject(new Error(`no promotion result 150 s after the restart:\n${revived.output()}`)),
          150_000,
        ),
      ),
    ]);
    expect(result, result.reason).toMatchObject({ outcome: 'promoted', reached: ['staging', 'production'] });

    expect(repo.staging.deploys().map((d) => d.version)).toEqual(['1.0.0']);
    expect(repo.production.deploys().map((d) => d.version)).toEqual(['1.0.0']);
    expect(await repo.production.servingVersion()).toBe('1.0.0');
    const staging = await environmentState(client, repoId, 'staging');
    const production = await environmentState(client, repoId, 'production');
    expect(staging.ledger.map((e) => [e.version, e.outcome])).toEqual([['1.0.0', 'deployed']]);
    expect(production.ledger.map((e) => [e.version, e.outcome])).toEqual([['1.0.0', 'deployed']]);
    await revived.stop();
  });
});
