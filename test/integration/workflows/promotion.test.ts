import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unpinEnvironment } from '../../../client/environments.js';
import { promoteUpdate, type PromotionResult } from '../../../vocabulary/environments.js';
import { releaseStateQuery, ViewMemoKey } from '../../../vocabulary/messages.js';
import { EnvironmentKey, OutcomeKey, StageKey } from '../../../vocabulary/search-attributes.js';
import {
  endEnvironments,
  environmentState,
  promotionUntil,
  twoEnvironments,
  type TwoEnvironments,
} from '../../helpers/promotion.js';
import { saveHistory } from '../../helpers/temporal-cli.js';
import { runRelease, startTestWorker, testConfig, type TestWorker } from '../../helpers/temporal.js';

// Fresh IDs per run: environments are long-lived, and an earlier run's would still hold a fixed ID.
const run = randomBytes(3).toString('hex');
const IDS = {
  promoted: `promo-ok-${run}`,
  rollback: `promo-rollback-${run}`,
  superseded: `promo-superseded-${run}`,
  manual: `promo-manual-${run}`,
  unhealthy: `promo-unhealthy-${run}`,
  cancelled: `promo-cancelled-${run}`,
};
const repos = new Map<string, TwoEnvironments>();
let worker: TestWorker;

function repo(id: string): TwoEnvironments {
  return repos.get(id)!;
}

/** A release of the repository, to its result: with environments, it ends once it handed the version over. */
async function release(id: string) {
  const { handle, result } = await runRelease(worker, { repoId: id });
  expect(result.outcome, result.reason).toBe('released');
  return { handle, result };
}

function promotionResult(id: string, version: string): Promise<PromotionResult> {
  return worker.client.workflow.getHandle<() => Promise<PromotionResult>>(`promotion:${id}:${version}`).result();
}

async function feature(id: string, name: string): Promise<void> {
  await repo(id).staging.repo.commit(`feat: ${name}`, { [`src/${name}.js`]: `export const ${name} = true;\n` });
}

