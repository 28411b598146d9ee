import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseQaReport } from '../../../context/report.js';
import { qaWorkflow } from '../../../workflows/qa.js';
import { qaStateQuery, workflowIdFor } from '../../../vocabulary/messages.js';
import { createTestRepo, type TestRepo } from '../../helpers/git-repo.js';
import { SAMPLE_FILES, sampleRepoSettings } from '../../helpers/sample-project.js';
import { activityAttempts, startTestWorker, testConfig, type TestWorker } from '../../helpers/temporal.js';

const repos: TestRepo[] = [];
let worker: TestWorker;

async function sampleRepo(): Promise<TestRepo> {
  const repo = await createTestRepo(SAMPLE_FILES);
  repos.push(repo);
  return repo;
}

async function runQa(repoId: string, repo: TestRepo) {
  const sha = await repo.head();
  const handle = await worker.client.workflow.start(qaWorkflow, {
    taskQueue: worker.taskQueue,
    workflowId: `${workflowIdFor('qa', repoId, sha)}:${Math.random().toString(36).slice(2)}`,
    args: [{ repoId, sha }],
  });
  const result = await handle.result();
  const text = await readFile(path.join(repo.dir, 'context', result.report), 'utf8');
  const parsed = parseQaReport(text, result.report);
  if (!parsed.ok) throw new Error(parsed.reason);
  return { result, report: parsed.report, text, handle };
}

