import { describe, expect, it } from 'vitest';
import { qaReason, renderQaReport, type ChangeFacts, type QaReportInput } from '../../../domain/qa-report.js';

const commit = (n: number) => ({
  sha: String(n).repeat(40).slice(0, 40),
  shortSha: String(n).repeat(7).slice(0, 7),
  type: 'feat',
  subject: `change ${n}`,
  bump: 'minor',
  files: ['a.ts'],
});

function input(changes: Partial<ChangeFacts>): QaReportInput {
  return {
    repoId: 'sample',
    branch: 'main',
    sha: 'a'.repeat(40),
    tree: 'b'.repeat(40),
    createdAt: '2026-01-01T00:00:00Z',
    workflowId: 'qa:sample:aaaaaaa',
    runId: 'run',
    changes: {
      baseRef: 'v1.0.0',
      commits: [commit(1)],
      commitCount: 1,
      features: 1,
      fixes: 1,
      breaking: 0,
      others: 0,
      changedFiles: 1,
      changedLines: 1,
      ...changes,
    },
    tests: {
      command: ['npm', 'test'],
      exitCode: 0,
      signal: null,
      timedOut: false,
      timeoutMs: 60_000,
      spawnError: null,
      durationMs: 1_000,
      tail: [],
      logFile: '/tmp/log',
      summary: { total: 1, passed: 1, failed: 0, skipped: 0, failures: [] },
      resultsProblem: null,
    },
    coverage: { configured: false },
  };
}

describe('renderQaReport', () => {
  it('says "1 feature, 1 fix" and "1 file and 1 line" for counts of one', () => {
    const { text } = renderQaReport(input({}));
    expect(text).toContain(
      '1 commit since `v1.0.0`: 1 feature, 1 fix, 0 breaking, 0 other; 1 file and 1 line changed.',
    );
  });

  it('says "2 features, 2 fixes" and "0 files and 0 lines" for other counts', () => {
    const { text } = renderQaReport(
      input({
        commits: [commit(1), commit(2)],
        commitCount: 2,
        features: 2,
        fixes: 2,
        changedFiles: 0,
        changedLines: 0,
      }),
    );
    expect(text).toContain(
      '2 commits since `v1.0.0`: 2 features, 2 fixes, 0 breaking, 0 other; 0 files and 0 lines changed.',
    );
  });
});

describe('qaReason', () => {
  it('says "1 of 1 test failed" and "1 of 2 tests failed"', () => {
    const failing = (total: number) => ({
      ...input({}).tests,
      exitCode: 1,
      summary: { total, passed: total - 1, failed: 1, skipped: 0, failures: [] },
    });
    expect(qaReason(failing(1), { configured: false })).toBe('1 of 1 test failed');
    expect(qaReason(failing(2), { configured: false })).toBe('1 of 2 tests failed');
  });
});

describe('failure analysis without test.results', () => {
  const failingRun = (fromOutput: QaReportInput['tests']['fromOutput']): QaReportInput => {
    const base = input({ commits: [{ ...commit(1), files: ['test/math.test.js'] }] });
    return { ...base, tests: { ...base.tests, exitCode: 1, summary: null, fromOutput } };
  };

  it('names the failing tests read from the console output, and says where they came from', () => {
    const { text } = renderQaReport(
      failingRun({
        runner: 'vitest',
        failures: [
          {
            name: 'math > multiplies',
            file: 'test/math.test.js',
            line: 6,
            message: 'AssertionError: expected 6 to be 7\n\n- 7\n+ 6',
          },
        ],
      }),
    );
    expect(text).toContain('**Verdict:** 1 failing test named in the output of vitest.');
    expect(text).toContain('| math &gt; multiplies | test/math.test.js:6 | 1111111 |');
    expect(text).toContain('```text\nAssertionError: expected 6 to be 7\n\n- 7\n+ 6\n```');
    expect(text).toContain('Read from the console output of vitest; configure `test.results` for exact counts.');
  });

  it('says plainly how to configure test.results when no runner was recognised', () => {
    const { text } = renderQaReport(failingRun(null));
    expect(text).toContain('**Verdict:** the test command exited with 1.');
    expect(text).toContain(
      "The command exited with 1, and its output is not one shipgate reads (node's test runner, vitest or jest), so the failing tests are not named here.",
    );
    expect(text).toContain('set `test.results` to the report your runner writes');
    expect(text).toContain('`results: { format: junit, path: reports/junit.xml }`');
  });
});
