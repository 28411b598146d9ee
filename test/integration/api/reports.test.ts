import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serializeReport, type QaReportFrontMatter } from '../../../context/report.js';
import type { ShipgateConfig } from '../../../config/types.js';
import { AUTH, buildTestApp, type TestApp } from '../../helpers/api.js';
import { signReportText } from '../../../activities/report-signing.js';
import { startTestWorker, TEST_REPORT_KEYS, testConfig, type TestWorker } from '../../helpers/temporal.js';

const SHA = '9be07d2c4f1a8e3b5d6c7a8b9e0f1a2b3c4d5e6f';

function qaReport(outcome: QaReportFrontMatter['outcome'], createdAt: string): string {
  const frontMatter: QaReportFrontMatter = {
    outcome,
    repository: 'web',
    branch: 'main',
    commit: SHA,
    tree: 'aa11bb22cc33dd44ee55ff6677889900aabbccdd',
    created_at: createdAt,
    test_command: ['npm', 'test'],
    duration_ms: 1200,
    tests: {
      total: 3,
      passed: outcome === 'test-failures' ? 2 : 3,
      failed: outcome === 'test-failures' ? 1 : 0,
      skipped: 0,
    },
    coverage: { changed_lines: 10, covered_lines: 9, percent: 90, threshold: 80, min_changed_lines: 1, gate: 'passed' },
  };
  return serializeReport(frontMatter, `# ${outcome}\n`);
}

async function writeContext(dir: string, files: Record<string, string>): Promise<void> {
  await mkdir(path.join(dir, 'context'), { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, 'context', name), text);
}

describe('GET /repos/:id/reports', () => {
  let app: TestApp;
  let worker: TestWorker;
  let root: string;
  let config: ShipgateConfig;

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'shipgate-reports-'));
    await writeContext(path.join(root, 'web'), {
      'test-failures-20251013-101500.md': signReportText(
        qaReport('test-failures', '2025-10-13T10:15:00Z'),
        TEST_REPORT_KEYS,
      ),
      'test-pass-20251014-090000.md': qaReport('test-pass', '2025-10-14T09:00:00Z'),
      'test-gaps-20251013-120000.md': 'no front matter here\n',
      'notes.txt': 'not a report',
    });
    // The reports are read by a worker, which holds the key that decides which reports are ours.
    worker = await startTestWorker(
      await testConfig([
        { id: 'web', path: path.join(root, 'web'), test: { command: ['true'] } },
        { id: 'cloned', url: 'https://git.example.test/cloned.git', test: { command: ['true'] } },
        { id: 'empty', path: path.join(root, 'empty'), test: { command: ['true'] } },
      ]),
    );
    config = worker.config;
    app = await buildTestApp(worker.config, worker.client);
  });

  afterAll(async () => {
    await app?.close();
    await worker?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('lists the QA reports newest first, with the parts of their front matter that matter', async () => {
    const response = await app.inject({ method: 'GET', url: '/repos/web/reports', headers: AUTH });
    expect(response.statusCode).toBe(200);
    const { reports, warnings } = response.json();
    expect(reports.map((r: { name: string }) => r.name)).toEqual([
      'test-pass-20251014-090000.md',
      'test-failures-20251013-101500.md',
    ]);
    expect(reports[1]).toEqual({
      name: 'test-failures-20251013-101500.md',
      outcome: 'test-failures',
      commit: SHA,
      created_at: '2025-10-13T10:15:00Z',
      tests: { total: 3, passed: 2, failed: 1, skipped: 0 },
      coverage: {
        changed_lines: 10,
        covered_lines: 9,
        percent: 90,
        threshold: 80,
        min_changed_lines: 1,
        gate: 'passed',
      },
      verified: true,
      verification: `signed with key ${TEST_REPORT_KEYS.current.id}`,
    });
    expect(reports[0]).toMatchObject({ verified: false, verification: 'not signed' });
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/test-gaps-20251013-120000/);
    expect(warnings[1]).toMatch(/^foreign test-pass-20251014-090000\.md: not signed; .*never approves a release/);
  });

  it('reads a URL repository from its clone in the data folder', async () => {
    await writeContext(path.join(config.dataDir, 'work', 'cloned'), {
      'test-pass-20251015-080000.md': qaReport('test-pass', '2025-10-15T08:00:00Z'),
    });
    const response = await app.inject({ method: 'GET', url: '/repos/cloned/reports', headers: AUTH });
    expect(response.json().reports.map((r: { name: string }) => r.name)).toEqual(['test-pass-20251015-080000.md']);
  });

  it('answers an empty list when the working copy has no context/ folder', async () => {
    const response = await app.inject({ method: 'GET', url: '/repos/empty/reports', headers: AUTH });
    expect(response.json()).toEqual({ reports: [], warnings: [] });
  });

  it('answers 404 for an unknown repository', async () => {
    const response = await app.inject({ method: 'GET', url: '/repos/nope/reports', headers: AUTH });
    expect(response.statusCode).toBe(404);
  });
});
