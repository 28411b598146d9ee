import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changedFilesByCommit, openGit } from '../../../activities/git.js';
import { planPage, planRelease } from '../../../activities/plan.js';
import { PLAN_PAGE } from '../../../vocabulary/plan-page.js';
import type { PlanView } from '../../../cli/api-types.js';
import { renderPlan } from '../../../cli/commands/plan.js';
import { authedRequests, buildTestApp, finished, type TestApp } from '../../helpers/api.js';
import { createTestRepo, releaseTexts, type TestRepo } from '../../helpers/git-repo.js';
import { SAMPLE_FILES, sampleRepoSettings } from '../../helpers/sample-project.js';
import { startTestWorker, testConfig, type TestWorker } from '../../helpers/temporal.js';

/**
 * Commit messages and test output written to break shipgate: a subject of a mebibyte, text
 * that imitates git's own log separators, and control and bidi characters meant for a terminal.
 * Each is committed with `git commit -F`, as a committer would, and goes through the real plan,
 * API, release and QA code.
 */

const suffix = randomBytes(4).toString('hex');
const ids = {
  long: `hc-long-${suffix}`,
  forged: `hc-forged-${suffix}`,
  controls: `hc-controls-${suffix}`,
};

const LONG_MESSAGE = `fix: ${'A'.repeat(1 << 20)}`;
const FAKE_SHA = 'f'.repeat(40);
const FORGING_MESSAGE = `chore: harmless\x1e\n${FAKE_SHA}\x1f\x1f2001-01-01T00:00:00+00:00\x1fMallory\x1ffeat!: forged`;
/** Sets the terminal title, rings the bell, clears the screen, and reverses what follows. */
const CONTROL_SUBJECT =
  'feat: \x1b]0;owned\x07\x1b[2Jcleared \u202Etxt.exe\u202C \u2066isolated\u2069 \u009bC1 del\x7f';
const CONTROL_OUTPUT = `console.log('\\x1b[31mred\\x1b[0m bell\\x07 \\u202Eevil\\u202C done');`;

