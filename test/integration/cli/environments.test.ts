import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../../cli/main.js';
import { buildTestApp, pollUntil, TEST_TOKEN, type TestApp } from '../../helpers/api.js';
import { endEnvironments, twoEnvironments, type TwoEnvironments } from '../../helpers/promotion.js';
import { startTestWorker, testConfig, type TestWorker } from '../../helpers/temporal.js';

// Environments are long-lived workflows on the shared dev server: IDs unique to this run.
const id = `cli-envs-${randomBytes(3).toString('hex')}`;

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

describe('the CLI with environments, against the real API and worker', () => {
  let worker: TestWorker;
  let app: TestApp;
  let apiUrl: string;
  let envs: TwoEnvironments;

  async function shipgate(argv: string[]): Promise<CliRun> {
    let stdout = '';
    let stderr = '';
    const code = await run(argv, {
      stdout: { write: (chunk: string) => (stdout += chunk) },
      stderr: { write: (chunk: string) => (stderr += chunk) },
      env: { SHIPGATE_API_URL: apiUrl, SHIPGATE_API_TOKEN: TEST_TOKEN },
    });
    return { code, stdout, stderr };
  }

  beforeAll(async () => {
    envs = await twoEnvironments(id, { autoPromote: false, soak: '1s' });
    worker = await startTestWorker(await testConfig([envs.settings]));
    app = await buildTestApp(worker.config, worker.client);
    await app.listen({ port: 0, host: '127.0.0.1' });
    apiUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app?.close();
    if (worker) await endEnvironments(worker.client, id);
    await worker?.stop();
    await envs?.stop();
  });

  it('lists the environments before anything deployed', async () => {
    const result = await shipgate(['envs', id]);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ENV +LIVE +SINCE +LAST GOOD +PINNED +PENDING$/);
    expect(lines.slice(1, 3).map((line) => line.split(/\s+/))).toEqual([
      ['staging', '-', '-', '-', '-', '-'],
      ['production', '-', '-', '-', '-', '-'],
    ]);
    expect(lines).toContain('staging → production: after 1s healthy, on request (shipgate promote)');
  });

  it('refuses to promote into the first environment, in one line, with exit 1', async () => {
    const result = await shipgate(['promote', id, '1.0.0', '--env', 'staging']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^shipgate: staging is the first environment of/);
  });

  it('follows a release on through its promotion, and stops where it waits for a promotion by hand', async () => {
    const result = await shipgate(['release', id, '--follow', '--interval', '200ms']);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines.some((line) => line.startsWith(`✓ release:${id} released 1.0.0`))).toBe(true);
    expect(lines.some((line) => line.includes(`promotion:${id}:1.0.0  staging=`))).toBe(true);
    expect(lines.at(-2)).toMatch(
      new RegExp(`^! promotion:${id}:1\\.0\\.0 awaits a promotion into production: healthy in staging`),
    );
    expect(lines.at(-1)).toBe(`  promote it with: shipgate promote ${id} 1.0.0 --env production`);

    const status = await shipgate(['status', `release:${id}`]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(`  promotion promotion:${id}:1.0.0  RUNNING`);
    expect(status.stdout).toMatch(/✓ staging +deployed/);
    expect(status.stdout).toMatch(/! production +awaiting promotion/);
  });

  it('promotes the version into production, then shows it live there', async () => {
    const result = await shipgate(['promote', id, '1.0.0', '--env', 'production']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Promotion of 1\.0\.0 into production: /);
    expect(result.stdout).toContain(`through promotion:${id}:1.0.0`);
    await pollUntil(
      async () => JSON.parse((await shipgate(['envs', id, '--json'])).stdout),
      (body) => body.environments[1].live?.version === '1.0.0' && body.environments[1].pending.length === 0,
    );
    const listed = await shipgate(['envs', id]);
    expect(listed.stdout.split('\n')[2]).toMatch(/^production +1\.0\.0 +\d{4}-\d\d-\d\d \d\d:\d\d +1\.0\.0 +- +-$/);
  });

  it('pins and unpins production; a second pin is refused with who pinned it and why', async () => {
    const pinned = await shipgate(['pin', id, '--env', 'production', '--reason', 'release freeze']);
    expect(pinned.code, pinned.stderr).toBe(0);
    // The single token is one admin, and a pin from it names no one else.
    expect(pinned.stdout).toMatch(/^production of .* is pinned by admin since .*: release freeze; 1\.0\.0 is live/);
    expect((await shipgate(['envs', id])).stdout.split('\n')[2]).toContain('by admin: release freeze');

    const again = await shipgate(['pin', id, '--env', 'production', '--reason', 'twice']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already pinned by admin since .*: release freeze/);

    const unpinned = await shipgate(['unpin', id, '--env', 'production', '--reason', 'freeze over']);
    expect(unpinned.code, unpinned.stderr).toBe(0);
    expect(unpinned.stdout).toMatch(/^production of .* is not pinned; 1\.0\.0 is live/);
    const notPinned = await shipgate(['unpin', id, '--env', 'production', '--reason', 'again']);
    expect(notPinned.code).toBe(1);
    expect(notPinned.stderr).toContain('is not pinned');
  });
});
