import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decisionUpdate,
  deployStateQuery,
  publishDecisionUpdate,
  releaseStateQuery,
  type ReleaseState,
} from '../../../vocabulary/messages.js';
import type { notifierWorkflow } from '../../../workflows/notify.js';
import { releaseWorkflow } from '../../../workflows/release.js';
import { pollUntil } from '../../helpers/api.js';
import { createPublishTarget, type PublishTarget } from '../../helpers/publish-target.js';
import { saveHistory as save } from '../../helpers/temporal-cli.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../helpers/webhook-receiver.js';
import { createSampleService, type SampleService } from '../../helpers/sample-service.js';
import { startTestWorker, testConfig, type TestWorker } from '../../helpers/temporal.js';

/**
 * Records the histories the replay test replays. Run it on purpose, after a deliberate change to
 * workflow behaviour that needs new histories: SHIPGATE_RECORD_HISTORIES=1 npx vitest run
 * test/integration/replay/record-histories.test.ts
 */
const recording = process.env.SHIPGATE_RECORD_HISTORIES === '1';
let worker: TestWorker;
const services: SampleService[] = [];
let receiver: WebhookReceiver;
let target: PublishTarget;

async function awaitingDecision(deployId: string): Promise<void> {
  for (let i = 0; i < 300; i += 1) {
    const state = await worker.client.workflow
      .getHandle(deployId)
      .query(deployStateQuery)
      .catch(() => null);
    if (state?.awaitingDecision) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${deployId} never awaited a decision`);
}

describe.skipIf(!recording)('record workflow histories for replay', () => {
  beforeAll(async () => {
    for (const id of ['hist-release', 'hist-retry', 'hist-rollback', 'hist-ledger', 'hist-notify'])
      services.push(await createSampleService(id));
    receiver = await startWebhookReceiver();
    target = await createPublishTarget();
    // hist-notify publishes and notifies: a release that waits at its publish step, and its notifier.
    const settings = services.map((s) =>
      s.settings.id === 'hist-notify'
        ? {
            ...s.settings,
            publish: [{ name: 'pkg', command: target.command, check: target.check, retries: 0 }],
            notify: [{ name: 'team', url: receiver.url }],
          }
        : s.settings,
    );
    worker = await startTestWorker(await testConfig(settings));
  });

  afterAll(async () => {
    await worker?.stop();
    await Promise.all(services.map((s) => s.stop()));
    await receiver?.stop();
    await target?.cleanup();
  });

  it('records a release with its QA child and a healthy deployment', async () => {
    const result = await worker.client.workflow.execute(releaseWorkflow, {
      taskQueue: worker.taskQueue,
      workflowId: 'release:hist-release',
      args: [{ repoId: 'hist-release' }],
    });
    expect(result.outcome).toBe('deployed');
    const qaId = `qa:hist-release:${(await services[0]!.repo.git('rev-parse', 'HEAD^')).trim()}`;
    await save('release-with-qa-child', 'release:hist-release');
    await save('qa-pass', qaId);
    await save('deploy-healthy', 'deploy:hist-release:production');
  });

  it('records a failed deployment that is retried', async () => {
    const service = services[1]!;
    await service.fault('fail-deploy');
    const handle = await worker.client.workflow.start(releaseWorkflow, {
      taskQueue: worker.taskQueue,
      workflowId: 'release:hist-retry',
      args: [{ repoId: 'hist-retry' }],
    });
    await awaitingDecision('deploy:hist-retry:production');
    await service.clearFault('fail-deploy');
    await worker.client.workflow
      .getHandle('deploy:hist-retry:production')
      .executeUpdate(decisionUpdate, { args: ['retry'] });
    expect((await handle.result()).outcome).toBe('deployed');
    await save('deploy-failed-then-retried', 'deploy:hist-retry:production');
  });

  it('records a rollback after a failed health check', async () => {
    const service = services[2]!;
    expect(
      (
        await worker.client.workflow.execute(releaseWorkflow, {
          taskQueue: worker.taskQueue,
          workflowId: 'release:hist-rollback-1',
          args: [{ repoId: 'hist-rollback' }],
        })
      ).outcome,
    ).toBe('deployed');
    await service.repo.commit('feat: louder', {
      'src/greeting.js': 'export function greet(name) {\n  return `Hello, ${name}!`;\n}\n',
    });
    await service.fault('unhealthy-1.1.0');
    const handle = await worker.client.workflow.start(releaseWorkflow, {
      taskQueue: worker.taskQueue,
      workflowId: 'release:hist-rollback',
      args: [{ repoId: 'hist-rollback' }],
    });
    await awaitingDecision('deploy:hist-rollback:production');
    await worker.client.workflow
      .getHandle('deploy:hist-rollback:production')
      .executeUpdate(decisionUpdate, { args: ['rollback'] });
    expect((await handle.result()).outcome).toBe('rolled-back');
    await save('release-rolled-back', 'release:hist-rollback');
    await save('deploy-rolled-back', 'deploy:hist-rollback:production');
  });

  it('records a rollback to the version the deploy ledger names, past a release that was itself rolled back', async () => {
    const service = services[3]!;
    const release = (workflowId: string) =>
      worker.client.workflow.start(releaseWorkflow, {
        taskQueue: worker.taskQueue,
        workflowId,
        args: [{ repoId: 'hist-ledger' }],
      });
    const rollBack = async (handle: Awaited<ReturnType<typeof release>>) => {
      await awaitingDecision('deploy:hist-ledger:production');
      await worker.client.workflow
        .getHandle('deploy:hist-ledger:production')
        .executeUpdate(decisionUpdate, { args: ['rollback'] });
      expect((await handle.result()).outcome).toBe('rolled-back');
    };
    expect((await (await release('release:hist-ledger-1')).result()).outcome).toBe('deployed');
    await service.repo.commit('feat: louder', {
      'src/greeting.js': 'export function greet(name) {\n  return `Hello, ${name}!`;\n}\n',
    });
    await service.fault('unhealthy-1.1.0');
    await rollBack(await release('release:hist-ledger-2'));
    await service.repo.commit('feat: whisper', { 'src/whisper.js': 'export const whisper = true;\n' });
    await service.fault('unhealthy-1.2.0');
    await rollBack(await release('release:hist-ledger'));
    await save('deploy-rolled-back-to-last-good', 'deploy:hist-ledger:production');
  });

  it('records a release that publishes after a retry decision and notifies, its deployment and its notifier', async () => {
    await target.refuse();
    const handle = await worker.client.workflow.start(releaseWorkflow, {
      taskQueue: worker.taskQueue,
      workflowId: 'release:hist-notify',
      args: [{ repoId: 'hist-notify' }],
    });
    await pollUntil(
      () => handle.query(releaseStateQuery),
      (state: ReleaseState) => state.publish?.awaiting != null,
      180_000,
    );
    await target.recover();
    await handle.executeUpdate(publishDecisionUpdate, { args: [{ decision: 'retry', by: 'recorder' }] });
    expect((await handle.result()).outcome).toBe('deployed');
    const { runId } = await handle.describe();
    const notifier = worker.client.workflow.getHandle<typeof notifierWorkflow>(`notify:release:hist-notify:${runId}`);
    expect((await notifier.result()).targets[0]!.deliveries).toHaveLength(4);
    await save('release-published-and-notified', 'release:hist-notify');
    await save('deploy-notified', 'deploy:hist-notify:production');
    await save('notifier-delivered', `notify:release:hist-notify:${runId}`);
  });
});
