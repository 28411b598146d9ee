import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseWorkflow } from '../../../workflows/release.js';
import { createTestRepo, type TestRepo } from '../../helpers/git-repo.js';
import { SAMPLE_FILES, sampleRepoSettings } from '../../helpers/sample-project.js';
import { startTestWorker, testConfig, type TestWorker } from '../../helpers/temporal.js';

const suffix = randomBytes(3).toString('hex');
const SECRET = `s3cr3t-${randomBytes(12).toString('hex')}`;
const ids = Array.from({ length: 10 }, (_, i) => `many-${i}-${suffix}`);
const repos = new Map<string, TestRepo>();
let worker: TestWorker;

describe('ten repositories released at once', () => {
  beforeAll(async () => {
    for (const [i, id] of ids.entries()) {
      const repo = await createTestRepo(SAMPLE_FILES);
      await repo.commit(`feat: feature of repository ${i}`, { [`docs/only-${i}.txt`]: `${id}\n` });
      repos.set(id, repo);
    }
    const settings = ids.map((id) => {
      const s = sampleRepoSettings(id, repos.get(id)!.dir);
      s.test = { ...s.test, env: { SHIPGATE_TEST_SECRET: SECRET } };
      s.deploy = {
        command: ['node', '-e', 'process.exit(process.env.DEPLOY_TOKEN ? 0 : 1)'],
        env: { DEPLOY_TOKEN: SECRET },
        retries: 0,
      };
      return s;
    });
    worker = await startTestWorker(await testConfig(settings));
  });

  afterAll(async () => {
    await worker?.stop();
    await Promise.all([...repos.values()].map((r) => r.cleanup()));
  });

  it('releases all of them, each from its own work folder, with nothing crossing over', async () => {
    const results = await Promise.all(
      ids.map((id) =>
        worker.client.workflow.execute(releaseWorkflow, {
          taskQueue: worker.taskQueue,
          workflowId: `release:${id}`,
          args: [{ repoId: id }],
        }),
      ),
    );
    expect(results.map((r) => r.outcome)).toEqual(ids.map(() => 'deployed'));
    for (const [i, id] of ids.entries()) {
      const repo = repos.get(id)!;
      expect(await repo.git('tag', '--list')).toBe('v1.0.0');
      const changelog = await readFile(path.join(repo.dir, 'CHANGELOG.md'), 'utf8');
      expect(changelog).toContain(`feature of repository ${i}`);
      for (const other of ids.keys())
        if (other !== i) expect(changelog).not.toContain(`feature of repository ${other}\n`);
      const reports = (await readdir(path.join(repo.dir, 'context'))).filter((f) => f.startsWith('test-pass-'));
      const report = await readFile(path.join(repo.dir, 'context', reports[0]!), 'utf8');
      expect(report).toContain(`repository: ${id}`);
    }
    const logs = await readdir(path.join(worker.config.dataDir, 'logs'));
    expect(logs.sort()).toEqual([...ids].sort());
  });

  it('keeps secrets out of histories, search attributes, memos and reports', async () => {
    for (const id of ids.slice(0, 3)) {
      for (const workflowId of [`release:${id}`, `deploy:${id}:production`]) {
        const handle = worker.client.workflow.getHandle(workflowId);
        const history = JSON.stringify(await handle.fetchHistory());
        expect(history).not.toContain(SECRET);
        const description = await handle.describe();
        expect(JSON.stringify({ memo: description.memo, attributes: description.typedSearchAttributes })).not.toContain(
          SECRET,
        );
      }
      const context = path.join(repos.get(id)!.dir, 'context');
      for (const file of await readdir(context))
        expect(await readFile(path.join(context, file), 'utf8')).not.toContain(SECRET);
    }
  });
});
