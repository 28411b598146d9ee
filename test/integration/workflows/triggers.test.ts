import { WorkflowNotFoundError } from '@temporalio/client';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WatchTickResult } from '../../../workflows/triggers.js';
import { qaStateQuery } from '../../../vocabulary/messages.js';
import { BranchKey } from '../../../vocabulary/search-attributes.js';
import { reconcileSchedules } from '../../../worker/schedules.js';
import { createTestRepo, type TestRepo } from '../../helpers/git-repo.js';
import { SAMPLE_FILES, sampleRepoSettings } from '../../helpers/sample-project.js';
import { startTestWorker, testConfig, type TestWorker } from '../../helpers/temporal.js';

const logger = pino({ level: 'silent' });
const repos = new Map<string, TestRepo>();
let worker: TestWorker;
const suffix = Math.random().toString(36).slice(2, 8);
const id = (name: string) => `trg-${name}-${suffix}`;

async function tick(scheduleId: string): Promise<WatchTickResult> {
  const handle = worker.client.schedule.getHandle(scheduleId);
  const before = (await handle.describe()).info.recentActions.length;
  await handle.trigger();
  for (let i = 0; i < 200; i += 1) {
    const actions = (await handle.describe()).info.recentActions;
    if (actions.length > before) {
      const last = actions[actions.length - 1]!.action;
      return worker.client.workflow
        .getHandle(last.workflow.workflowId, last.workflow.firstExecutionRunId)
        .result() as Promise<WatchTickResult>;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`schedule ${scheduleId} did not run`);
}

describe('triggers', () => {
  beforeAll(async () => {
    for (const name of ['watch', 'auto', 'autofail', 'train', 'pause'])
      repos.set(id(name), await createTestRepo(SAMPLE_FILES));
    const settings = [...repos.entries()].map(([repoId, r]) =>
      sampleRepoSettings(repoId, r.dir, { watch: { interval: '1h' } }),
    );
    settings.find((s) => s.id === id('auto'))!.release = { auto: 'on-qa-pass' };
    settings.find((s) => s.id === id('autofail'))!.release = { auto: 'on-qa-pass' };
    const train = settings.find((s) => s.id === id('train'))!;
    delete (train as { watch?: unknown }).watch;
    train.release = { schedule: '0 10 * * TUE', timezone: 'Europe/Berlin' };
    settings.find((s) => s.id === id('pause'))!.watch = { interval: '2s' };
    worker = await startTestWorker(await testConfig(settings));
    await reconcileSchedules(worker.client, worker.config, worker.taskQueue, logger);
  });

  afterAll(async () => {
    await reconcileSchedules(worker.client, { ...worker.config, repositories: [] }, worker.taskQueue, logger);
    await worker?.stop();
    await Promise.all([...repos.values()].map((r) => r.cleanup()));
  });

  it('creates the schedules the configuration asks for', async () => {
    const watch = await worker.client.schedule.getHandle(`watch:${id('watch')}`).describe();
    expect(watch.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: 'watchWorkflow',
      taskQueue: worker.taskQueue,
    });
    expect(watch.policies.overlap).toBe('SKIP');
    const train = await worker.client.schedule.getHandle(`release-train:${id('train')}`).describe();
    expect(train.spec.timezone).toBe('Europe/Berlin');
  });

  it('runs QA once for a new commit however many ticks pass', async () => {
    const r = repos.get(id('watch'))!;
    const sha = await r.commit('fix: small fix');
    const first = await tick(`watch:${id('watch')}`);
    expect(first).toEqual({ sha, qaWorkflowId: `qa:${id('watch')}:${sha}`, started: true });
    const qa = worker.client.workflow.getHandle(first.qaWorkflowId);
    expect((await qa.result()).outcome).toBe('test-pass');
    expect((await qa.query(qaStateQuery)).trigger).toBe('watch');
    for (let i = 0; i < 3; i += 1) expect((await tick(`watch:${id('watch')}`)).started).toBe(false);
    const runs = worker.client.workflow.list({ query: `WorkflowId = '${first.qaWorkflowId}'` });
    let count = 0;
    for await (const _ of runs) count += 1;
    expect(count).toBe(1);
  });

  it('releases after a watch-started pass when release.auto is on-qa-pass', async () => {
    const r = repos.get(id('auto'))!;
    await r.commit('feat: something to release');
    const started = await tick(`watch:${id('auto')}`);
    const qa = worker.client.workflow.getHandle(started.qaWorkflowId);
    expect((await qa.result()).outcome).toBe('test-pass');
    expect((await qa.query(qaStateQuery)).autoRelease).toMatchObject({
      started: true,
      workflowId: `release:${id('auto')}`,
    });
    const handle = worker.client.workflow.getHandle(`release:${id('auto')}`);
    // A watch stays on the release branch, and its release is listed by it.
    expect((await handle.describe()).typedSearchAttributes.get(BranchKey)).toBe('main');
    const release = await handle.result();
    expect(release).toMatchObject({ outcome: 'released', version: '1.0.0' });
  });

  it('does not release after a failing QA run', async () => {
    const r = repos.get(id('autofail'))!;
    await r.commit('feat: broken', { 'src/math.js': 'export function add(a, b) {\n  return a - b;\n}\n' });
    const started = await tick(`watch:${id('autofail')}`);
    expect((await worker.client.workflow.getHandle(started.qaWorkflowId).result()).outcome).toBe('test-failures');
    await expect(worker.client.workflow.getHandle(`release:${id('autofail')}`).describe()).rejects.toBeInstanceOf(
      WorkflowNotFoundError,
    );
  });

  it('lets a release train with nothing releasable write nothing', async () => {
    const r = repos.get(id('train'))!;
    await r.commit('docs: only words');
    const head = await r.head();
    const result = (await tick(`release-train:${id('train')}`)) as unknown as {
      releasable: boolean;
      started: boolean;
      reason: string;
    };
    expect(result).toMatchObject({ releasable: false, started: false });
    expect(result.reason).toMatch(/nothing to release/);
    expect(await r.head()).toBe(head);
    expect(await r.git('status', '--porcelain')).toBe('');
    expect(await r.git('tag', '--list')).toBe('');
  });

  it('starts no QA while the watch is paused', async () => {
    const r = repos.get(id('pause'))!;
    const handle = worker.client.schedule.getHandle(`watch:${id('pause')}`);
    await handle.pause('frozen for the demo');
    expect((await handle.describe()).state).toMatchObject({ paused: true, note: 'frozen for the demo' });
    // A pause stops new ticks, not one already running: it may still read the head, so the commit waits for it.
    for (let i = 0; i < 300 && (await handle.describe()).info.runningActions.length > 0; i += 1)
      await new Promise((resolve) => setTimeout(resolve, 100));
    const sha = await r.commit('fix: while paused');
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    await expect(worker.client.workflow.getHandle(`qa:${id('pause')}:${sha}`).describe()).rejects.toBeInstanceOf(
      WorkflowNotFoundError,
    );
    await handle.unpause('thawed');
  });

  it('deletes the schedules of repositories that left the configuration', async () => {
    const remaining = worker.config.repositories.filter((repo) => repo.id !== id('train'));
    const { deleted } = await reconcileSchedules(
      worker.client,
      { ...worker.config, repositories: remaining },
      worker.taskQueue,
      logger,
    );
    expect(deleted).toContain(`release-train:${id('train')}`);
  });
});
