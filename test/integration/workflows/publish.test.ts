import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RepositoryInput } from '../../../config/schema.js';
import { releaseWorkflow } from '../../../workflows/release.js';
import {
  publishDecisionUpdate,
  releaseStateQuery,
  type PublishDecisionInput,
  type ReleaseResult,
  type ReleaseState,
} from '../../../vocabulary/messages.js';
import { pollUntil } from '../../helpers/api.js';
import { createTestRepo, type TestRepo } from '../../helpers/git-repo.js';
import { countRemotePushes, createPublishTarget, type PublishTarget } from '../../helpers/publish-target.js';
import { SAMPLE_FILES, sampleRepoSettings } from '../../helpers/sample-project.js';
import { startTestWorker, testConfig, type TestWorker } from '../../helpers/temporal.js';

const IDS = ['pub-retry', 'pub-skip', 'pub-abandon', 'pub-already'] as const;
type Id = (typeof IDS)[number];

const repos = new Map<Id, TestRepo>();
const targets = new Map<Id, PublishTarget>();
const pushes = new Map<Id, (ref: string) => Promise<number>>();
let worker: TestWorker;

function settings(id: Id): RepositoryInput {
  const target = targets.get(id)!;
  const step = { name: 'pkg', command: target.command, check: target.check, artifact: `${id}@\${SHIPGATE_VERSION}` };
  const extra: Partial<RepositoryInput> = {
    'pub-retry': { publish: [{ ...step, retries: 1 }] },
    'pub-skip': {
      publish: [
        { ...step, retries: 0 },
        // A second step, to show the release goes on after a skip: it only writes a line.
        { name: 'docs', command: [process.execPath, '-e', 'console.log("docs for " + process.env.SHIPGATE_TAG)'] },
      ],
    },
    'pub-abandon': {
      publish: [{ ...step, retries: 0 }],
      deploy: { command: [process.execPath, '-e', 'process.exit(0)'] },
    },
    'pub-already': { publish: [step] },
  }[id];
  return sampleRepoSettings(id, repos.get(id)!.dir, extra);
}

async function startRelease(id: Id) {
  const handle = await worker.client.workflow.start(releaseWorkflow, {
    taskQueue: worker.taskQueue,
    workflowId: `release:${id}:${Math.random().toString(36).slice(2)}`,
    args: [{ repoId: id }],
  });
  return handle;
}

type Handle = Awaited<ReturnType<typeof startRelease>>;

const awaitingDecision = (handle: Handle) =>
  pollUntil(
    () => handle.query(releaseStateQuery),
    (s: ReleaseState) => s.publish?.awaiting != null,
    180_000,
  );

