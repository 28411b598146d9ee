import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RepositoryInput } from '../../../config/schema.js';
import { authedRequests, buildTestApp, type TestApp } from '../../helpers/api.js';
import { createTestRepo, type TestRepo } from '../../helpers/git-repo.js';
import { startNpmRegistry, type NpmRegistry } from '../../helpers/npm-registry.js';
import { countRemotePushes } from '../../helpers/publish-target.js';
import { SAMPLE_FILES, sampleRepoSettings } from '../../helpers/sample-project.js';
import { startTestWorker, testConfig, type TestWorker } from '../../helpers/temporal.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../helpers/webhook-receiver.js';

const suffix = randomBytes(4).toString('hex');
const retried = `npm-retried-${suffix}`;
const decided = `npm-decided-${suffix}`;
const SECRET_ENV = 'SHIPGATE_TEST_REGISTRY_NOTIFY_SECRET';

/**
 * The package's version is 0.0.0 in the repository; the release's version goes into package.json
 * in the clean checkout of the tag, and `npm publish` sends it. A tiny script, not a shell.
 */
const SET_VERSION_AND_PUBLISH = [
  "const fs = require('node:fs');",
  "const { spawnSync } = require('node:child_process');",
  'const [version, registry] = process.argv.slice(1);',
  "const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));",
  'pkg.version = version;',
  "fs.writeFileSync('package.json', JSON.stringify(pkg, null, 2) + '\\n');",
  "const npm = spawnSync('npm', ['publish', '--registry', registry], { stdio: 'inherit' });",
  'process.exit(npm.status ?? 1);',
].join('\n');

function packageFiles(name: string): Record<string, string> {
  const sample = JSON.parse(SAMPLE_FILES['package.json']!) as Record<string, unknown>;
  delete sample.private;
  return {
    ...SAMPLE_FILES,
    'package.json': JSON.stringify({ ...sample, name, version: '0.0.0', files: ['src/'] }, null, 2) + '\n',
  };
}

