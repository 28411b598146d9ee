import { execa } from 'execa';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseWorkflow } from '../../../workflows/release.js';
import { createTestRepo, createTestRepoHandle, type TestRepo } from '../../helpers/git-repo.js';
import { SAMPLE_FILES, sampleRepoSettings } from '../../helpers/sample-project.js';
import { startTestWorker, testConfig, type TestWorker } from '../../helpers/temporal.js';

/**
 * A worker's clone of a `url` repository is a cache. A release that moved to another worker
 * after this one was lost leaves its local release commit, its tag and its files here; when this
 * worker releases the repository again, none of that may trip it.
 */
describe('a worker-local clone with what a moved release left behind', () => {
  const id = `stale-clone-${Math.random().toString(36).slice(2, 8)}`;
  let repo: TestRepo;
  let worker: TestWorker;

  beforeAll(async () => {
    repo = await createTestRepo(SAMPLE_FILES);
    await repo.commit('feat: a documented feature worth 1.0.0', { 'docs/feature.md': 'A feature.\n' });
    await repo.push();
    const config = await testConfig([{ ...sampleRepoSettings(id, repo.dir), path: undefined, url: repo.remote }]);
    worker = await startTestWorker(config);
    // The clone as the lost release left it: an unpushed release commit, its tag, an untracked release file.
    const cloneDir = path.join(config.dataDir, 'work', id);
    await execa('git', ['clone', '--quiet', '--origin', 'origin', '--branch', 'main', '--', repo.remote, cloneDir]);
    const clone = createTestRepoHandle(cloneDir, repo.remote, cloneDir);
    await clone.commit('chore(release): v1.0.0', { 'CHANGELOG.md': '# Changelog\n\n## 1.0.0 (stale)\n' });
    await clone.git('tag', '--annotate', '--message', 'stale', 'v1.0.0');
    await clone.write('config/version.yml', 'version: 1.0.0\n');
  });

  afterAll(async () => {
    await worker?.stop();
    await repo?.cleanup();
  });

  it('releases once from the remote branch, with its own release commit and tag', async () => {
    const source = (await repo.git('rev-parse', 'HEAD')).trim();
    const handle = await worker.client.workflow.start(releaseWorkflow, {
      taskQueue: worker.taskQueue,
      workflowId: `release:${id}`,
      args: [{ repoId: id, deploy: false }],
    });
    const result = await handle.result();
    expect(result, JSON.stringify(result)).toMatchObject({ outcome: 'released', version: '1.0.0', tag: 'v1.0.0' });
    const remote = await repo.git('ls-remote', 'origin');
    expect(remote).toContain(`${result.releaseCommit}\trefs/heads/main`);
    expect(remote).toContain(`${result.releaseCommit}\trefs/tags/v1.0.0^{}`);
    await repo.git('fetch', '--quiet', '--tags', 'origin');
    expect((await repo.git('rev-parse', `${result.releaseCommit}^`)).trim()).toBe(source);
    expect(await repo.git('show', 'origin/main:CHANGELOG.md')).not.toContain('(stale)');
  });
});
