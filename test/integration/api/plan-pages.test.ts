import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH, buildTestApp, type TestApp } from '../../helpers/api.js';
import { createTestRepo, type TestRepo } from '../../helpers/git-repo.js';
import { SAMPLE_FILES, sampleRepoSettings } from '../../helpers/sample-project.js';
import { startTestWorker, testConfig, type TestWorker } from '../../helpers/temporal.js';

const repoId = `plan-pages-${randomBytes(4).toString('hex')}`;
const COMMITS = 250;

/** One commit per message, written by fast-import on top of HEAD: many commits in one git process. */
async function commitMany(repo: TestRepo, messages: string[]): Promise<void> {
  const head = (await repo.git('rev-parse', 'HEAD')).trim();
  const stream = messages
    .map((message, i) => {
      const data = `${message}\n`;
      const when = `${1_700_000_000 + i} +0000`;
      const from = i === 0 ? `from ${head}\n` : '';
      return `commit refs/heads/main\ncommitter T <t@example.test> ${when}\ndata ${Buffer.byteLength(data)}\n${data}${from}\n`;
    })
    .join('');
  const { execa } = await import('execa');
  await execa('git', ['fast-import', '--quiet'], { cwd: repo.dir, input: stream });
  await repo.git('reset', '--quiet', '--hard', 'main');
}

describe('a plan of a long history over HTTP: a summary and pages', () => {
  let worker: TestWorker;
  let app: TestApp;
  let repo: TestRepo;
  const get = (url: string) => app.inject({ method: 'GET', url, headers: AUTH });

  beforeAll(async () => {
    repo = await createTestRepo(SAMPLE_FILES);
    await repo.git('tag', 'v1.0.0');
    await repo.push();
    await commitMany(
      repo,
      Array.from({ length: COMMITS }, (_, n) =>
        n % 5 === 0 ? `feat: feature ${n}` : n % 5 === 1 ? `docs: d${n}` : `fix: f${n}`,
      ),
    );
    worker = await startTestWorker(await testConfig([sampleRepoSettings(repoId, repo.dir)]));
    app = await buildTestApp(worker.config, worker.client);
  });

  afterAll(async () => {
    await app?.close();
    await worker?.stop();
    await repo?.cleanup();
  });

  it('answers a summary per type over every commit, and the first 100 commits', async () => {
    const answer = await get(`/repos/${repoId}/plan`);
    expect(answer.statusCode).toBe(200);
    const plan = answer.json();
    expect(plan).toMatchObject({ version: '1.1.0', bump: 'minor', commitCount: COMMITS, previous: { tag: 'v1.0.0' } });
    expect(plan.commits).toHaveLength(100);
    expect(plan.page).toEqual({ offset: 0, limit: 100, next: `${plan.sha}.100` });
    expect(plan.summary).toEqual([
      { type: 'fix', commits: 150, releasing: 150, bump: 'patch' },
      { type: 'docs', commits: 50, releasing: 0, bump: null },
      { type: 'feat', commits: 50, releasing: 50, bump: 'minor' },
    ]);
    // The changelog entry is the whole release's, not the page's.
    expect(plan.changelogEntry.match(/^\* /gm)).toHaveLength(200);
  });

  it('pages through every commit once with the cursors, on the history the first page was planned at', async () => {
    const answer = await get(`/repos/${repoId}/plan?limit=120`);
    expect(answer.json()).toMatchObject({ page: { offset: 0, limit: 120 } });
    const first = answer.json();
    await repo.commit('feat: after the first page');
    const seen: string[] = first.commits.map((c: { shortSha: string }) => c.shortSha);
    for (let next = first.page.next; next !== null;) {
      const page = await get(`/repos/${repoId}/plan?limit=120&cursor=${next}`);
      expect(page.statusCode).toBe(200);
      const body = page.json();
      expect(body.sha).toBe(first.sha);
      seen.push(...body.commits.map((c: { shortSha: string }) => c.shortSha));
      next = body.page.next;
    }
    expect(seen).toHaveLength(COMMITS);
    expect(new Set(seen).size).toBe(COMMITS);
    expect((await get(`/repos/${repoId}/plan`)).json().commitCount).toBe(COMMITS + 1);
  });

  it.each([
    ['a limit above 1000', '?limit=1001'],
    ['a limit of 0', '?limit=0'],
    ['a cursor that is not one', '?cursor=HEAD~3.0'],
    ['a cursor naming a commit the repository does not have', `?cursor=${'0'.repeat(40)}.100`],
  ])('refuses %s with 400', async (_what, query) => {
    const answer = await get(`/repos/${repoId}/plan${query}`);
    expect(answer.statusCode).toBe(400);
    expect(answer.json().code ?? answer.json().error).toBeTruthy();
  });
});
