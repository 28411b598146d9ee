import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH, buildTestApp, connectTestClient, type TestApp } from '../../helpers/api.js';
import { SAMPLE_FILES, sampleRepoSettings } from '../../helpers/sample-project.js';
import { createTestRepo, type TestRepo } from '../../helpers/git-repo.js';
import { testConfig } from '../../helpers/temporal.js';

const SECRET = 'hunter2-do-not-print';

describe('GET /repos', () => {
  let app: TestApp;
  let close: () => Promise<void>;
  let repo: TestRepo;

  beforeAll(async () => {
    repo = await createTestRepo(SAMPLE_FILES);
    const local = sampleRepoSettings('web', repo.dir);
    const config = await testConfig([
      { ...local, test: { ...local.test, env: { API_KEY: SECRET } } },
      {
        id: 'payments',
        url: `https://ci:${SECRET}@git.example.test/payments.git`,
        branch: 'trunk',
        test: { command: ['make', 'test'] },
        deploy: { command: ['./deploy.sh'], environment: 'staging', env: { DEPLOY_TOKEN: SECRET } },
        health: { url: 'https://payments.example.test/healthz' },
      },
    ]);
    const test = await connectTestClient(config);
    close = test.close;
    app = await buildTestApp(test.config, test.client);
  });

  afterAll(async () => {
    await app?.close();
    await close?.();
    await repo?.cleanup();
  });

  it('lists every configured repository with its public settings', async () => {
    const response = await app.inject({ method: 'GET', url: '/repos', headers: AUTH });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      repositories: [
        {
          id: 'web',
          source: 'path',
          branch: 'main',
          branches: [{ name: 'main', kind: 'release', channel: 'latest', prerelease: null, range: null, deploy: true }],
          remote: 'origin',
          test: { command: ['npm', 'test', '--silent'] },
          coverage: { format: 'lcov', threshold: 80 },
          deploy: null,
          health: null,
        },
        {
          id: 'payments',
          source: 'url',
          branch: 'trunk',
          branches: [
            { name: 'trunk', kind: 'release', channel: 'latest', prerelease: null, range: null, deploy: true },
          ],
          remote: 'origin',
          test: { command: ['make', 'test'] },
          coverage: null,
          deploy: { environment: 'staging' },
          health: { url: 'https://payments.example.test/healthz' },
        },
      ],
    });
  });

  it('never includes environment values, URLs or local paths', async () => {
    const body = (await app.inject({ method: 'GET', url: '/repos', headers: AUTH })).body;
    expect(body).not.toContain(SECRET);
    expect(body).not.toContain('API_KEY');
    expect(body).not.toContain(repo.dir);
  });

  it('shows one repository by ID', async () => {
    const response = await app.inject({ method: 'GET', url: '/repos/payments', headers: AUTH });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id: 'payments', source: 'url', deploy: { environment: 'staging' } });
    expect(response.body).not.toContain(SECRET);
  });

  it('answers 404 SHIPGATE_REPO_NOT_FOUND for an unknown repository', async () => {
    const response = await app.inject({ method: 'GET', url: '/repos/nope', headers: AUTH });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      statusCode: 404,
      error: 'Not Found',
      code: 'SHIPGATE_REPO_NOT_FOUND',
      message: 'unknown repository "nope"',
    });
  });

  for (const id of ['..%2Fetc', 'a%20b', 'Web', '-web', 'x'.repeat(64)]) {
    it(`answers 400 SHIPGATE_BAD_REQUEST naming params/id for the repository ID ${id}`, async () => {
      const response = await app.inject({ method: 'GET', url: `/repos/${id}`, headers: AUTH });
      expect(response.statusCode).toBe(400);
      const body = response.json();
      expect(body).toMatchObject({ statusCode: 400, error: 'Bad Request', code: 'SHIPGATE_BAD_REQUEST' });
      expect(body.message).toMatch(/^params\/id must match pattern/);
    });
  }
});