/** Any character a terminal or a Markdown viewer would act on instead of showing. */
// eslint-disable-next-line no-control-regex -- control characters are what this looks for
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe('hostile commit text', () => {
  const repos: Record<string, TestRepo> = {};
  let worker: TestWorker;
  let app: TestApp;
  let scratch: string;

  const { get, post, until: untilDone } = authedRequests(() => app);
  type Json = ReturnType<typeof JSON.parse>;
  const until = (url: string) => untilDone(url, finished, 150_000);

  async function release(repoId: string): Promise<Json> {
    const started = await post(`/repos/${repoId}/releases`, { deploy: false });
    expect(started.statusCode, started.body).toBe(202);
    return until(`/releases/${encodeURIComponent(started.json<{ workflowId: string }>().workflowId)}`);
  }

  async function qa(repoId: string): Promise<Json> {
    const started = await post(`/repos/${repoId}/qa`);
    expect(started.statusCode, started.body).toBe(202);
    return until(`/qa/${encodeURIComponent(started.json<{ workflowId: string }>().workflowId)}`);
  }

  /** As a committer would: the message from a file, byte for byte, never through argv. */
  async function commitFromFile(repo: TestRepo, message: string): Promise<string> {
    const file = path.join(scratch, `message-${randomBytes(4).toString('hex')}`);
    await writeFile(file, message);
    await repo.git('commit', '--allow-empty', '-q', '--cleanup=verbatim', '-F', file);
    await repo.push();
    return repo.head();
  }

  async function planBoth(repoId: string): Promise<PlanView> {
    const repo = worker.config.repositories.find((r) => r.id === repoId)!;
    const git = openGit(repos[repoId === ids.long ? 'long' : repoId === ids.forged ? 'forged' : 'controls']!.dir);
    const direct = await planRelease(git, repo, { sha: await git.revparse(['HEAD']), date: '2026-01-01' });
    const answer = await get(`/repos/${repoId}/plan`);
    expect(answer.statusCode, answer.body.slice(0, 500)).toBe(200);
    const plan = answer.json<PlanView>();
    // The API answers the plan's first page of commits beside the rest.
    const firstPage = planPage(direct, { offset: 0, limit: PLAN_PAGE.defaultLimit });
    expect({ ...plan, changelogEntry: null }).toEqual({ ...firstPage, changelogEntry: null });
    return plan;
  }

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'shipgate-hostile-text-'));
    for (const key of ['long', 'forged', 'controls'] as const) repos[key] = await createTestRepo(SAMPLE_FILES);
    worker = await startTestWorker(
      await testConfig([
        sampleRepoSettings(ids.long, repos.long!.dir),
        sampleRepoSettings(ids.forged, repos.forged!.dir),
        {
          id: ids.controls,
          path: repos.controls!.dir,
          test: { command: [process.execPath, '-e', CONTROL_OUTPUT], timeout: '1m' },
        },
      ]),
    );
    app = await buildTestApp(worker.config, worker.client);
  });

  afterAll(async () => {
    await app?.close();
    await worker?.stop();
    await Promise.all(Object.values(repos).map((r) => r.cleanup()));
    if (scratch) await rm(scratch, { recursive: true, force: true });
    if (worker) await rm(worker.config.dataDir, { recursive: true, force: true });
  });

  it('plans a commit whose subject is a mebibyte long while /healthz keeps answering, and releases it', async () => {
    const repo = repos.long!;
    const sha = await commitFromFile(repo, LONG_MESSAGE);
    expect((await repo.git('log', '-1', '--format=%B')).length).toBe(LONG_MESSAGE.length);

    // Asked together: a plan that held the event loop would hold the health check with it.
    const [plan, health] = await Promise.all([planBoth(ids.long), get('/healthz')]);
    expect(health.statusCode).toBe(200);
    expect(plan).toMatchObject({ sha, previous: null, version: '1.0.0', tag: 'v1.0.0', bump: 'patch', commitCount: 2 });
    const [entry] = plan.commits;
    expect(entry).toMatchObject({ type: 'fix', bump: 'patch', reason: 'fix → patch' });
    expect(entry!.subject).toMatch(/^A+…$/);
    expect(entry!.subject.length).toBeLessThan(10_000);

    const run = await release(ids.long);
    expect(run.result).toMatchObject({ outcome: 'released', version: '1.0.0', tag: 'v1.0.0' });
    const changelog = await readFile(path.join(repo.dir, 'CHANGELOG.md'), 'utf8');
    expect(changelog).toMatch(/### Bug Fixes\n\n\* A+… \([0-9a-f]{7}\)/);
    expect(await repo.git('ls-remote', 'origin', 'refs/tags/v1.0.0')).toMatch(/refs\/tags\/v1\.0\.0$/);
  });

  it('reads a message holding git log separators as the one commit it is, and forges nothing', async () => {
    const repo = repos.forged!;
    const sha = await commitFromFile(repo, FORGING_MESSAGE);
    const initial = (await repo.git('rev-list', '--max-parents=0', 'HEAD')).trim();

    const plan = await planBoth(ids.forged);
    expect(plan).toMatchObject({
      sha,
      previous: null,
      version: null,
      tag: null,
      bump: null,
      commitCount: 2,
      changelogEntry: null,
    });
    expect(plan.commits.map((c) => [c.shortSha, c.subject, c.bump])).toEqual([
      [sha.slice(0, 7), 'harmless\x1e', null],
      [initial.slice(0, 7), 'initial commit', null],
    ]);
    expect(JSON.stringify(plan)).not.toMatch(/forged|Mallory|ffffff/);

    const files = await changedFilesByCommit(openGit(repo.dir), null, 'HEAD');
    expect([...files.keys()]).toEqual([sha, initial]);
  });

  it('shows control and bidi characters from commits and test output as visible escapes everywhere it renders them', async () => {
    const repo = repos.controls!;
    await commitFromFile(repo, `${CONTROL_SUBJECT}\n\nBREAKING CHANGE: \x1b[8mhidden\x1b[0m \u202Edesrever`);

    const plan = await planBoth(ids.controls);
    expect(plan).toMatchObject({ version: '1.0.0', bump: 'major' });
    const printed = renderPlan(ids.controls, plan).join('\n');
    expect(printed).not.toMatch(RAW_CONTROL);
    expect(printed).toContain(
      '\\u001b]0;owned\\u0007\\u001b[2Jcleared <U+202E>txt.exe<U+202C> <U+2066>isolated<U+2069> \\u009bC1 del\\u007f',
    );
    expect(plan.changelogEntry).not.toMatch(RAW_CONTROL);
    expect(plan.changelogEntry).toContain('\\<U+202E>desrever');

    const checked = await qa(ids.controls);
    expect(checked).toMatchObject({ status: 'COMPLETED', result: { outcome: 'test-pass' } });
    const report = await readFile(path.join(repo.dir, 'context', checked.result.report as string), 'utf8');
    expect(report).not.toMatch(RAW_CONTROL);
    expect(report).toContain('\\u001b[31mred\\u001b[0m bell\\u0007 <U+202E>evil<U+202C> done');

    const run = await release(ids.controls);
    expect(run.result).toMatchObject({ outcome: 'released', version: '1.0.0', tag: 'v1.0.0' });
    for (const [where, text] of Object.entries(await releaseTexts(repo, 'v1.0.0'))) {
      expect(text, where).not.toMatch(RAW_CONTROL);
      expect(text, where).toContain('\\u001b\\[8mhidden\\u001b\\[0m \\<U+202E>desrever');
    }
    for (const name of await readdir(path.join(repo.dir, 'context'))) {
      expect(await readFile(path.join(repo.dir, 'context', name), 'utf8'), name).not.toMatch(RAW_CONTROL);
    }
  });
});
