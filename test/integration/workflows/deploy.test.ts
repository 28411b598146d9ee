import { randomBytes } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployWorkflow } from '../../../workflows/deploy.js';
import { workflowMetadataQuery } from '@temporalio/workflow';
import {
  decisionUpdate,
  deployStateQuery,
  releaseStateQuery,
  type DeployDecision,
  type DeployState,
} from '../../../vocabulary/messages.js';
import { pollUntil } from '../../helpers/api.js';
import { releaseWorkflow } from '../../../workflows/release.js';
import { AUTH, buildTestApp } from '../../helpers/api.js';
import { createSampleService, type SampleService } from '../../helpers/sample-service.js';
import { temporalWorkflowCommand } from '../../helpers/temporal-cli.js';
import { activityAttempts, startTestWorker, testConfig, type TestWorker } from '../../helpers/temporal.js';

const services = new Map<string, SampleService>();
// Fresh IDs per run: a deployment left awaiting a decision by an earlier, failed run would hold a fixed one.
const run = randomBytes(3).toString('hex');
const LEDGER = `dep-ledger-${run}`;
const LEDGER_ABANDON = `dep-ledger-abandon-${run}`;
const LEDGER_REDEPLOY = `dep-ledger-redeploy-${run}`;
const LEDGER_NEVER = `dep-ledger-never-${run}`;
const ROLLBACK_TWICE = `dep-rollback-twice-${run}`;
let worker: TestWorker;

function service(id: string): SampleService {
  return services.get(id)!;
}

function startRelease(repoId: string) {
  return worker.client.workflow.start(releaseWorkflow, {
    taskQueue: worker.taskQueue,
    workflowId: `release:${repoId}:${Math.random().toString(36).slice(2)}`,
    args: [{ repoId }],
  });
}

async function deployStateOf(repoId: string, environment = 'production'): Promise<DeployState> {
  return worker.client.workflow.getHandle(`deploy:${repoId}:${environment}`).query(deployStateQuery);
}

