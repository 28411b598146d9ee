import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { run } from '../../../cli/main.js';
import { reconcileSchedules } from '../../../worker/schedules.js';
import { freePort } from '../../../devserver/dev-server.js';
import { buildTestApp, TEST_TOKEN, type TestApp } from '../../helpers/api.js';
import { createSampleService, type SampleService } from '../../helpers/sample-service.js';
import { startTestWorker, testConfig, type TestWorker } from '../../helpers/temporal.js';

// The dev server outlives this file, so repository IDs are unique to keep its runs apart.
const suffix = randomBytes(4).toString('hex');
const id = `cli-${suffix}`;
const faultyId = `cli-faulty-${suffix}`;
const cancelId = `cli-cancel-${suffix}`;

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

describe('the shipgate CLI against the real API', () => {
  let worker: TestWorker;
  let app: TestApp;
  let apiUrl: string;
  let service: SampleService;
  let faulty: SampleService;
  let cancelling: SampleService;

  /** Runs the CLI in-process, as a person would type it, with the API's URL and token in its environment. */
  async function shipgate(argv: string[], env: Record<string, string> = {}): Promise<CliRun> {
    let stdout = '';
    let stderr = '';
    const code = await run(argv, {
      stdout: { write: (chunk: string) => (stdout += chunk) },
      stderr: { write: (chunk: string) => (stderr += chunk) },
      env: { SHIPGATE_API_URL: apiUrl, SHIPGATE_API_TOKEN: TEST_TOKEN, ...env },
    });
    return { code, stdout, stderr };
  }

  beforeAll(async () => {
    service = await createSampleService(id, (settings) => {
      settings.watch = { interval: '1h' };
    });
    faulty = await createSampleService(faultyId);
    // It also releases from a prerelease branch, beta.
    cancelling = await createSampleService(cancelId, (settings) => {
      settings.branches = ['main', { name: 'beta', prerelease: true }];
    });
    await cancelling.repo.git('branch', 'beta');
    await cancelling.repo.git('push', '-q', 'origin', 'beta');
    worker = await startTestWorker(await testConfig([service.settings, faulty.settings, cancelling.settings]));
    await reconcileSchedules(worker.client, worker.config, worker.taskQueue, pino({ level: 'silent' }));
    app = await buildTestApp(worker.config, worker.client);
    await app.listen({ port: 0, host: '127.0.0.1' });
    apiUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await reconcileSchedules(
      worker.client,
      { ...worker.config, repositories: [] },
      worker.taskQueue,
      pino({ level: 'silent' }),
    );
    await app?.close();
    await worker?.stop();
    await Promise.all([service?.stop(), faulty?.stop(), cancelling?.stop()]);
  });

  it('shows, pauses and resumes the branch watch', async () => {
    const shown = await shipgate(['watch', id]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(new RegExp(`^Watch of ${id} \\(schedule watch:${id}, every 3600s\\): active`));
    const paused = await shipgate(['watch', id, 'pause', 'release', 'freeze']);
    expect(paused).toMatchObject({ code: 0, stderr: '' });
    expect(paused.stdout).toMatch(/PAUSED — release freeze/);
    const resumed = await shipgate(['watch', id, 'resume']);
    expect(resumed).toMatchObject({ code: 0, stderr: '' });
    expect(resumed.stdout).toMatch(/: active/);
    const none = await shipgate(['watch', faultyId]);
    expect(none).toMatchObject({ code: 1 });
    expect(none.stderr).toMatch(/has no watch configured \(set watch\.interval\) \(SHIPGATE_WATCH_NOT_CONFIGURED\)/);
  });

  it('lists the configured repositories', async () => {
    const result = await shipgate(['repos']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+SOURCE\s+BRANCHES\s+COVERAGE\s+DEPLOYS TO\s+TEST COMMAND$/);
    expect(lines.slice(1, 4).map((line) => line.split(/\s+/)[0])).toEqual([id, faultyId, cancelId]);
    expect(result.stdout).toMatch(new RegExp(`${id}\\s+path\\s+main\\s+lcov ≥ 80%\\s+production\\s+npm test --silent`));

    const json = await shipgate(['repos', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ repositories: [{ id }, { id: faultyId }, { id: cancelId }] });
  });

  it('lists the branches of a repository with more than one, and plans a branch with --branch', async () => {
    const repos = await shipgate(['repos']);
    expect(repos.stdout).toContain(
      [
        'Branches:',
        `  ${cancelId}`,
        '    main (release, channel latest)',
        '    beta (prerelease -beta, channel beta)',
      ].join('\n'),
    );
    const plan = await shipgate(['plan', cancelId, '--branch', 'beta']);
    expect(plan).toMatchObject({ code: 0, stderr: '' });
    const lines = plan.stdout.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^Next release of ${cancelId}: \\S+-beta\\.1 \\(tag v\\S+-beta\\.1\\)$`));
    expect(lines[1]).toBe('  branch beta (prerelease -beta, channel beta)');
    expect(JSON.parse((await shipgate(['plan', cancelId, '--branch', 'beta', '--json'])).stdout)).toMatchObject({
      branch: { name: 'beta', kind: 'prerelease', channel: 'beta' },
    });

    const unknown = await shipgate(['release', cancelId, '--branch', 'feature/x']);
    expect(unknown).toEqual({
      code: 1,
      stdout: '',
      stderr: `shipgate: repository "${cancelId}" has no branch "feature/x" configured; its branches: main, beta (SHIPGATE_UNKNOWN_BRANCH)\n`,
    });
  });

  it('runs QA with --follow, one line per change, and exits 0 on test-pass', async () => {
    const sha = await service.repo.head();
    const result = await shipgate(['qa', id, '--follow', '--interval', '200ms']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d qa:${id}:${sha}  status=RUNNING`));
    // Live events show the outcome as the run records it, a moment before the run is COMPLETED.
    expect(lines.at(-2)).toMatch(/status=COMPLETED/);
    expect(lines.slice(0, -1).join('\n')).toMatch(/outcome=test-pass/);
    expect(lines.at(-1)).toMatch(new RegExp(`^✓ qa:${id}:${sha} test-pass: `));
  });

  it('shows the finished QA run with status, and its raw state with --json', async () => {
    const workflowId = `qa:${id}:${await service.repo.head()}`;
    const result = await shipgate(['status', workflowId]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain(`${workflowId}  COMPLETED  stage: done\n`);
    expect(result.stdout).toMatch(/ {4}✓ test {2,}exit 0\n/);
    expect(result.stdout).toMatch(/ {2}outcome {2}test-pass: /);
    expect(result.stdout).toMatch(/ {2}report {3}context\/test-pass-\d{8}-\d{6}\.md\n/);

    const json: unknown = JSON.parse((await shipgate(['status', workflowId, '--json'])).stdout);
    expect(json).toMatchObject({
      workflowId,
      status: 'COMPLETED',
      state: { kind: 'qa', outcome: 'test-pass' },
      result: { outcome: 'test-pass' },
    });
  });

  it('lists the report the QA run wrote', async () => {
    const result = await shipgate(['reports', id]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^test-pass-\d{8}-\d{6}\.md\s+test-pass\s+[0-9a-f]{7}\s/m);
  });

  it('says in one line that a repository is unknown', async () => {
    expect(await shipgate(['qa', 'no-such-repo'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'shipgate: unknown repository "no-such-repo" (SHIPGATE_REPO_NOT_FOUND)\n',
    });
  });

  it('says in one line that a run does not exist', async () => {
    const workflowId = `qa:${id}:${'0'.repeat(40)}`;
    expect(await shipgate(['status', workflowId, '--follow'])).toEqual({
      code: 1,
      stdout: '',
      stderr: `shipgate: no QA run with ID "${workflowId}" (SHIPGATE_RUN_NOT_FOUND)\n`,
    });
  });

  it('says the token was refused, where it came from, and names SHIPGATE_API_TOKEN', async () => {
    const result = await shipgate(['repos'], { SHIPGATE_API_TOKEN: 'not-the-token' });
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toBe(
      'shipgate: the API token from $SHIPGATE_API_TOKEN was refused: set SHIPGATE_API_TOKEN (or pass --token) to the token the API was started with (SHIPGATE_UNAUTHORIZED)\n',
    );
  });

  it('uses the token npm start saved in the dataDir of SHIPGATE_CONFIG, and names that file when it is refused', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'shipgate-cli-config-'));
    try {
      const file = path.join(dir, 'shipgate.config.yaml');
      await writeFile(file, 'dataDir: state\nrepositories: []\n');
      await mkdir(path.join(dir, 'state'));
      const saved = path.join(dir, 'state', '.api-token');
      await writeFile(saved, `${TEST_TOKEN}\n`);
      const env = { SHIPGATE_CONFIG: file, SHIPGATE_API_TOKEN: '' };
      expect(await shipgate(['repos'], env)).toMatchObject({ code: 0, stderr: '' });
      await writeFile(saved, 'stale-token\n');
      expect(await shipgate(['repos'], env)).toEqual({
        code: 1,
        stdout: '',
        stderr: `shipgate: the API token saved in ${saved} was refused: set SHIPGATE_API_TOKEN (or pass --token) to the token the API was started with (SHIPGATE_UNAUTHORIZED)\n`,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('says the API cannot be reached when nothing listens at its URL', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    expect(await shipgate(['repos', '--api', url])).toEqual({
      code: 1,
      stdout: '',
      stderr: `shipgate: cannot reach the shipgate API at ${url} (is \`npm start\` running?)\n`,
    });
  });

  it('plans the first release: version, the reason per commit, and the changelog entry', async () => {
    const result = await shipgate(['plan', id]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe(`Next release of ${id}: 1.0.0 (tag v1.0.0)`);
    expect(result.stdout).toMatch(/^\s+COMMIT\s+TYPE\s+SCOPE\s+BUMP\s+SUBJECT\s+WHY$/m);
    expect(result.stdout).toMatch(/^\s+[0-9a-f]{7}\s+feat\s+-\s+minor\s+greet people over HTTP\s+feat → minor$/m);
    expect(result.stdout).toMatch(/^Changelog entry:\n\n## 1\.0\.0 \(\d{4}-\d{2}-\d{2}\)/m);

    const json: unknown = JSON.parse((await shipgate(['plan', id, '--bump', '2.0.0', '--json'])).stdout);
    expect(json).toMatchObject({ version: '2.0.0', tag: 'v2.0.0', previous: null, commitCount: 1 });
  });

  it('releases and deploys with --follow, and exits 0 when deployed', async () => {
    const result = await shipgate(['release', id, '--follow', '--interval', '200ms']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d release:${id}  status=RUNNING`));
    expect(result.stdout).toMatch(/ deploy="verify 1\.0\.0"/);
    expect(lines.at(-1)).toMatch(new RegExp(`^✓ release:${id} deployed 1\\.0\\.0: `));
    expect(await service.servingVersion()).toBe('1.0.0');
  });

  it('lists the release among the runs of its repository', async () => {
    const result = await shipgate(['list', '--repo', id, '--status', 'completed']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(
        `^release:${id}\\s+[0-9a-f-]{36}\\s+release\\s+main\\s+COMPLETED\\s+done\\s+1\\.0\\.0\\s+deployed\\s`,
        'm',
      ),
    );
  });

  it('lists the runs of release:<repo> with their run IDs, and shows one with status --run', async () => {
    const runs = await shipgate(['runs', `release:${id}`]);
    expect(runs).toMatchObject({ code: 0, stderr: '' });
    const runId = /^([0-9a-f-]{36})\s+COMPLETED\s+1\.0\.0\s+deployed\s/m.exec(runs.stdout)?.[1];
    expect(runId, runs.stdout).toBeDefined();
    const shown = await shipgate(['status', `release:${id}`, '--run', runId!, '--json']);
    expect(shown).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(shown.stdout)).toMatchObject({ runId, status: 'COMPLETED', result: { version: '1.0.0' } });
  });

  it('shows the deploy ledger: what is live, and the run that put it there', async () => {
    const result = await shipgate(['deployments', id]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^production: 1\.0\.0 is live, verified healthy since \d{4}-\d\d-\d\d \d\d:\d\d \(deploy-\d{8}-\d{6}\.md\)$/,
    );
    expect(lines[1]).toMatch(/^VERSION\s+OUTCOME\s+LIVE AFTER\s+TRIGGER\s+REQUESTED BY\s+ENDED\s+REPORT$/);
    expect(lines[2]).toMatch(new RegExp(`^1\\.0\\.0\\s+deployed\\s+1\\.0\\.0\\s+manual\\s+release:${id}`));
    const none = await shipgate(['deployments', faultyId]);
    expect(none.stdout).toBe(`No deployments of ${faultyId} on record in its context/ yet.\n`);
  });

  it('stops with 3 and the commands to send when a deployment awaits a decision, then takes the decision', async () => {
    await faulty.fault('fail-deploy');
    const waiting = await shipgate(['release', faultyId, '--follow', '--interval', '200ms']);
    expect(waiting.code).toBe(3);
    expect(waiting.stdout).toContain(
      `! release:${faultyId} awaits a decision in production: deploying 1.0.0 failed: the deploy command exited with 1`,
    );
    expect(waiting.stdout).toContain(
      [
        `    shipgate retry release:${faultyId}    deploy 1.0.0 again`,
        `    shipgate abandon release:${faultyId}  stop, with the environment as the failed deploy command of 1.0.0 left it`,
      ].join('\n'),
    );
    expect(waiting.stdout).not.toContain('shipgate rollback');

    const again = await shipgate(['release', faultyId]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(
      new RegExp(`\\(SHIPGATE_RELEASE_RUNNING\\); follow it with: shipgate status release:${faultyId} --follow\\n$`),
    );

    const status = await shipgate(['status', `release:${faultyId}`]);
    expect(status.stdout).toContain('awaiting a decision: retry | abandon');

    const abandoned = await shipgate(['abandon', `release:${faultyId}`]);
    expect(abandoned).toMatchObject({ code: 0, stderr: '' });
    expect(abandoned.stdout).toMatch(new RegExp(`^release:${faultyId}: abandon accepted`));

    const ended = await shipgate(['status', `release:${faultyId}`, '--follow', '--interval', '200ms']);
    expect(ended.code).toBe(1);
    expect(ended.stdout.trimEnd().split('\n').at(-1)).toMatch(
      new RegExp(`^✗ release:${faultyId} abandoned 1\\.0\\.0: `),
    );

    const late = await shipgate(['retry', `release:${faultyId}`]);
    expect(late.code).toBe(1);
    expect(late.stderr).toMatch(/^shipgate: .+ \(SHIPGATE_NO_DECISION_AWAITED\)\n$/);
  });

  it('cancels a release, says who asked and what was undone, and refuses a run that has ended', async () => {
    await cancelling.fault('fail-deploy');
    expect((await shipgate(['release', cancelId, '--follow', '--interval', '200ms'])).code).toBe(3);
    const cancelled = await shipgate(['cancel', `release:${cancelId}`, '--reason', 'release freeze']);
    expect(cancelled).toMatchObject({ code: 0, stderr: '' });
    const lines = cancelled.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      new RegExp(`^release:${cancelId}: cancelled by .+ \\(shipgate cancel\\) \\(release freeze\\)$`),
    );
    expect(lines.slice(1)).toEqual([`  undone: deployment deploy:${cancelId}:production cancelled with the release`]);

    const late = await shipgate(['cancel', `release:${cancelId}`]);
    expect(late.code).toBe(1);
    expect(late.stderr).toMatch(/^shipgate: release:.+ has already ended: it is cancelled \(SHIPGATE_RUN_CLOSED\)\n$/);
    const unknown = await shipgate(['cancel', 'nonsense']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/is not a workflow ID/);
  });
});
