import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  scheduledStart,
  startDeliveryRun,
  startDeploymentRun,
  startQaRun,
  startReleaseRun,
  type Starter,
} from '../../../client/starts.js';
import { BranchKey, RepoKey, TriggerKey, VersionKey } from '../../../vocabulary/search-attributes.js';
import { connectTestClient } from '../../helpers/api.js';
import { testConfig } from '../../helpers/temporal.js';

// No worker polls this queue: the runs stay at their start, which is all these tests look at.
const suffix = randomBytes(4).toString('hex');
const repoId = `starts-${suffix}`;
const sha = 'a'.repeat(40);

describe('client/starts', () => {
  let client: Client;
  let close: () => Promise<void>;
  let starter: Starter;
  const started: string[] = [];

  beforeAll(async () => {
    const test = await connectTestClient(await testConfig([]));
    client = test.client;
    close = test.close;
    starter = { client, taskQueue: `starts-idle-${suffix}` };
  });

  afterAll(async () => {
    for (const workflowId of started)
      await client?.workflow
        .getHandle(workflowId)
        .terminate('test over')
        .catch(() => undefined);
    await close?.();
  });

  it('names a QA run by its commit and joins the run already testing it', async () => {
    const first = await startQaRun(starter, { repoId, sha, trigger: 'manual' });
    started.push(first.workflowId);
    expect(first).toEqual({ started: true, workflowId: `qa:${repoId}:${sha}`, runId: expect.any(String) });
    expect(await startQaRun(starter, { repoId, sha, trigger: 'webhook' })).toEqual(first);
    const description = await client.workflow.getHandle(first.workflowId).describe();
    expect(description.type).toBe('qaWorkflow');
    expect(description.typedSearchAttributes.get(RepoKey)).toBe(repoId);
    expect(description.typedSearchAttributes.get(TriggerKey)).toBe('manual');
  });

  it('refuses a second release of a repository while one runs, naming it', async () => {
    const first = await startReleaseRun(starter, { repoId, trigger: 'train' });
    started.push(first.workflowId);
    expect(first).toMatchObject({ started: true, workflowId: `release:${repoId}` });
    expect(await startReleaseRun(starter, { repoId, trigger: 'manual', bump: 'minor' })).toEqual({
      started: false,
      workflowId: `release:${repoId}`,
    });
    expect((await client.workflow.getHandle(first.workflowId).describe()).typedSearchAttributes.get(TriggerKey)).toBe(
      'train',
    );
  });

  it('names a deployment by its environment and records the version it deploys', async () => {
    const first = await startDeploymentRun(starter, {
      repoId,
      version: '1.2.3',
      environment: 'staging',
      trigger: 'manual',
      requestedBy: 'api',
    });
    started.push(first.workflowId);
    expect(first).toMatchObject({ started: true, workflowId: `deploy:${repoId}:staging` });
    expect((await client.workflow.getHandle(first.workflowId).describe()).typedSearchAttributes.get(VersionKey)).toBe(
      '1.2.3',
    );
    expect(
      await startDeploymentRun(starter, {
        repoId,
        version: '1.2.4',
        environment: 'staging',
        trigger: 'manual',
        requestedBy: 'api',
      }),
    ).toMatchObject({ started: false });
  });

  it('names the branch of a run in ShipgateBranch and its summary, with the channel of a branch that is not the release branch', async () => {
    const beta = { name: 'beta', kind: 'prerelease', channel: 'beta' };
    const qa = await startQaRun(starter, {
      repoId,
      sha: 'b'.repeat(40),
      trigger: 'webhook',
      branch: 'beta',
      line: beta,
    });
    started.push(qa.workflowId);
    const qaRun = await client.workflow.getHandle(qa.workflowId).describe();
    expect(qaRun.typedSearchAttributes.get(BranchKey)).toBe('beta');
    expect(await qaRun.staticSummary()).toBe(`QA of ${repoId} at bbbbbbb from beta (channel beta) (webhook)`);

    const delivery = await startDeliveryRun(starter, {
      repoId,
      sha: 'b'.repeat(40),
      deliveryId: `db-${suffix}`,
      branch: 'beta',
      line: beta,
    });
    started.push(delivery.workflowId);
    const deliveryRun = await client.workflow.getHandle(delivery.workflowId).describe();
    expect(deliveryRun.typedSearchAttributes.get(BranchKey)).toBe('beta');
    expect(await deliveryRun.staticSummary()).toBe(
      `Push of ${repoId} at bbbbbbb from beta (channel beta), delivery db-${suffix}`,
    );

    // A start that names no branch sets none: the release branch, as before channels.
    const plain = await startQaRun(starter, { repoId, sha: 'c'.repeat(40), trigger: 'manual' });
    started.push(plain.workflowId);
    const plainRun = await client.workflow.getHandle(plain.workflowId).describe();
    expect(plainRun.typedSearchAttributes.get(BranchKey)).toBeUndefined();
    expect(await plainRun.staticSummary()).toBe(`QA of ${repoId} at ccccccc`);
  });

  it('accepts a webhook delivery once, even after its run has ended', async () => {
    const first = await startDeliveryRun(starter, { repoId, sha, deliveryId: `d-${suffix}` });
    expect(first).toMatchObject({ started: true, workflowId: `delivery:${repoId}:d-${suffix}` });
    await client.workflow.getHandle(first.workflowId).terminate('ended before its replay');
    expect(await startDeliveryRun(starter, { repoId, sha, deliveryId: `d-${suffix}` })).toEqual({
      started: false,
      workflowId: first.workflowId,
    });
  });

  it('gives the schedules the workflow types and the business IDs of their runs', () => {
    expect(scheduledStart('watch', repoId, 'q')).toMatchObject({
      type: 'startWorkflow',
      workflowType: 'watchWorkflow',
      workflowId: `watch-tick:${repoId}`,
      taskQueue: 'q',
      args: [{ repoId }],
    });
    expect(scheduledStart('release-train', repoId, 'q')).toMatchObject({
      workflowType: 'releaseTrainWorkflow',
      workflowId: `release-train-run:${repoId}`,
    });
  });
});
