import { randomBytes } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RepositoryInput } from '../../../config/schema.js';
import {
  adminOverrideSignal,
  overrideUpdate,
  promoteUpdate,
  type PromotionResult,
  type PromotionStep,
} from '../../../vocabulary/environments.js';
import {
  endEnvironments,
  environmentState,
  promotionUntil,
  twoEnvironments,
  type TwoEnvironments,
} from '../../helpers/promotion.js';
import { runRelease, startTestWorker, testConfig, type TestWorker } from '../../helpers/temporal.js';

// Fresh IDs per run: environments are long-lived, and an earlier run's would still hold a fixed ID.
const run = randomBytes(3).toString('hex');
const IDS = {
  ends: `freeze-ends-${run}`,
  override: `freeze-override-${run}`,
  signal: `freeze-signal-${run}`,
};
const repos = new Map<string, TwoEnvironments>();
let worker: TestWorker;

type FreezeInput = NonNullable<RepositoryInput['environments']>[number]['freeze'];

/** Production's freeze windows: the repository's configuration, as a worker reads it when it starts. */
function freezeProduction(id: string, windows: FreezeInput): void {
  const production = repos.get(id)!.settings.environments!.find((e) => e.name === 'production')!;
  production.freeze = windows;
}

/** `taskQueue`: the stopped worker's, so the new one takes over its runs, as a restarted worker does. */
async function workerWithTheseSettings(taskQueue?: string): Promise<TestWorker> {
  return startTestWorker(await testConfig([...repos.values()].map((r) => r.settings)), taskQueue ? { taskQueue } : {});
}

async function release(id: string): Promise<void> {
  const { result } = await runRelease(worker, { repoId: id });
  expect(result.outcome, result.reason).toBe('released');
}

function promotionResult(id: string, version: string): Promise<PromotionResult> {
  return worker.client.workflow.getHandle<() => Promise<PromotionResult>>(`promotion:${id}:${version}`).result();
}

const production = (steps: PromotionStep[]) =>
  steps.find((s) => s.environment === 'production') ?? ({} as PromotionStep);

function frozenInProduction(id: string) {
  return promotionUntil(worker.client, `promotion:${id}:1.0.0`, (s) => production(s.steps).status === 'frozen');
}

