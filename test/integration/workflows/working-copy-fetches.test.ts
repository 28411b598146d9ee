import { readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseWorkflow } from '../../../workflows/release.js';
import { createTestRepo, type TestRepo } from '../../helpers/git-repo.js';
import { SAMPLE_FILES, sampleRepoSettings } from '../../helpers/sample-project.js';
import { startTestWorker, testConfig, type TestWorker } from '../../helpers/temporal.js';

/**
 * How often one release of a cloned (`url`) repository fetches from its remote, counted from
 * git's own trace of every command the worker ran. Only the steps that must see the remote as it
 * is now fetch: pre-flight, QA's inspection, the push's lease check and the deploy's resolve.
 */
let repo: TestRepo;
let worker: TestWorker;
const trace = path.join(os.tmpdir(), `shipgate-git-trace-${process.pid}.log`);

async function release(): Promise<{ outcome: string; reason: string }> {
  return worker.client.workflow.execute(releaseWorkflow, {
    taskQueue: worker.taskQueue,
    workflowId: `release:wc-fetches:${Math.random().toString(36).slice(2)}`,
    args: [{ repoId: 'wc-fetches' }],
  });
}

describe('the working copy of a cloned repository', () => {
  beforeAll(async () => {
    repo = await createTestRepo(SAMPLE_FILES);
    const settings = {
      ...sampleRepoSettings('wc-fetches', repo.dir),
      path: undefined,
      url: repo.remote,
      deploy: { command: [process.execPath, '-e', '0'] },
    };
    worker = await startTestWorker(await testConfig([settings]));
  });

  afterAll(async () => {
    delete process.env.GIT_TRACE;
    await worker?.stop();
    await repo?.cleanup();
    await rm(trace, { force: true });
  });

  it('is fetched four times in a release with QA and a deployment, once per step that needs the remote', async () => {
    await repo.commit('feat: first');
    await repo.push();
    expect((await release()).outcome).toBe('deployed');
    // The release commit was pushed from the worker's clone; the next commit goes on top of it.
    await repo.git('pull', '-q', '--ff-only', 'origin', 'main');
    await repo.commit('fix: second', {
      'src/math.js': 'export function add(a, b) {\n  return Number(a) + Number(b);\n}\n',
    });
    await repo.push();

    await rm(trace, { force: true });
    process.env.GIT_TRACE = trace;
    const second = await release();
    delete process.env.GIT_TRACE;
    expect(second.outcome, second.reason).toBe('deployed');
    const commands = (await readFile(trace, 'utf8'))
      .split('\n')
      .filter((line) => / trace: (?:built-in|exec): git /.test(line));
    const fetches = commands.filter((line) => / git fetch /.test(line));
    console.log(`one release of a url repository: ${fetches.length} fetches, ${commands.length} git commands`);
    expect(fetches).toHaveLength(4);
  });
});
