import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH, buildTestApp, pollUntil, type TestApp } from '../../helpers/api.js';
import { createTestRepo, type TestRepo } from '../../helpers/git-repo.js';
import { SAMPLE_FILES, sampleRepoSettings } from '../../helpers/sample-project.js';
import { startTestWorker, testConfig, type TestWorker } from '../../helpers/temporal.js';

// The dev server outlives this file, so repository IDs are unique to keep its runs apart.
const id = `api-${randomBytes(4).toString('hex')}`;
const remoteId = `${id}-remote`;

describe('QA over HTTP', () => {
  let worker: TestWorker;
  let app: TestApp;
  let repo: TestRepo;
  let started: { workflowId: string; runId: string; sha: string };

  const get = (url: string) => app.inject({ method: 'GET', url, headers: AUTH });
  const postQa = (repoId: string) => app.inject({ method: 'POST', url: `/repos/${repoId}/qa`, headers: AUTH });
  const runOf = (workflowId: string) => get(`/qa/${encodeURIComponent(workflowId)}`);

  beforeAll(async () => {
    repo = await createTestRepo(SAMPLE_FILES);
    worker = await startTestWorker(
      await testConfig([
        sampleRepoSettings(id, repo.dir),
        { ...sampleRepoSettings(remoteId, repo.dir), path: undefined, url: repo.remote },
      ]),
    );
    app = await buildTestApp(worker.config, worker.client);
  });

  afterAll(async () => {
    await app?.close();
    await worker?.stop();
    await repo?.cleanup();
  });

  it('starts QA of HEAD with 202, and a second request joins the same run', async () => {
    const first = await postQa(id);
    expect(first.statusCode).toBe(202);
    started = first.json();
    const sha = await repo.head();
    expect(started).toEqual({ workflowId: `qa:${id}:${sha}`, runId: expect.any(String), sha });

    const second = await postQa(id);
    expect(second.statusCode).toBe(202);
    expect(second.json()).toEqual(started);
  });

  it('shows the run until it completes with outcome test-pass', async () => {
    const done = await pollUntil(
      async () => (await runOf(started.workflowId)).json(),
      (run) => run.status !== 'RUNNING',
    );
    expect(done).toMatchObject({
      workflowId: started.workflowId,
      runId: started.runId,
      status: 'COMPLETED',
      state: { kind: 'qa', repoId: id, sha: started.sha, trigger: 'manual', stage: 'done', outcome: 'test-pass' },
      result: { repoId: id, sha: started.sha, outcome: 'test-pass', reused: false },
    });
    expect(done.state.steps.map((s: { name: string }) => s.name)).toEqual([
      'pin',
      'inspect',
      'analyse',
      'test',
      'coverage',
      'report',
    ]);
    expect(done.result.report).toMatch(/^test-pass-\d{8}-\d{6}\.md$/);
    expect(done).not.toHaveProperty('failure');
  });

  it("lists the report the run wrote in the repository's context/", async () => {
    const run = (await runOf(started.workflowId)).json();
    const response = await get(`/repos/${id}/reports`);
    expect(response.statusCode).toBe(200);
    const { reports, warnings } = response.json();
    expect(warnings).toEqual([]);
    expect(reports[0]).toMatchObject({
      name: run.result.report,
      outcome: 'test-pass',
      commit: started.sha,
      tests: { failed: 0 },
    });
    expect(reports[0].coverage.gate).toBe('passed');
  });

  it('lists the run among the recent QA runs of the repository', async () => {
    const { runs } = await pollUntil(
      async () => (await get(`/qa?repo=${id}`)).json(),
      (body) =>
        body.runs.some(
          (r: { workflowId: string; outcome: string | null }) =>
            r.workflowId === started.workflowId && r.outcome !== null,
        ),
      30_000,
    );
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      runId: started.runId,
      status: 'COMPLETED',
      sha: started.sha,
      trigger: 'manual',
      stage: 'done',
      outcome: 'test-pass',
    });
    expect(runs[0].closeTime).toEqual(expect.any(String));
  });

  it('tests the tip of the branch at the URL, not the local HEAD, for a URL repository', async () => {
    const pushed = await repo.head();
    const local = await repo.commit('chore: not pushed yet');
    const response = await postQa(remoteId);
    expect(response.statusCode).toBe(202);
    const run = response.json();
    expect(run.sha).toBe(pushed);
    expect(run.sha).not.toBe(local);

    await worker.client.workflow.getHandle(run.workflowId).terminate('stopped by the test');
    const closed = (await runOf(run.workflowId)).json();
    expect(closed).toMatchObject({ workflowId: run.workflowId, status: 'TERMINATED', failure: 'stopped by the test' });
    expect(closed).not.toHaveProperty('result');
  });

  it('answers 404 SHIPGATE_RUN_NOT_FOUND for an unknown workflow ID', async () => {
    const response = await runOf(`qa:${id}:${'0'.repeat(40)}`);
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      statusCode: 404,
      error: 'Not Found',
      code: 'SHIPGATE_RUN_NOT_FOUND',
      message: `no QA run with ID "qa:${id}:${'0'.repeat(40)}"`,
    });
  });

  it('answers 404 for a workflow that is not a QA run', async () => {
    const workflowId = `release:${id}`;
    const handle = await worker.client.workflow.start('releaseWorkflow', {
      workflowId,
      taskQueue: `${worker.taskQueue}-idle`,
      args: [],
    });
    try {
      expect((await runOf(workflowId)).json()).toMatchObject({ statusCode: 404, code: 'SHIPGATE_RUN_NOT_FOUND' });
    } finally {
      await handle.terminate();
    }
  });
});