describe('promotionWorkflow: a released version through staging, then production', () => {
  beforeAll(async () => {
    repos.set(IDS.promoted, await twoEnvironments(IDS.promoted));
    repos.set(IDS.rollback, await twoEnvironments(IDS.rollback, { productionAutoRollback: true }));
    repos.set(IDS.superseded, await twoEnvironments(IDS.superseded, { soak: '20s' }));
    repos.set(IDS.manual, await twoEnvironments(IDS.manual, { autoPromote: false }));
    repos.set(IDS.unhealthy, await twoEnvironments(IDS.unhealthy, { soak: '8s' }));
    repos.set(IDS.cancelled, await twoEnvironments(IDS.cancelled, { autoPromote: false }));
    worker = await startTestWorker(await testConfig([...repos.values()].map((r) => r.settings)));
  });

  afterAll(async () => {
    for (const id of repos.keys()) if (worker) await endEnvironments(worker.client, id);
    await worker?.stop();
    await Promise.all([...repos.values()].map((r) => r.stop()));
  });

  it('hands the release over, deploys to staging, soaks, then promotes to production', async () => {
    const id = IDS.promoted;
    const { handle, result } = await release(id);
    expect(result.promotion).toBe(`promotion:${id}:1.0.0`);
    expect(result.reason).toContain(`promotion:${id}:1.0.0 deploys it to staging, then production`);
    const releaseState = await handle.query(releaseStateQuery);
    expect(releaseState.promotion).toEqual({ workflowId: `promotion:${id}:1.0.0` });
    expect(releaseState.deploy).toBeNull();

    const promoted = await promotionResult(id, '1.0.0');
    expect(promoted, promoted.reason).toMatchObject({ outcome: 'promoted', reached: ['staging', 'production'] });
    // The histories the replay test keeps of the handover and of a promotion (see record-histories.test.ts).
    if (process.env.SHIPGATE_RECORD_HISTORIES === '1') {
      await saveHistory('release-handed-over-to-promotion', handle.workflowId);
      await saveHistory('promotion-promoted', `promotion:${id}:1.0.0`);
    }
    expect(await repo(id).staging.servingVersion()).toBe('1.0.0');
    expect(await repo(id).production.servingVersion()).toBe('1.0.0');
    expect(
      repo(id)
        .production.deploys()
        .map((d) => d.version),
    ).toEqual(['1.0.0']);

    const state = await promotionUntil(worker.client, `promotion:${id}:1.0.0`, (s) => s.outcome !== null);
    expect(state.steps.map((s) => [s.environment, s.status])).toEqual([
      ['staging', 'deployed'],
      ['production', 'deployed'],
    ]);
    // The run's view and search attributes say where it got and how it ended, for the API and the UI.
    const described = await worker.client.workflow.getHandle(`promotion:${id}:1.0.0`).describe();
    expect(described.memo?.[ViewMemoKey]).toMatchObject({ kind: 'promotion', outcome: 'promoted' });
    expect(described.typedSearchAttributes.get(OutcomeKey)).toBe('promoted');
    expect(described.typedSearchAttributes.get(StageKey)).toBe('done');
    expect(described.typedSearchAttributes.get(EnvironmentKey)).toBe('production');
    const production = await environmentState(worker.client, id, 'production');
    expect(production.live?.version).toBe('1.0.0');
    expect(production.ledger.map((e) => [e.version, e.kind, e.from, e.outcome])).toEqual([
      ['1.0.0', 'promotion', 'staging', 'deployed'],
    ]);
  });

  it('stops when production rolls back; a newer release waits at staging, held, until production is unpinned', async () => {
    const id = IDS.rollback;
    await release(id);
    expect((await promotionResult(id, '1.0.0')).outcome).toBe('promoted');

    await feature(id, 'broken');
    await repo(id).production.fault('unhealthy-1.1.0');
    await release(id);
    const stopped = await promotionResult(id, '1.1.0');
    expect(stopped.outcome, stopped.reason).toBe('stopped');
    expect(stopped.reason).toMatch(/^rolled-back in production/);
    expect(stopped.reached).toEqual(['staging']);
    expect(await repo(id).production.servingVersion()).toBe('1.0.0');
    const pinned = await environmentState(worker.client, id, 'production');
    expect(pinned.pinned, JSON.stringify(pinned)).toMatchObject({ automatic: true });

    await repo(id).production.clearFault('unhealthy-1.1.0');
    await feature(id, 'fixed');
    await release(id);
    const held = await promotionUntil(
      worker.client,
      `promotion:${id}:1.2.0`,
      (s) => s.steps.find((step) => step.environment === 'production')?.status === 'held',
    );
    expect(held.reached).toEqual(['staging']);
    expect(await repo(id).staging.servingVersion()).toBe('1.2.0');
    expect(await repo(id).production.servingVersion()).toBe('1.0.0');

    await unpinEnvironment({ client: worker.client, taskQueue: worker.taskQueue }, id, 'production', {
      by: 'the tests',
      reason: '1.1.0 is fixed in 1.2.0',
    });
    const promoted = await promotionResult(id, '1.2.0');
    expect(promoted, promoted.reason).toMatchObject({ outcome: 'promoted', reached: ['staging', 'production'] });
    expect(await repo(id).production.servingVersion()).toBe('1.2.0');
  });

  it('supersedes the older of two quick releases in staging, and never deploys it over the newer', async () => {
    const id = IDS.superseded;
    await release(id);
    await feature(id, 'newer');
    await release(id);
    const [older, newer] = await Promise.all([promotionResult(id, '1.0.0'), promotionResult(id, '1.1.0')]);
    expect(older.outcome, older.reason).toBe('superseded');
    // 1.0.0 was live in staging when 1.1.0 arrived (its soak is 20 s, a release takes a few): replaced there.
    expect(older.reason).toBe('1.1.0 replaced it in staging during the soak');
    expect(older.reached).not.toContain('production');
    expect(newer, newer.reason).toMatchObject({ outcome: 'promoted', reached: ['staging', 'production'] });
    const deployed = repo(id)
      .production.deploys()
      .map((d) => d.version);
    expect(deployed.at(-1)).toBe('1.1.0');
    expect(deployed.slice(deployed.indexOf('1.1.0'))).not.toContain('1.0.0');
    expect(await repo(id).production.servingVersion()).toBe('1.1.0');
  });

  it('waits, awaiting promotion, when production does not promote by itself; the promote update goes on', async () => {
    const id = IDS.manual;
    await release(id);
    const workflowId = `promotion:${id}:1.0.0`;
    const awaiting = await promotionUntil(
      worker.client,
      workflowId,
      (s) => s.steps.find((step) => step.environment === 'production')?.status === 'awaiting promotion',
    );
    expect(awaiting.stage).toBe('awaiting promotion production');
    const handle = worker.client.workflow.getHandle(workflowId);
    const unknown = await handle
      .executeUpdate(promoteUpdate, { args: [{ environment: 'qa', by: 'the tests' }] })
      .catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((unknown as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'SHIPGATE_UNKNOWN_ENVIRONMENT' });

    const accepted = await handle.executeUpdate(promoteUpdate, { args: [{ environment: 'production', by: 'ana' }] });
    expect(accepted.steps.find((s) => s.environment === 'production')?.status).not.toBe('awaiting promotion');
    const again = await handle
      .executeUpdate(promoteUpdate, { args: [{ environment: 'production', by: 'ana' }] })
      .catch((e: unknown) => e);
    expect((again as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'SHIPGATE_NOT_PROMOTABLE' });

    const promoted = await promotionResult(id, '1.0.0');
    expect(promoted, promoted.reason).toMatchObject({ outcome: 'promoted', reached: ['staging', 'production'] });
    const production = await environmentState(worker.client, id, 'production');
    expect(production.ledger.at(-1)).toMatchObject({ version: '1.0.0', requestedBy: 'ana', outcome: 'deployed' });
  });

  it('stops when staging turns unhealthy during the soak, and never asks production', async () => {
    const id = IDS.unhealthy;
    await release(id);
    const workflowId = `promotion:${id}:1.0.0`;
    await promotionUntil(
      worker.client,
      workflowId,
      (s) => s.steps.find((step) => step.environment === 'production')?.status === 'soaking',
    );
    // Staging's service goes down in the middle of the soak: every sample after that fails.
    process.kill(Number(readFileSync(path.join(repo(id).staging.stateDir, 'service.pid'), 'utf8')), 'SIGKILL');
    const stopped = await promotionResult(id, '1.0.0');
    expect(stopped.outcome, stopped.reason).toBe('stopped');
    expect(stopped.reason).toMatch(/^unhealthy in staging during the soak: 3 of \d+ samples failed/);
    expect(stopped.reached).toEqual(['staging']);
    expect(repo(id).production.deploys()).toEqual([]);
    const samples = ((await worker.client.workflow.getHandle(workflowId).fetchHistory()).events ?? []).filter(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'probeEnvironment',
    );
    expect(samples.length).toBeLessThanOrEqual(10);
  });

  it('records its cancellation as its outcome', async () => {
    const id = IDS.cancelled;
    await release(id);
    const workflowId = `promotion:${id}:1.0.0`;
    await promotionUntil(
      worker.client,
      workflowId,
      (s) => s.steps.find((step) => step.environment === 'production')?.status === 'awaiting promotion',
    );
    const handle = worker.client.workflow.getHandle(workflowId);
    await handle.cancel();
    expect(await handle.result().catch((e: unknown) => e)).toBeInstanceOf(WorkflowFailedError);
    const described = await handle.describe();
    expect(described.status.name).toBe('CANCELLED');
    expect(described.memo?.[ViewMemoKey]).toMatchObject({
      outcome: 'cancelled',
      reached: ['staging'],
      steps: [{ status: 'deployed' }, { status: 'not reached' }],
    });
    expect(described.typedSearchAttributes.get(OutcomeKey)).toBe('cancelled');
  });
});
