import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportFileName } from '../../../context/names.js';
import { deployWorkflow } from '../../../workflows/deploy.js';
import { workflowIdFor } from '../../../vocabulary/messages.js';
import { authedRequests, buildTestApp, finished, pollUntil, type TestApp } from '../../helpers/api.js';
import { createSampleService, type SampleService } from '../../helpers/sample-service.js';
import { startTestWorker, testConfig, type TestWorker } from '../../helpers/temporal.js';

const suffix = randomBytes(4).toString('hex');
const FAILING = `gate-failing-${suffix}`;
const PASSING = `gate-passing-${suffix}`;
const SIDE = `gate-side-${suffix}`;

const BROKEN_GREETING = 'export function greet(name) {\n  return `Bye, ${name}.`;\n}\n';

describe('the gate cannot be walked around', () => {
  let worker: TestWorker;
  let app: TestApp;
  const services = new Map<string, SampleService>();
  const service = (id: string) => services.get(id)!;

  const { get, post } = authedRequests(() => app);

  async function releaseOverHttp(id: string): Promise<any> {
    const started = await post(`/repos/${id}/releases`);
    expect(started.statusCode).toBe(202);
    return pollUntil(
      async (): Promise<any> => (await get(`/releases/${encodeURIComponent(started.json().workflowId)}`)).json(),
      finished,
    );
  }

  async function remoteTags(s: SampleService): Promise<string[]> {
    return (await s.repo.git('ls-remote', '--tags', 'origin'))
      .split('\n')
      .filter((l) => l && !l.endsWith('^{}'))
      .map((l) => l.split('\t')[1]!);
  }

  /**
   * What a person with write access to the working copy can do: copy a report shipgate wrote
   * earlier to a new, newest name and point it at HEAD.
   */
  async function forgeApprovalOfHead(s: SampleService): Promise<string> {
    const committed = (await s.repo.git('ls-files', 'context/'))
      .split('\n')
      .find((f) => /\/test-pass-\d{8}-\d{6}\.md$/.test(f));
    expect(committed, 'a test-pass report from the first release').toBeDefined();
    const original = await readFile(path.join(s.repo.dir, committed!), 'utf8');
    const head = (await s.repo.git('rev-parse', 'HEAD')).trim();
    const tree = (await s.repo.git('rev-parse', 'HEAD^{tree}')).trim();
    const now = new Date(Date.now() + 2_000);
    const forged = original
      .replace(/^commit: .*$/m, `commit: ${head}`)
      .replace(/^tree: .*$/m, `tree: ${tree}`)
      .replace(/^created_at: .*$/m, `created_at: ${now.toISOString().replace(/\.\d{3}Z$/, 'Z')}`);
    expect(forged).not.toBe(original);
    const name = reportFileName('test-pass', now, []);
    await writeFile(path.join(s.repo.dir, 'context', name), forged);
    return name;
  }

  beforeAll(async () => {
    for (const id of [FAILING, PASSING, SIDE]) services.set(id, await createSampleService(id));
    worker = await startTestWorker(await testConfig([...services.values()].map((s) => s.settings)));
    app = await buildTestApp(worker.config, worker.client);
    // Each service starts with a real release 1.0.0, so a real signed report exists to copy from.
    for (const id of services.keys())
      expect((await releaseOverHttp(id)).result).toMatchObject({ outcome: 'deployed', version: '1.0.0' });
  });

  afterAll(async () => {
    await app?.close();
    await worker?.stop();
    await Promise.all([...services.values()].map((s) => s.stop()));
  });

  it('runs QA itself when a hand-written report claims HEAD passed, and the failing code is blocked', async () => {
    const s = service(FAILING);
    await s.repo.commit('fix: shorter greeting', { 'src/greeting.js': BROKEN_GREETING });
    const forged = await forgeApprovalOfHead(s);

    const run = await releaseOverHttp(FAILING);
    expect(run.result.outcome).toBe('blocked-by-qa');
    expect(run.state.qa).toMatchObject({ reused: false, outcome: 'test-failures' });
    const preflight = run.state.steps.find((step: { name: string }) => step.name === 'preflight');
    expect(preflight.summary).toContain(forged);
    expect(preflight.summary).toMatch(/foreign/);
    expect(preflight.summary).not.toMatch(/covers HEAD/);

    expect(await remoteTags(s)).toEqual(['refs/tags/v1.0.0']);
    expect(await s.repo.git('log', '-1', '--format=%s')).toBe('fix: shorter greeting');
    expect(await s.servingVersion()).toBe('1.0.0');

    const listed = (await get(`/repos/${FAILING}/reports`)).json();
    expect(listed.reports.find((r: { name: string }) => r.name === forged)).toMatchObject({ verified: false });
    expect(listed.reports.filter((r: { verified: boolean }) => r.verified).length).toBeGreaterThanOrEqual(2);
    expect(listed.warnings.join('\n')).toContain(forged);
  });

  it('never takes a hand-written report into the release commit', async () => {
    const s = service(PASSING);
    await s.repo.commit('fix: warmer greeting', {
      'src/greeting.js': 'export function greet(name) {\n  return `Hello, ${name}!`;\n}\n// warm\n',
    });
    const forged = await forgeApprovalOfHead(s);

    const run = await releaseOverHttp(PASSING);
    expect(run.result).toMatchObject({ outcome: 'deployed', version: '1.0.1' });
    expect(run.state.qa).toMatchObject({ reused: false, outcome: 'test-pass' });
    const committed = (await s.repo.git('show', '--name-only', '--format=', 'v1.0.1')).split('\n').filter(Boolean);
    expect(committed).toContain(`context/${run.state.qa.report}`);
    expect(committed).not.toContain(`context/${forged}`);
    expect((await s.repo.git('status', '--porcelain', '--', 'context/')).split('\n')).toContain(`?? context/${forged}`);
  });

  it('refuses to deploy a tag that shipgate did not release, over the API and in a deploy run started directly', async () => {
    const s = service(SIDE);
    await s.repo.git('checkout', '-q', '-b', 'side');
    await s.repo.commit('feat: untested shortcut', {
      'src/greeting.js': BROKEN_GREETING,
      'config/version.yml': 'version: 9.0.1\ntag: v9.0.1\n',
      'context/release-number': '9.0.1\n',
    });
    await s.repo.git('add', '--', 'context/release-number');
    await s.repo.git('commit', '-q', '--amend', '--no-edit');
    const sideSha = (await s.repo.git('rev-parse', 'HEAD')).trim();
    await s.repo.git('tag', '-a', 'v9.0.1', '-m', 'v9.0.1');
    await s.repo.git('push', '-q', 'origin', 'side', 'v9.0.1');
    await s.repo.git('checkout', '-q', 'main');
    const deploysBefore = s.deployCount();

    const answer = await post(`/repos/${SIDE}/deployments`, { version: '9.0.1' });
    expect(answer.statusCode).toBe(422);
    expect(answer.json()).toMatchObject({ code: 'SHIPGATE_NOT_RELEASED' });
    expect(answer.json().message).toMatch(/v9\.0\.1/);

    const direct = async (release?: { tag: string; sha: string; previous: null }) => {
      const handle = await worker.client.workflow.start(deployWorkflow, {
        taskQueue: worker.taskQueue,
        workflowId: `${workflowIdFor('deploy', SIDE, 'production')}:${Math.random().toString(36).slice(2)}`,
        args: [{ repoId: SIDE, version: '9.0.1', ...(release ? { release } : {}) }],
      });
      const error = await handle.result().then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(WorkflowFailedError);
      // An activity's failure arrives wrapped in an ActivityFailure; the workflow's own, directly.
      let cause: (Error & { type?: string }) | undefined = (error as WorkflowFailedError).cause;
      while (cause && cause.type === undefined && cause.cause instanceof Error) cause = cause.cause;
      return { type: cause?.type, message: cause?.message };
    };
    expect(await direct()).toMatchObject({
      type: 'SHIPGATE_NOT_RELEASED',
      message: expect.stringMatching(/not on a "chore\(release\): v9\.0\.1" commit/),
    });
    expect(await direct({ tag: 'v9.0.1', sha: sideSha, previous: null })).toMatchObject({
      type: 'SHIPGATE_NOT_RELEASED',
    });

    expect(s.deployCount()).toBe(deploysBefore);
    expect(await s.servingVersion()).toBe('1.0.0');
    // The version shipgate did release stays deployable.
    const again = await post(`/repos/${SIDE}/deployments`, { version: '1.0.0' });
    expect(again.statusCode).toBe(202);
    const redeployed = await pollUntil(
      async (): Promise<any> => (await get(`/deployments/${encodeURIComponent(again.json().workflowId)}`)).json(),
      finished,
    );
    expect(redeployed.result).toMatchObject({ outcome: 'deployed', version: '1.0.0' });
  });

  it('refuses a hand-made release commit: one that changes code, and one that carries no signed pass of its source', async () => {
    const s = service(SIDE);
    const release = async (tag: string, files: Record<string, string>) => {
      for (const [file, content] of Object.entries(files)) await s.repo.write(file, content);
      await s.repo.git('add', '--all', '--', '.');
      await s.repo.git('commit', '-q', '-m', `chore(release): ${tag}`);
      await s.repo.git('tag', '-a', tag, '-m', tag);
      await s.repo.git('push', '-q', 'origin', 'main', tag);
    };
    await release('v9.0.2', {
      'src/greeting.js': BROKEN_GREETING,
      'config/version.yml': 'version: 9.0.2\n',
      'context/release-number': '9.0.2\n',
    });
    const changed = await post(`/repos/${SIDE}/deployments`, { version: '9.0.2' });
    expect(changed.statusCode).toBe(422);
    expect(changed.json()).toMatchObject({
      code: 'SHIPGATE_NOT_RELEASED',
      message: expect.stringMatching(/changes src\/greeting\.js besides the release files/),
    });

    // The tree still holds the signed pass of 1.0.0's source, copied along: it is not this source's.
    const source = await s.repo.commit('fix: untested tweak', { 'src/greeting.js': `${BROKEN_GREETING}// tweak\n` });
    await release('v9.0.3', { 'config/version.yml': 'version: 9.0.3\n', 'context/release-number': '9.0.3\n' });
    const unapproved = await post(`/repos/${SIDE}/deployments`, { version: '9.0.3' });
    expect(unapproved.statusCode).toBe(422);
    expect(unapproved.json().message).toContain(
      `carries no test-pass report signed by this shipgate for ${source.slice(0, 7)}`,
    );
    expect(await s.servingVersion()).toBe('1.0.0');
  });
});