describe('publishing a release to a real npm registry', () => {
  let registry: NpmRegistry;
  let receiver: WebhookReceiver;
  let worker: TestWorker;
  let app: TestApp;
  const repos = new Map<string, TestRepo>();
  const pushes = new Map<string, (ref: string) => Promise<number>>();
  const { get, post, until } = authedRequests(() => app);

  const npmView = async (pkg: string, version: string) =>
    (
      await execa('npm', ['view', `${pkg}@${version}`, 'version', '--registry', registry.url], {
        env: registry.env,
        extendEnv: false,
        reject: false,
      })
    ).stdout.trim();

  function settings(id: string, retries: number): RepositoryInput {
    return sampleRepoSettings(id, repos.get(id)!.dir, {
      notify: [{ name: 'team', url: receiver.url, secretEnv: SECRET_ENV }],
      publish: [
        {
          name: 'npm',
          command: [process.execPath, '-e', SET_VERSION_AND_PUBLISH, '${SHIPGATE_VERSION}', registry.url],
          check: ['npm', 'view', `${id}@\${SHIPGATE_VERSION}`, 'version', '--registry', registry.url],
          artifact: `${id}@\${SHIPGATE_VERSION}`,
          env: { NPM_CONFIG_USERCONFIG: registry.userconfig },
          timeout: '2m',
          retries,
        },
      ],
    });
  }

  beforeAll(async () => {
    registry = await startNpmRegistry();
    process.env[SECRET_ENV] = 'registry-notify-secret';
    receiver = await startWebhookReceiver({ secret: 'registry-notify-secret' });
    // The worker runs in this process and its commands inherit its environment: what `npm run` or
    // the machine set for npm here (another userconfig, cache or registry) must not reach them.
    for (const key of Object.keys(process.env))
      if (/^npm_(config_(userconfig|cache|registry)|package_|lifecycle_)/i.test(key)) delete process.env[key];
    for (const id of [retried, decided]) {
      const repo = await createTestRepo(packageFiles(id));
      pushes.set(id, await countRemotePushes(repo.remote));
      await repo.commit('feat: subtract numbers', {
        'src/math.js': 'export function add(a, b) {\n  return a + b;\n}\n\nexport const sub = (a, b) => a - b;\n',
      });
      await repo.push();
      repos.set(id, repo);
    }
    worker = await startTestWorker(await testConfig([settings(retried, 2), settings(decided, 1)]));
    app = await buildTestApp(worker.config, worker.client);
  }, 180_000);

  afterAll(async () => {
    await app?.close();
    await worker?.stop();
    await registry?.stop();
    await receiver?.stop();
    delete process.env[SECRET_ENV];
    await Promise.all([...repos.values()].map((r) => r.cleanup()));
  });

  const release = async (repoId: string) => {
    const started = await post(`/repos/${repoId}/releases`, {});
    expect(started.statusCode, started.body).toBe(202);
    return started.json().workflowId as string;
  };

  it("publishes through the activity's retry when the registry refuses the first attempt", async () => {
    registry.refuseNext(1);
    const before = registry.publishAttempts();
    const workflowId = await release(retried);
    const done = await until(`/releases/${encodeURIComponent(workflowId)}`, undefined, 240_000);
    expect(done.result, JSON.stringify(done)).toMatchObject({
      outcome: 'released',
      version: '1.0.0',
      published: [{ name: 'npm', artifact: `${retried}@1.0.0`, status: 'published' }],
    });
    expect(done.state.publish.steps[0]).toMatchObject({ status: 'published', attempts: 2 });
    // One refused by the proxy, one that reached Verdaccio.
    expect(registry.publishAttempts() - before).toBe(2);
    expect(await registry.versions(retried)).toEqual(['1.0.0']);
    expect(await npmView(retried, '1.0.0')).toBe('1.0.0');
    expect(await pushes.get(retried)!('refs/tags/v1.0.0')).toBe(1);
  }, 300_000);

  it('waits for a decision while the registry is down, and a retry through the API publishes once', async () => {
    registry.refuseAll();
    const before = registry.publishAttempts();
    const workflowId = await release(decided);
    const path = `/releases/${encodeURIComponent(workflowId)}`;
    const waiting = await until(path, (run) => run.state?.publish?.awaiting != null, 240_000);
    expect(waiting.state.stage).toBe('awaiting decision');
    expect(waiting.state.publish.awaiting.error).toMatch(/publish step "npm" .*the command exited with 1/);
    expect(registry.publishAttempts() - before).toBe(2);
    expect(await registry.versions(decided)).toEqual([]);

    // Skip needs a reason; a rollback is not for a publish step.
    expect((await post(`${path}/skip`)).json()).toMatchObject({ statusCode: 400, code: 'SHIPGATE_BAD_REQUEST' });
    expect((await post(`${path}/rollback`)).json()).toMatchObject({
      statusCode: 409,
      code: 'SHIPGATE_DECISION_NOT_POSSIBLE',
    });

    registry.recover();
    const retry = await post(`${path}/retry`);
    expect(retry.statusCode, retry.body).toBe(200);
    expect(retry.json()).toMatchObject({ accepted: 'retry', publishStep: 'npm' });
    const done = await until(path, undefined, 240_000);
    expect(done.result, JSON.stringify(done)).toMatchObject({
      outcome: 'released',
      published: [{ name: 'npm', artifact: `${decided}@1.0.0`, status: 'published' }],
    });
    expect(registry.publishAttempts() - before).toBe(3);
    expect(await registry.versions(decided)).toEqual(['1.0.0']);
    expect(await npmView(decided, '1.0.0')).toBe('1.0.0');
    expect(await pushes.get(decided)!('refs/tags/v1.0.0')).toBe(1);
    // The team's receiver heard exactly this run's story, once, in order, signed.
    await receiver.waitFor(
      (hooks) =>
        hooks.some((h) => h.body.includes(`"workflowId":"${workflowId}"`) && h.body.includes('"release.finished"')),
      60_000,
      'release.finished',
    );
    const told = receiver.delivered().filter((h) => h.body.includes(`"workflowId":"${workflowId}"`));
    expect(told.every((h) => h.signed)).toBe(true);
    expect(told.map((h) => JSON.parse(h.body) as { event: string; seq: number; version: string | null })).toMatchObject(
      [
        { event: 'release.started', seq: 1 },
        { event: 'release.released', seq: 2, version: '1.0.0' },
        { event: 'decision.awaiting', seq: 3, details: { kind: 'publish', step: 'npm' } },
        { event: 'release.finished', seq: 4, outcome: 'released', details: { published: [{ status: 'published' }] } },
      ],
    );
    expect(told).toHaveLength(4);
    // Nothing awaits now: a second retry is refused.
    expect((await post(`${path}/retry`)).json()).toMatchObject({ statusCode: 409 });
    expect((await get(path)).json().state.publish.awaiting).toBeNull();
  }, 300_000);
});