describe('publish steps of a release', () => {
  beforeAll(async () => {
    for (const id of IDS) {
      const repo = await createTestRepo(SAMPLE_FILES);
      repos.set(id, repo);
      targets.set(id, await createPublishTarget());
      pushes.set(id, await countRemotePushes(repo.remote));
      await repo.commit('feat: subtract numbers', {
        'src/math.js': 'export function add(a, b) {\n  return a + b;\n}\n\nexport const sub = (a, b) => a - b;\n',
        'test/sub.test.js':
          "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { sub } from '../src/math.js';\n\ntest('subtracts', () => assert.equal(sub(5, 3), 2));\n",
      });
    }
    worker = await startTestWorker(await testConfig(IDS.map(settings)));
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
    await Promise.all([...repos.values(), ...targets.values()].map((r) => r.cleanup()));
  });

  it('waits for a decision when a publish step fails after its retries, and a retry publishes it once without pushing again', async () => {
    const target = targets.get('pub-retry')!;
    await target.refuse();
    const handle = await startRelease('pub-retry');
    const waiting = await awaitingDecision(handle);
    expect(waiting.stage).toBe('awaiting decision');
    expect(waiting.publish!.awaiting).toMatchObject({ step: 'pkg', allowed: ['retry', 'skip', 'abandon'] });
    expect(waiting.publish!.awaiting!.error).toMatch(
      /publish step "pkg" \(pub-retry@1\.0\.0\): the command exited with 1/,
    );
    expect(waiting.publish!.awaiting!.tail.join('\n')).toContain('registry: 503 Service Unavailable');
    expect(waiting.publish!.steps[0]).toMatchObject({ status: 'failed', attempts: 2 });
    // The first attempt and its one retry, each refused.
    expect(await target.attempts()).toEqual(['1.0.0 refused', '1.0.0 refused']);
    const described = await handle.describe();
    expect(described.searchAttributes.ShipgateStage).toEqual(['awaiting decision']);

    // Refused before it enters history: another step, a skip without a reason.
    const refused = (input: PublishDecisionInput) =>
      handle.executeUpdate(publishDecisionUpdate, { args: [input] }).then(
        () => 'accepted',
        (error: Error) => (error.cause as Error | undefined)?.message ?? error.message,
      );
    expect(await refused({ decision: 'retry', step: 'docs' })).toMatch(/is "pkg", not "docs"/);
    expect(await refused({ decision: 'skip' })).toMatch(/needs a reason/);

    await target.recover();
    const answer = await handle.executeUpdate(publishDecisionUpdate, { args: [{ decision: 'retry', by: 'alice' }] });
    expect(answer).toEqual({ accepted: 'retry', step: 'pkg' });
    const result: ReleaseResult = await handle.result();
    expect(result).toMatchObject({
      outcome: 'released',
      version: '1.0.0',
      published: [{ name: 'pkg', artifact: 'pub-retry@1.0.0', status: 'published' }],
    });
    expect(await target.attempts()).toEqual(['1.0.0 refused', '1.0.0 refused', '1.0.0 published']);
    expect(await target.publishedTimes('1.0.0')).toBe(1);
    const state = await handle.query(releaseStateQuery);
    expect(state.publish!.steps[0]).toMatchObject({ status: 'published', attempts: 3 });
    expect(state.publish!.awaiting).toBeNull();
    // Nothing before the step ran again: one commit, one push of the tag.
    expect(state.steps.map((s) => s.name)).toEqual(['pin', 'preflight', 'qa', 'commit', 'push', 'publish:pkg']);
    expect(await pushes.get('pub-retry')!('refs/tags/v1.0.0')).toBe(1);
  }, 300_000);

  it('skips a failed step with a reason, records who and why, and goes on to the next step', async () => {
    const target = targets.get('pub-skip')!;
    await target.refuse();
    const handle = await startRelease('pub-skip');
    await awaitingDecision(handle);
    await handle.executeUpdate(publishDecisionUpdate, {
      args: [{ decision: 'skip', step: 'pkg', by: 'bob', reason: 'published by hand' }],
    });
    const result = await handle.result();
    expect(result.outcome).toBe('released');
    expect(result.published).toEqual([
      { name: 'pkg', artifact: 'pub-skip@1.0.0', status: 'skipped' },
      { name: 'docs', artifact: 'docs 1.0.0', status: 'published' },
    ]);
    const state = await handle.query(releaseStateQuery);
    expect(state.publish!.steps[0]).toMatchObject({ status: 'skipped', by: 'bob', reason: 'published by hand' });
    expect(state.steps.find((s) => s.name === 'publish:pkg')?.summary).toBe('skipped by bob: published by hand');
    expect(await target.publishedTimes('1.0.0')).toBe(0);
  }, 300_000);

  it('abandons the release at a failed step: no deployment, the tag stays pushed, who and why recorded', async () => {
    const target = targets.get('pub-abandon')!;
    await target.refuse();
    const handle = await startRelease('pub-abandon');
    await awaitingDecision(handle);
    // Through the Temporal UI's signal, as a person types it.
    await handle.signal('decide', 'Abandon');
    const result = await handle.result();
    expect(result.outcome).toBe('publish-abandoned');
    expect(result.reason).toMatch(/publish step pkg abandoned by signal .*v1\.0\.0 stays pushed, nothing was deployed/);
    expect(result.published).toEqual([{ name: 'pkg', artifact: 'pub-abandon@1.0.0', status: 'abandoned' }]);
    const state = await handle.query(releaseStateQuery);
    expect(state.deploy).toBeNull();
    expect(state.steps.map((s) => s.name)).not.toContain('deploy');
    expect(await pushes.get('pub-abandon')!('refs/tags/v1.0.0')).toBe(1);
    expect((await repos.get('pub-abandon')!.git('ls-remote', '--tags', 'origin')).includes('refs/tags/v1.0.0')).toBe(
      true,
    );
  }, 300_000);

  it('does not run the command when the check finds the version already published', async () => {
    const target = targets.get('pub-already')!;
    await target.seed('1.0.0');
    const handle = await startRelease('pub-already');
    const result = await handle.result();
    expect(result.published).toEqual([{ name: 'pkg', artifact: 'pub-already@1.0.0', status: 'already-published' }]);
    expect(await target.attempts()).toEqual([]);
    expect(await target.publishedTimes('1.0.0')).toBe(1);
  }, 300_000);
});