describe('freeze windows: a promotion that meets one waits, frozen, and goes on by itself or by an override', () => {
  const hourAhead = new Date(Date.now() + 3_600_000).toISOString();

  beforeAll(async () => {
    repos.set(IDS.ends, await twoEnvironments(IDS.ends, { autoPromote: false }));
    repos.set(IDS.override, await twoEnvironments(IDS.override));
    repos.set(IDS.signal, await twoEnvironments(IDS.signal));
    // A window far ahead: production has freeze windows, none open while the release runs.
    freezeProduction(IDS.ends, [{ from: '2099-01-01T00:00:00Z', to: '2099-01-02T00:00:00Z', reason: 'far ahead' }]);
    freezeProduction(IDS.override, [{ from: new Date().toISOString(), to: hourAhead, reason: 'quarter end' }]);
    freezeProduction(IDS.signal, [{ from: new Date().toISOString(), to: hourAhead }]);
    worker = await workerWithTheseSettings();
  });

  afterAll(async () => {
    for (const id of repos.keys()) if (worker) await endEnvironments(worker.client, id);
    await worker?.stop();
    await Promise.all([...repos.values()].map((r) => r.stop()));
  });

  it('is checked when the version is about to enter, waits out the window, then deploys by itself', async () => {
    const id = IDS.ends;
    await release(id);
    const workflowId = `promotion:${id}:1.0.0`;
    await promotionUntil(worker.client, workflowId, (s) => production(s.steps).status === 'awaiting promotion');
    const handle = () => worker.client.workflow.getHandle(workflowId);
    const notFrozen = await handle()
      .executeUpdate(overrideUpdate, {
        args: [{ environment: 'production', gate: 'freeze', by: 'root', reason: 'hurry', role: 'admin' }],
      })
      .catch((e: unknown) => e);
    expect((notFrozen as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'SHIPGATE_NOT_FROZEN' });

    // The window opens after the release started: the worker now runs with a configuration that
    // has it (read at its start, as a restarted worker reads the file), and that is what counts.
    const from = new Date();
    const until = new Date(from.getTime() + 8_000);
    freezeProduction(id, [{ from: from.toISOString(), to: until.toISOString(), reason: 'short freeze' }]);
    await worker.stop();
    worker = await workerWithTheseSettings(worker.taskQueue);

    await handle().executeUpdate(promoteUpdate, { args: [{ environment: 'production', by: 'ana' }] });
    const frozen = await frozenInProduction(id);
    expect(production(frozen.steps)).toMatchObject({
      status: 'frozen',
      reason: `frozen until ${until.toISOString()} (short freeze); it goes on by itself then`,
      freeze: { from: from.toISOString(), until: until.toISOString(), reason: 'short freeze' },
    });
    expect(frozen.stage).toBe('frozen production');
    expect(repos.get(id)!.production.deploys()).toEqual([]);

    const promoted = await promotionResult(id, '1.0.0');
    expect(promoted, promoted.reason).toMatchObject({ outcome: 'promoted', reached: ['staging', 'production'] });
    const ledger = (await environmentState(worker.client, id, 'production')).ledger;
    expect(ledger.map((e) => [e.version, e.outcome, e.requestedBy])).toEqual([['1.0.0', 'deployed', 'ana']]);
    expect(Date.parse(ledger[0]!.requestedAt)).toBeGreaterThanOrEqual(until.getTime());
    const done = await promotionUntil(worker.client, workflowId, (s) => s.outcome !== null);
    expect(production(done.steps)).toMatchObject({ status: 'deployed', freeze: null });
    expect(production(done.steps).freezeOverride ?? null).toBeNull();
    expect(await repos.get(id)!.production.servingVersion()).toBe('1.0.0');
  });

  it('refuses an override by anyone but an admin, and goes on at once for an admin, recorded', async () => {
    const id = IDS.override;
    await release(id);
    const frozen = await frozenInProduction(id);
    expect(production(frozen.steps).freeze).toMatchObject({ until: hourAhead, reason: 'quarter end' });
    const handle = worker.client.workflow.getHandle(`promotion:${id}:1.0.0`);
    const refused = await handle
      .executeUpdate(overrideUpdate, {
        args: [{ environment: 'production', gate: 'freeze', by: 'rel', reason: 'please', role: 'releaser' }],
      })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((refused as WorkflowUpdateFailedError).cause).toMatchObject({
      type: 'SHIPGATE_ROLE_REQUIRED',
      message: expect.stringContaining('only an admin may override'),
    });

    const overridden = await handle.executeUpdate(overrideUpdate, {
      args: [{ environment: 'production', gate: 'freeze', by: 'root', reason: 'hotfix for an outage', role: 'admin' }],
    });
    expect(production(overridden.steps).freezeOverride).toMatchObject({
      by: 'root',
      role: 'admin',
      reason: 'hotfix for an outage',
      via: 'api',
    });
    const promoted = await promotionResult(id, '1.0.0');
    expect(promoted, promoted.reason).toMatchObject({ outcome: 'promoted', reached: ['staging', 'production'] });
    const done = await promotionUntil(worker.client, `promotion:${id}:1.0.0`, (s) => s.outcome !== null);
    expect(production(done.steps).freezeOverride).toMatchObject({ by: 'root', via: 'api' });
    expect(await repos.get(id)!.production.servingVersion()).toBe('1.0.0');
  });

  it('goes on at once for the adminOverride signal of the Temporal UI, recorded as sent by signal', async () => {
    const id = IDS.signal;
    await release(id);
    const frozen = await frozenInProduction(id);
    expect(production(frozen.steps).reason).toBe(`frozen until ${hourAhead}; it goes on by itself then`);
    await worker.client.workflow
      .getHandle(`promotion:${id}:1.0.0`)
      .signal(adminOverrideSignal, { environment: 'production', gate: 'freeze', by: 'ops', reason: 'approved change' });
    const promoted = await promotionResult(id, '1.0.0');
    expect(promoted, promoted.reason).toMatchObject({ outcome: 'promoted', reached: ['staging', 'production'] });
    const done = await promotionUntil(worker.client, `promotion:${id}:1.0.0`, (s) => s.outcome !== null);
    expect(production(done.steps).freezeOverride).toMatchObject({
      by: 'ops',
      role: 'admin',
      reason: 'approved change',
      via: 'signal',
    });
  });
});
