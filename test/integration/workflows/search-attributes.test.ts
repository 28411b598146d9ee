import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decisionUpdate, deployStateQuery, workflowIdFor } from '../../../vocabulary/messages.js';
import { releaseWorkflow } from '../../../workflows/release.js';
import { pollUntil } from '../../helpers/api.js';
import { createSampleService, type SampleService } from '../../helpers/sample-service.js';
import { startTestWorker, testConfig, type TestWorker } from '../../helpers/temporal.js';

/**
 * Every workflow-list query the README shows, run as written (its example repository swapped
 * for a real one) against real runs, must find the run it promises.
 */

const suffix = randomBytes(4).toString('hex');
/** Its deploy fails and it waits for a decision for an hour. */
const WAITING = `vis-wait-${suffix}`;
/** Its deploy fails and nobody decides within 2 s. */
const FAILED = `vis-fail-${suffix}`;

/** The queries of the README's workflow-list block, and the runs each must find. */
const EXPECTED: Record<string, { repo: string; finds: string[] }> = {
  'ShipgateRepo = "webshop" AND WorkflowType = "deployWorkflow" AND ShipgateOutcome = "failed"': {
    repo: FAILED,
    finds: [workflowIdFor('deploy', FAILED, 'production')],
  },
  'ShipgateRepo = "webshop" AND ExecutionStatus = "Running"': {
    repo: WAITING,
    finds: [workflowIdFor('release', WAITING), workflowIdFor('deploy', WAITING, 'production')],
  },
  'WorkflowType = "releaseWorkflow" AND ShipgateStage = "awaiting decision"': {
    repo: WAITING,
    finds: [workflowIdFor('release', WAITING)],
  },
};

async function readmeQueries(): Promise<string[]> {
  const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8');
  const blocks = [...readme.matchAll(/```text\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  return blocks
    .flatMap((block) => block.split('\n'))
    .filter((line) => /\b(Shipgate[A-Z]\w*|WorkflowType|ExecutionStatus)\s*=/.test(line))
    .map((line) => line.trim());
}

describe('the visibility queries the README shows', () => {
  const services = new Map<string, SampleService>();
  let worker: TestWorker;

  const list = async (query: string): Promise<string[]> => {
    const ids: string[] = [];
    for await (const run of worker.client.workflow.list({ query })) ids.push(run.workflowId);
    return ids;
  };

  beforeAll(async () => {
    services.set(WAITING, await createSampleService(WAITING));
    services.set(
      FAILED,
      await createSampleService(FAILED, (s) => {
        s.deploy = { ...s.deploy!, decisionTimeout: '2s' };
      }),
    );
    for (const s of services.values()) await s.fault('fail-deploy');
    worker = await startTestWorker(await testConfig([...services.values()].map((s) => s.settings)));
  });

  afterAll(async () => {
    await worker?.client.workflow
      .getHandle(workflowIdFor('deploy', WAITING, 'production'))
      .executeUpdate(decisionUpdate, { args: ['abandon'] })
      .catch(() => undefined);
    await worker?.stop();
    await Promise.all([...services.values()].map((s) => s.stop()));
  });

  it('has an expectation for every query in the README', async () => {
    const queries = await readmeQueries();
    expect(queries.length).toBeGreaterThan(0);
    expect(queries.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it('finds the runs each README query promises, while a release waits for a decision and after a deployment failed', async () => {
    const start = (repoId: string) =>
      worker.client.workflow.start(releaseWorkflow, {
        taskQueue: worker.taskQueue,
        workflowId: workflowIdFor('release', repoId),
        args: [{ repoId }],
      });
    const failed = await start(FAILED);
    await start(WAITING);
    expect((await failed.result()).outcome).toBe('deploy-failed');
    await pollUntil(
      () =>
        worker.client.workflow
          .getHandle(workflowIdFor('deploy', WAITING, 'production'))
          .query(deployStateQuery)
          .catch(() => null),
      (state) => state?.awaitingDecision === true,
      120_000,
    );

    for (const query of await readmeQueries()) {
      const expected = EXPECTED[query]!;
      const asRun = query.replaceAll('"webshop"', `"${expected.repo}"`);
      // Visibility is eventually consistent: the runs appear within a bounded wait.
      const found = await pollUntil(
        () => list(asRun),
        (ids) => expected.finds.every((id) => ids.includes(id)),
        30_000,
      ).catch(async () => list(asRun));
      expect(found, asRun).toEqual(expect.arrayContaining(expected.finds));
    }
  });
});