describe('QAWorkflow', () => {
  const ids = {
    pass: 'qa-pass',
    failures: 'qa-failures',
    gaps: 'qa-gaps',
    untested: 'qa-untested',
    hang: 'qa-hang',
    nocov: 'qa-nocov',
    missing: 'qa-missing-cmd',
    gone: 'qa-gone',
    console: 'qa-console',
    unknown: 'qa-unknown-output',
  };
  const dirs: Record<string, TestRepo> = {};

  beforeAll(async () => {
    const local = Object.values(ids).filter((id) => id !== ids.gone);
    for (const id of local) dirs[id] = await sampleRepo();
    const settings = local.map((id) => sampleRepoSettings(id, dirs[id]!.dir));
    const hang = settings.find((s) => s.id === ids.hang)!;
    hang.test = { ...hang.test, command: [process.execPath, '-e', 'setInterval(() => {}, 1000)'], timeout: '2s' };
    const nocov = settings.find((s) => s.id === ids.nocov)!;
    nocov.test = { ...nocov.test, command: [process.execPath, '--test', 'test/'] };
    // No test.results: the failing tests come from the console output, or the report says how to configure it.
    const consoleOnly = settings.find((s) => s.id === ids.console)!;
    consoleOnly.test = { command: [process.execPath, '--test', 'test/'], timeout: '2m' };
    delete consoleOnly.coverage;
    const unknown = settings.find((s) => s.id === ids.unknown)!;
    unknown.test = {
      command: [process.execPath, '-e', 'console.log("3 checks, 1 broken"); process.exit(2)'],
      timeout: '2m',
    };
    delete unknown.coverage;
    const missing = settings.find((s) => s.id === ids.missing)!;
    missing.test = { ...missing.test, command: ['shipgate-no-such-test-runner', 'run'] };
    settings.push({ ...sampleRepoSettings(ids.gone, '/nonexistent/shipgate/repo') });
    worker = await startTestWorker(await testConfig(settings));
  });

  afterAll(async () => {
    await worker?.stop();
    await Promise.all(repos.map((r) => r.cleanup()));
  });

  it('writes a test-pass report when the suite passes and changed lines are covered', async () => {
    const repo = dirs[ids.pass]!;
    await repo.commit('feat: subtract', {
      'src/math.js':
        'export function add(a, b) {\n  return a + b;\n}\n\nexport function sub(a, b) {\n  return a - b;\n}\n',
      'test/sub.test.js':
        "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { sub } from '../src/math.js';\n\ntest('subtracts', () => assert.equal(sub(5, 3), 2));\n",
    });
    const { result, report, handle } = await runQa(ids.pass, repo);
    expect(result.outcome).toBe('test-pass');
    expect(result.reused).toBe(false);
    expect(report.name).toMatch(/^test-pass-\d{8}-\d{6}\.md$/);
    expect(report.frontMatter.commit).toBe(await repo.head());
    expect(report.frontMatter.tests).toMatchObject({ failed: 0 });
    expect(report.frontMatter.tests.passed).toBeGreaterThanOrEqual(2);
    expect(report.frontMatter.coverage.gate).toBe('passed');
    const state = await handle.query(qaStateQuery);
    expect(state.steps.map((s) => s.name)).toEqual(['pin', 'inspect', 'analyse', 'test', 'coverage', 'report']);
    expect(state.outcome).toBe('test-pass');
  });

  it('reuses a fresh test-pass instead of running the suite again', async () => {
    const repo = dirs[ids.pass]!;
    const { result } = await runQa(ids.pass, repo);
    expect(result.reused).toBe(true);
    expect(result.reason).toMatch(/covers HEAD/);
  });

  it('writes a test-failures report naming the failing test and its location', async () => {
    const repo = dirs[ids.failures]!;
    await repo.commit('fix: break the maths', { 'src/math.js': 'export function add(a, b) {\n  return a - b;\n}\n' });
    const { result, report, text } = await runQa(ids.failures, repo);
    expect(result.outcome).toBe('test-failures');
    expect(report.frontMatter.tests.failed).toBe(1);
    expect(text).toContain('## Failure analysis');
    expect(text).toContain('adds two numbers');
    expect(text).toMatch(/test\/math\.test\.js:\d+/);
  });

  it("names the failing test from node's console output when test.results is not configured", async () => {
    const repo = dirs[ids.console]!;
    await repo.commit('fix: break the maths', { 'src/math.js': 'export function add(a, b) {\n  return a - b;\n}\n' });
    const { result, text } = await runQa(ids.console, repo);
    expect(result.outcome).toBe('test-failures');
    expect(result.reason).toMatch(/^1 failing test named in the output of node's test runner \((TAP|spec reporter)\)$/);
    expect(text).toMatch(/^\| adds two numbers \| test\/math\.test\.js:6 \| [0-9a-f]{7} \|$/m);
    expect(text).toContain('### adds two numbers');
    expect(text).toMatch(/Expected values to be strictly equal:\n\n-?1 !== 5/);
    expect(text).toContain('configure `test.results` for exact counts');
  });

  it('says how to configure test.results when it cannot tell the failing tests from the output', async () => {
    const repo = dirs[ids.unknown]!;
    await repo.commit('fix: anything');
    const { result, text } = await runQa(ids.unknown, repo);
    expect(result.outcome).toBe('test-failures');
    expect(result.reason).toBe('the test command exited with 2');
    expect(text).toContain("its output is not one shipgate reads (node's test runner, vitest or jest)");
    expect(text).toContain('`results: { format: junit, path: reports/junit.xml }`');
  });

  it('writes a test-gaps report with the uncovered changed lines', async () => {
    const repo = dirs[ids.gaps]!;
    await repo.commit('feat: multiply and divide', {
      'src/math.js':
        'export function add(a, b) {\n  return a + b;\n}\n\nexport function mul(a, b) {\n  return a * b;\n}\n\nexport function div(a, b) {\n  if (b === 0) throw new Error("zero");\n  return a / b;\n}\n',
    });
    const { result, report, text } = await runQa(ids.gaps, repo);
    expect(result.outcome).toBe('test-gaps');
    expect(report.frontMatter.coverage.gate).toBe('failed');
    expect(text).toContain('src/math.js');
    expect(text).toMatch(/\| src\/math\.js \| [\d.]+% \(\d+\/\d+\) \| [\d,-]+ \|/);
  });

  it('counts a brand-new file the tests never load as uncovered', async () => {
    const repo = dirs[ids.untested]!;
    await repo.commit('feat: a module nobody tests', {
      'src/lonely.js': 'export function lonely() {\n  return 42;\n}\n',
    });
    const { result, text } = await runQa(ids.untested, repo);
    expect(result.outcome).toBe('test-gaps');
    expect(text).toContain('src/lonely.js (not in the coverage report)');
  });

  it('kills a hanging suite at its timeout and says so', async () => {
    const { result, report, text } = await runQa(ids.hang, dirs[ids.hang]!);
    expect(result.outcome).toBe('test-failures');
    expect(report.frontMatter.timed_out).toBe(true);
    expect(text).toMatch(/timed out after 2\.0s/);
  });

  it('reports gaps when coverage is configured but the suite wrote none', async () => {
    const { result, text } = await runQa(ids.nocov, dirs[ids.nocov]!);
    expect(result.outcome).toBe('test-gaps');
    expect(text).toMatch(/No coverage was produced: the test command wrote no coverage file at coverage\/lcov\.info/);
  });

  it('writes a test-failures report when the test command does not exist', async () => {
    const { result, text } = await runQa(ids.missing, dirs[ids.missing]!);
    expect(result.outcome).toBe('test-failures');
    expect(text).toMatch(/could not be started/);
  });

  it('fails with a readable, non-retryable error when the repository path is missing', async () => {
    const handle = await worker.client.workflow.start(qaWorkflow, {
      taskQueue: worker.taskQueue,
      workflowId: `qa:${ids.gone}:test-${Date.now()}`,
      args: [{ repoId: ids.gone, sha: '0'.repeat(40) }],
    });
    const error = await handle.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause?.cause as (Error & { type?: string }) | undefined;
    expect(cause?.message).toMatch(/\/nonexistent\/shipgate\/repo does not exist/);
    expect(cause?.type).toBe('SHIPGATE_REPO_UNAVAILABLE');
    expect(Math.max(...Object.values(await activityAttempts(handle)))).toBe(1);
  });
});