async function untilAwaitingDecision(
  repoId: string,
  also: (state: DeployState) => boolean = () => true,
): Promise<DeployState> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const state = await deployStateOf(repoId).catch(() => null);
    if (state?.awaitingDecision && also(state)) return state;
    if (Date.now() > deadline) throw new Error(`no decision awaited: ${JSON.stringify(state)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Releases 1.0.0 healthily, then commits a feature so that the next release is 1.1.0. */
async function releasedOnce(id: string): Promise<void> {
  const first = await (await startRelease(id)).result();
  expect(first.outcome, first.reason).toBe('deployed');
  await service(id).repo.commit('feat: shout', {
    'src/greeting.js': 'export function greet(name) {\n  return `Hello, ${name}!`;\n}\n',
  });
}

function decide(repoId: string, decision: DeployDecision) {
  return worker.client.workflow
    .getHandle(`deploy:${repoId}:production`)
    .executeUpdate(decisionUpdate, { args: [decision] });
}

/** Commits a feature and releases it while its health check fails; resolves once a decision is awaited. */
async function releaseUnhealthy(id: string, version: string, feature: string) {
  const s = service(id);
  await s.repo.commit(`feat: ${feature}`, { [`src/${feature}.js`]: `export const ${feature} = true;\n` });
  await s.fault(`unhealthy-${version}`);
  const handle = await startRelease(id);
  const waiting = await untilAwaitingDecision(id);
  expect(waiting.version).toBe(version);
  return { handle, waiting };
}

/** 1.2.0 proves unhealthy, the operator rolls back, and the last version verified healthy, 1.0.0, serves again. */
async function rollsUnhealthy120BackTo100(id: string) {
  const s = service(id);
  const { handle, waiting } = await releaseUnhealthy(id, '1.2.0', 'whisper');
  expect(waiting.previousVersion).toBe('1.0.0');
  await decide(id, 'rollback');
  expect((await handle.result()).reason).toMatch(/rolled back to 1\.0\.0/);
  expect(await s.servingVersion()).toBe('1.0.0');
  expect(s.deploys().find((d) => d.version === '1.2.0')?.previous).toBe('1.0.0');
}

/** A `decide` signal sent with the temporal CLI, its input JSON as a person types it. */
function signalDecide(workflowId: string, input: string) {
  return temporalWorkflowCommand(
    'signal',
    ...['--namespace', 'default', '--workflow-id', workflowId, '--name', 'decide', '--input', input],
  );
}

/** The deploy reports in the work tree that git does not track. */
async function untrackedDeployReports(id: string): Promise<string[]> {
  const status = await service(id).repo.git('status', '--porcelain', '--untracked-files=all');
  return status
    .split('\n')
    .filter((line) => /^\?\? context\/deploy-/.test(line))
    .map((line) => line.slice(3));
}

describe('deployment', () => {
  beforeAll(async () => {
    const tunes: Record<string, (s: NonNullable<SampleService['settings']>) => void> = {
      'dep-healthy': () => {},
      'dep-retry': () => {},
      'dep-rollback': () => {},
      [ROLLBACK_TWICE]: () => {},
      'dep-mismatch': () => {},
      'dep-deadline': (s) => {
        s.deploy = { ...s.deploy!, decisionTimeout: '2s' };
      },
      'dep-abandon': () => {},
      'dep-signal': () => {},
      'dep-spelling': () => {},
      'dep-auto': (s) => {
        s.deploy = { ...s.deploy!, autoRollback: true };
      },
      [LEDGER]: () => {},
      [LEDGER_ABANDON]: () => {},
      [LEDGER_REDEPLOY]: () => {},
      [LEDGER_NEVER]: () => {},
    };
    for (const [id, tune] of Object.entries(tunes)) services.set(id, await createSampleService(id, tune));
    worker = await startTestWorker(await testConfig([...services.values()].map((s) => s.settings)));
  });

  afterAll(async () => {
    await worker?.stop();
    await Promise.all([...services.values()].map((s) => s.stop()));
  });

  it('refuses a version that was never released, at the first attempt', async () => {
    const handle = await worker.client.workflow.start(deployWorkflow, {
      taskQueue: worker.taskQueue,
      workflowId: `deploy:dep-healthy:unreleased-${run}`,
      args: [{ repoId: 'dep-healthy', version: '9.9.9' }],
    });
    const error = await handle.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause?.cause as (Error & { type?: string }) | undefined;
    expect(cause?.type).toBe('SHIPGATE_TAG_NOT_FOUND');
    expect(cause?.message).toContain('has no release tag v9.9.9');
    // The ledger is read beside the release check (one workflow task for both); nothing is retried.
    const { deployLedger = 0, ...attempts } = await activityAttempts(handle);
    expect(attempts).toEqual({ pinRun: 1, resolveRelease: 1 });
    expect(deployLedger).toBeLessThanOrEqual(1);
  });

  it('deploys a release, verifies health and the version, and writes a deploy report', async () => {
    const handle = await startRelease('dep-healthy');
    const result = await handle.result();
    expect(result).toMatchObject({ outcome: 'deployed', version: '1.0.0' });
    expect(await service('dep-healthy').servingVersion()).toBe('1.0.0');
    const state = await deployStateOf('dep-healthy');
    expect(state.outcome).toBe('deployed');
    expect(state.samples.filter((s) => s.ok).length).toBeGreaterThanOrEqual(2);
    expect(state.samples.at(-1)).toMatchObject({ status: 200, version: '1.0.0', ok: true });
    expect(state.report).toMatch(/^deploy-\d{8}-\d{6}\.md$/);
    const release = await handle.query(releaseStateQuery);
    expect(release.steps.map((s) => s.name)).toEqual(['pin', 'preflight', 'qa', 'commit', 'push', 'deploy']);
  });

  it('retries a failed deploy command after it is fixed, without re-tagging or pushing again', async () => {
    const s = service('dep-retry');
    await s.fault('fail-deploy');
    const handle = await startRelease('dep-retry');
    const waiting = await untilAwaitingDecision('dep-retry');
    expect(waiting.lastError).toMatch(/the deploy command exited with 1/);
    expect(waiting.decisionsAllowed).toEqual(['retry', 'abandon']);
    const remoteBefore = await s.repo.git('ls-remote', 'origin');
    await s.clearFault('fail-deploy');
    const answer = await worker.client.workflow
      .getHandle('deploy:dep-retry:production')
      .executeUpdate(decisionUpdate, { args: ['retry'] });
    expect(answer.accepted).toBe('retry');
    const result = await handle.result();
    expect(result.outcome).toBe('deployed');
    expect(await s.servingVersion()).toBe('1.0.0');
    expect(await s.repo.git('ls-remote', 'origin')).toBe(remoteBefore);
    expect(await s.repo.git('tag', '--list')).toBe('v1.0.0');
    expect(s.deployCount()).toBe(2);
  });

  it('rolls back to the previous version when health fails, and verifies it', async () => {
    const s = service('dep-rollback');
    await releasedOnce('dep-rollback');
    await s.fault('unhealthy-1.1.0');
    const handle = await startRelease('dep-rollback');
    const waiting = await untilAwaitingDecision('dep-rollback');
    expect(waiting.lastError).toMatch(/health check failed/);
    expect(waiting.decisionsAllowed).toEqual(['retry', 'rollback', 'abandon']);
    await worker.client.workflow
      .getHandle('deploy:dep-rollback:production')
      .executeUpdate(decisionUpdate, { args: ['rollback'] });
    const result = await handle.result();
    expect(result.outcome).toBe('rolled-back');
    expect(result.reason).toMatch(/rolled back to 1\.0\.0/);
    expect(await s.servingVersion()).toBe('1.0.0');
    const committed = await s.repo.git('show', '--name-only', '--format=', 'v1.1.0');
    expect(committed, 'the release commit keeps the earlier deploy report').toMatch(
      /^context\/deploy-\d{8}-\d{6}\.md$/m,
    );
  });

  it('says what failed last and what each decision would do, and ends with the rollback that worked', async () => {
    const s = service(ROLLBACK_TWICE);
    await releasedOnce(ROLLBACK_TWICE);
    // The sample service reads its faults when the deploy command starts it: both versions start unhealthy.
    await s.fault('unhealthy-1.1.0');
    await s.fault('unhealthy-1.0.0');
    const handle = await startRelease(ROLLBACK_TWICE);
    const first = await untilAwaitingDecision(ROLLBACK_TWICE);
    expect(first.failedAttempt).toMatch(
      /^deploying 1\.1\.0 failed: health check failed 3 times \(budget 2\): HTTP 503/,
    );
    expect(first.decisionEffects).toEqual({
      retry: 'deploy 1.1.0 again',
      rollback: 'roll back to 1.0.0',
      abandon: 'leave 1.1.0 live, failing its health check',
    });
    await decide(ROLLBACK_TWICE, 'rollback');

    const second = await untilAwaitingDecision(ROLLBACK_TWICE, (state) => state.decisions.length === 1);
    expect(second.failedAttempt).toMatch(
      /^the rollback to 1\.0\.0 failed: health check failed 3 times \(budget 2\): HTTP 503/,
    );
    expect(second.decisionEffects).toEqual({
      retry: 'deploy 1.1.0 again',
      rollback: 'roll back to 1.0.0 again',
      abandon: 'leave 1.0.0 live, failing its health check',
    });
    await s.clearFault('unhealthy-1.0.0');
    await decide(ROLLBACK_TWICE, 'rollback');
    const result = await handle.result();
    expect(result.outcome).toBe('rolled-back');
    expect(result.reason).toMatch(
      /; rolled back to 1\.0\.0 \(healthy after 2 checks, at the 2nd rollback\) after deploying 1\.1\.0 failed: health check failed 3 times \(budget 2\): HTTP 503$/,
    );
    expect(await s.servingVersion()).toBe('1.0.0');
    const done = await deployStateOf(ROLLBACK_TWICE);
    expect(done.failedAttempt ?? null, 'nothing is failing once the rollback is healthy').toBeNull();
    expect(done.decisionEffects ?? null).toBeNull();
  });

  it('rolls back by itself when autoRollback is set', async () => {
    const s = service('dep-auto');
    await releasedOnce('dep-auto');
    await s.fault('unhealthy-1.1.0');
    const result = await (await startRelease('dep-auto')).result();
    expect(result.outcome).toBe('rolled-back');
    expect(await s.servingVersion()).toBe('1.0.0');
  });

  it('treats a service still reporting the old version as a failed deployment', async () => {
    const s = service('dep-mismatch');
    await releasedOnce('dep-mismatch');
    await s.fault('stuck');
    await startRelease('dep-mismatch');
    const waiting = await untilAwaitingDecision('dep-mismatch');
    expect(waiting.lastError).toMatch(/version mismatch: serving 1\.0\.0, expected 1\.1\.0/);
    expect(waiting.samples.at(-1)).toMatchObject({ status: 200, version: '1.0.0', ok: false });
    await worker.client.workflow
      .getHandle('deploy:dep-mismatch:production')
      .executeUpdate(decisionUpdate, { args: ['abandon'] });
  });

  it('ends failed when no decision comes before the deadline', async () => {
    await service('dep-deadline').fault('fail-deploy');
    const result = await (await startRelease('dep-deadline')).result();
    expect(result.outcome).toBe('deploy-failed');
    expect(result.reason).toMatch(/no decision within 2s/);
  });

  it('records an abandoned deployment and refuses decisions once none is awaited', async () => {
    await service('dep-abandon').fault('fail-deploy');
    const handle = await startRelease('dep-abandon');
    await untilAwaitingDecision('dep-abandon');
    const deploy = worker.client.workflow.getHandle('deploy:dep-abandon:production');
    expect((await deployStateOf('dep-abandon')).rollbackNote).toMatch(
      /no deployment to production verified healthy is on record/,
    );
    const refused = await deploy.executeUpdate(decisionUpdate, { args: ['rollback'] }).catch((e: Error) => e);
    expect((refused as Error & { cause?: Error }).cause?.message).toMatch(/no previous release to roll back to/);
    await deploy.executeUpdate(decisionUpdate, { args: ['abandon'] });
    expect((await handle.result()).outcome).toBe('abandoned');
    await expect(deploy.executeUpdate(decisionUpdate, { args: ['retry'] })).rejects.toThrow();
  });

  it('accepts the retry as a signal sent with the temporal CLI', async () => {
    const s = service('dep-signal');
    await s.fault('fail-deploy');
    const handle = await startRelease('dep-signal');
    await untilAwaitingDecision('dep-signal');
    await s.clearFault('fail-deploy');
    await signalDecide('deploy:dep-signal:production', '"retry"');
    expect((await handle.result()).outcome).toBe('deployed');
    expect(await s.servingVersion()).toBe('1.0.0');
  });

  it('reads a decide signal as a person types it, and keeps the ones it cannot take in the state and details', async () => {
    const s = service('dep-spelling');
    await s.fault('fail-deploy');
    const handle = await startRelease('dep-spelling');
    await untilAwaitingDecision('dep-spelling');
    const signal = signalDecide;
    const deployId = 'deploy:dep-spelling:production';
    await signal(deployId, '"Roll back"'); // a decision, but there is nothing to roll back to
    await signal(deployId, '"Ship it"');
    await signal(handle.workflowId, '{"decision":"retry"}'); // the release passes it on
    const state = await pollUntil(
      () => deployStateOf('dep-spelling'),
      (st) => (st.ignoredSignals?.length ?? 0) === 3,
    );
    expect(state.ignoredSignals!.map((i) => [i.value, i.expected])).toEqual([
      ['Roll back', ['retry', 'abandon']],
      ['Ship it', ['retry', 'abandon']],
      ['{"decision":"retry"}', ['retry', 'abandon']],
    ]);
    expect(state.ignoredSignals![0]!.reason).toMatch(
      /rollback is not possible here: .*no previous release to roll back to/,
    );
    expect(state.ignoredSignals![1]!.reason).toMatch(/unknown decision: use retry, rollback, abandon/);
    expect(state.awaitingDecision).toBe(true);
    const details =
      (await worker.client.workflow.getHandle(deployId).query(workflowMetadataQuery)).currentDetails ?? '';
    expect(details).toContain('Ignored signal decide "Ship it"');
    expect(details).toContain('(expected retry | abandon)');
    const release = await handle.query(releaseStateQuery);
    expect(release.ignoredSignals?.map((i) => i.value)).toEqual(['{"decision":"retry"}']);

    await s.clearFault('fail-deploy');
    await signal(handle.workflowId, '" Retry "');
    expect((await handle.result()).outcome).toBe('deployed');
  });

  it('rolls back to the last version verified healthy, not to the tag before, and the record survives a new worker', async () => {
    const s = service(LEDGER);
    await releasedOnce(LEDGER);
    await s.fault('unhealthy-1.1.0');
    const first = await startRelease(LEDGER);
    expect((await untilAwaitingDecision(LEDGER)).previousVersion).toBe('1.0.0');
    await decide(LEDGER, 'rollback');
    expect((await first.result()).outcome).toBe('rolled-back');
    expect(await s.servingVersion()).toBe('1.0.0');

    // A new worker on the same data folder knows nothing but what the repository records.
    const config = worker.config;
    await worker.stop();
    worker = await startTestWorker(config, { workerId: 'test-worker-2' });

    const { handle, waiting } = await releaseUnhealthy(LEDGER, '1.2.0', 'whisper');
    expect(waiting.previousVersion, '1.1.0 was itself rolled back').toBe('1.0.0');
    expect(waiting.decisionsAllowed).toContain('rollback');
    await decide(LEDGER, 'rollback');
    const result = await handle.result();
    expect(result.outcome).toBe('rolled-back');
    expect(result.reason).toMatch(/rolled back to 1\.0\.0/);
    expect(await s.servingVersion()).toBe('1.0.0');
    expect(s.deploys().filter((d) => d.version !== '1.0.0')).toEqual([
      { version: '1.1.0', previous: '1.0.0' },
      { version: '1.2.0', previous: '1.0.0' },
    ]);

    let reports: string[] = [];
    const app = await buildTestApp(worker.config, worker.client);
    try {
      const response = await app.inject({ method: 'GET', url: `/repos/${LEDGER}/deployments`, headers: AUTH });
      expect(response.statusCode).toBe(200);
      const [production, ...others] = response.json().environments;
      expect(others).toEqual([]);
      expect(production.environment).toBe('production');
      expect(production.live).toMatchObject({ version: '1.0.0' });
      expect(
        production.entries.map((e: { version: string; outcome: string; liveVersion: string | null }) => [
          e.version,
          e.outcome,
          e.liveVersion,
        ]),
      ).toEqual([
        ['1.2.0', 'rolled-back', '1.0.0'],
        ['1.1.0', 'rolled-back', '1.0.0'],
        ['1.0.0', 'deployed', '1.0.0'],
      ]);
      expect(production.entries[0]).toMatchObject({
        trigger: 'manual',
        requestedBy: expect.stringMatching(new RegExp(`^release:${LEDGER}`)),
      });
      expect(production.live.report).toBe(production.entries[0].report);
      reports = production.entries.map((e: { report: string }) => `context/${e.report}`);
      const limited = await app.inject({ method: 'GET', url: `/repos/${LEDGER}/deployments?limit=1`, headers: AUTH });
      expect(limited.json().environments[0].entries).toHaveLength(1);
      const refused = await app.inject({ method: 'GET', url: `/repos/${LEDGER}/deployments` });
      expect(refused.statusCode).toBe(401);
    } finally {
      await app.close();
    }

    const [of120, of110, of100] = reports;
    const committedWith = async (tag: string) =>
      (await s.repo.git('show', '--name-only', '--format=', tag))
        .split('\n')
        .filter((f) => f.startsWith('context/deploy-'));
    expect(await committedWith('v1.1.0')).toEqual([of100]);
    expect(await committedWith('v1.2.0')).toEqual([of110]);
    expect(await untrackedDeployReports(LEDGER), 'only the report of the last run waits for the next release').toEqual([
      of120,
    ]);
  });

  it('rolls back past an abandoned release to the last version verified healthy', async () => {
    const s = service(LEDGER_ABANDON);
    await releasedOnce(LEDGER_ABANDON);
    await s.fault('unhealthy-1.1.0');
    const abandoned = await startRelease(LEDGER_ABANDON);
    await untilAwaitingDecision(LEDGER_ABANDON);
    await decide(LEDGER_ABANDON, 'abandon');
    expect((await abandoned.result()).outcome).toBe('abandoned');

    await rollsUnhealthy120BackTo100(LEDGER_ABANDON);
  });

  it('rolls back to an old version deployed again, not to the release before in history', async () => {
    const s = service(LEDGER_REDEPLOY);
    await releasedOnce(LEDGER_REDEPLOY);
    expect((await (await startRelease(LEDGER_REDEPLOY)).result()).outcome).toBe('deployed');
    expect(await s.servingVersion()).toBe('1.1.0');
    const again = await worker.client.workflow.start(deployWorkflow, {
      taskQueue: worker.taskQueue,
      workflowId: `deploy:${LEDGER_REDEPLOY}:production`,
      args: [{ repoId: LEDGER_REDEPLOY, version: '1.0.0', trigger: 'manual' }],
    });
    const redeployed = await again.result();
    expect(redeployed.outcome).toBe('deployed');
    expect(await s.servingVersion()).toBe('1.0.0');

    await rollsUnhealthy120BackTo100(LEDGER_REDEPLOY);
  });

  it('offers no rollback to a release that was tagged but never verified healthy', async () => {
    const s = service(LEDGER_NEVER);
    const tagged = await (
      await worker.client.workflow.start(releaseWorkflow, {
        taskQueue: worker.taskQueue,
        workflowId: `release:${LEDGER_NEVER}:${run}`,
        args: [{ repoId: LEDGER_NEVER, deploy: false }],
      })
    ).result();
    expect(tagged.outcome).toBe('released');
    const { handle, waiting } = await releaseUnhealthy(LEDGER_NEVER, '1.1.0', 'whisper');
    expect(waiting.previousVersion).toBeNull();
    expect(waiting.rollbackTarget).toBeNull();
    expect(waiting.decisionsAllowed).toEqual(['retry', 'abandon']);
    expect(waiting.rollbackNote).toMatch(/no deployment to production verified healthy is on record/);
    expect(s.deploys()).toEqual([{ version: '1.1.0', previous: '' }]);
    await decide(LEDGER_NEVER, 'abandon');
    expect((await handle.result()).outcome).toBe('abandoned');
  });
});
