import { describe, expect, it } from 'vitest';
import { isApprovalFresh, listReports, newestReport, type ApprovalInput } from '../../../context/recency.js';
import { serializeReport, type QaReport, type QaReportFrontMatter } from '../../../context/report.js';
import { HEAD_SHA, HEAD_TREE, OLD_SHA, OLD_TREE, qaFrontMatter, qaReportFile } from './report-fixtures.js';

describe('newestReport', () => {
  it('finds nothing, without warnings, in an empty context folder', () => {
    expect(newestReport([])).toEqual({ report: null, warnings: [] });
  });

  it('picks the newest report by file name timestamp across all QA kinds', () => {
    const files = [
      qaReportFile('test-pass-20251012-090000.md'),
      qaReportFile('test-failures-20251013-234559.md'),
      qaReportFile('test-gaps-20251013-120000.md'),
    ];
    const { report, warnings } = newestReport(files);
    expect(report?.name).toBe('test-failures-20251013-234559.md');
    expect(report?.kind).toBe('test-failures');
    expect(warnings).toEqual([]);
  });

  it('trusts the file name over created_at when ordering', () => {
    const files = [
      qaReportFile('test-pass-20251013-100000.md', { created_at: '2030-01-01T00:00:00Z' }),
      qaReportFile('test-failures-20251013-110000.md', { created_at: '2020-01-01T00:00:00Z' }),
    ];
    expect(newestReport(files).report?.name).toBe('test-failures-20251013-110000.md');
  });

  it('picks the highest suffix among reports written in the same second', () => {
    const files = [
      qaReportFile('test-pass-20251013-234559-3.md'),
      qaReportFile('test-failures-20251013-234559-10.md'),
      qaReportFile('test-pass-20251013-234559.md'),
      qaReportFile('test-failures-20251013-234559-2.md'),
    ];
    expect(newestReport(files).report?.name).toBe('test-failures-20251013-234559-10.md');
  });

  it('treats a pass as older than a failure written in the same second', () => {
    const files = [qaReportFile('test-failures-20251013-234559.md'), qaReportFile('test-pass-20251013-234559.md')];
    expect(newestReport(files).report?.kind).toBe('test-failures');
  });

  it('limits the search to the kinds asked for', () => {
    const files = [qaReportFile('test-pass-20251012-090000.md'), qaReportFile('test-failures-20251013-234559.md')];
    expect(newestReport(files, ['test-pass']).report?.name).toBe('test-pass-20251012-090000.md');
    expect(newestReport(files, ['test-gaps'])).toEqual({ report: null, warnings: [] });
  });

  it('does not warn about broken files of kinds it was not asked for', () => {
    const files = [qaReportFile('test-pass-20251012-090000.md'), { name: 'test-failures-20251013-234559.md', content: 'oops' }];
    expect(newestReport(files, ['test-pass']).warnings).toEqual([]);
  });

  it('passes over deploy reports quietly, even when asked for them', () => {
    const deploy = {
      name: 'deploy-20251014-000000.md',
      content: serializeReport({ outcome: 'deployed', environment: 'production' }, '# Deployed\n'),
    };
    const files = [qaReportFile('test-pass-20251012-090000.md'), deploy];
    expect(newestReport(files)).toMatchObject({ report: { name: 'test-pass-20251012-090000.md' }, warnings: [] });
    expect(newestReport(files, ['deploy', 'test-pass']).warnings).toEqual([]);
  });

  it('accepts files named by their path in the repository', () => {
    const files = [qaReportFile('context/test-pass-20251013-234559.md'), qaReportFile('context/test-gaps-20251012-000000.md')];
    expect(newestReport(files).report?.name).toBe('test-pass-20251013-234559.md');
  });

  it('skips a newer broken report, warns about it and falls back to the newest valid one', () => {
    const files = [
      qaReportFile('test-pass-20251012-090000.md'),
      { name: 'test-failures-20251013-234559.md', content: '---\noutcome: [test-failures\n---\n' },
    ];
    const { report, warnings } = newestReport(files);
    expect(report?.name).toBe('test-pass-20251012-090000.md');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^skipped test-failures-20251013-234559\.md: invalid YAML in front matter/);
  });

  it('skips a report whose outcome disagrees with its file name', () => {
    const files = [
      qaReportFile('test-pass-20251012-090000.md'),
      { name: 'test-pass-20251013-234559.md', content: serializeReport(qaFrontMatter({ outcome: 'test-failures' }), 'x\n') },
    ];
    const { report, warnings } = newestReport(files);
    expect(report?.name).toBe('test-pass-20251012-090000.md');
    expect(warnings).toEqual([
      'skipped test-pass-20251013-234559.md: outcome "test-failures" disagrees with the file name, which says test-pass',
    ]);
  });

  it('skips foreign files with one readable warning each and never crashes', () => {
    const files = [
      { name: 'README.md', content: '# Context\n\nReports written by shipgate.\n' },
      { name: 'release-number', content: '42\n' },
      { name: 'notes.md', content: '---\ntitle: notes\n---\n' },
      { name: 'test-pass-20251313-000000.md', content: serializeReport(qaFrontMatter(), 'x\n') },
      { name: 'test-gaps-20251013-000000.md', content: '\u0000\u0001binary' },
      { name: 'test-pass-20251013-000001.md', content: '' },
      { name: 'test-pass-20251013-000002.md', content: '---\n- a list\n---\n' },
      { name: 'test-pass-20251013-000003.md', content: serializeReport(qaFrontMatter({ commit: 'abc' }), 'x\n') },
    ];
    const { report, warnings } = newestReport(files);
    expect(report).toBeNull();
    expect(warnings).toEqual([
      'skipped README.md: not a report file name (expected <kind>-YYYYMMDD-HHMMSS[-N].md)',
      'skipped release-number: not a report file name (expected <kind>-YYYYMMDD-HHMMSS[-N].md)',
      'skipped notes.md: not a report file name (expected <kind>-YYYYMMDD-HHMMSS[-N].md)',
      'skipped test-pass-20251313-000000.md: not a report file name (expected <kind>-YYYYMMDD-HHMMSS[-N].md)',
      'skipped test-gaps-20251013-000000.md: file looks binary',
      'skipped test-pass-20251013-000001.md: file is empty',
      'skipped test-pass-20251013-000002.md: front matter must be a mapping, got a list',
      'skipped test-pass-20251013-000003.md: field "commit" must be a 40-character hex SHA, got "abc"',
    ]);
  });
});

describe('listReports', () => {
  it('lists every valid QA report newest first, with warnings for the rest', () => {
    const files = [
      qaReportFile('test-pass-20251013-234559.md'),
      { name: 'README.md', content: '# Context\n' },
      qaReportFile('test-gaps-20251014-000000.md'),
      qaReportFile('test-pass-20251013-234559-2.md'),
      qaReportFile('test-failures-20251001-080000.md'),
    ];
    const { reports, warnings } = listReports(files);
    expect(reports.map((report) => report.name)).toEqual([
      'test-gaps-20251014-000000.md',
      'test-pass-20251013-234559-2.md',
      'test-pass-20251013-234559.md',
      'test-failures-20251001-080000.md',
    ]);
    expect(warnings).toEqual(['skipped README.md: not a report file name (expected <kind>-YYYYMMDD-HHMMSS[-N].md)']);
  });

  it('returns parsed front matter and body for each report', () => {
    const [report] = listReports([qaReportFile('test-gaps-20251014-000000.md')]).reports;
    expect(report).toEqual({
      name: 'test-gaps-20251014-000000.md',
      kind: 'test-gaps',
      frontMatter: qaFrontMatter({ outcome: 'test-gaps' }),
      body: '# test-gaps-20251014-000000.md\n',
    });
  });

  it('does not reorder the files it was given', () => {
    const files = [qaReportFile('test-pass-20251012-000000.md'), qaReportFile('test-pass-20251013-000000.md')];
    const names = files.map((file) => file.name);
    listReports(files);
    expect(files.map((file) => file.name)).toEqual(names);
  });
});

const PASS_NAME = 'test-pass-20251013-234559.md';
const REPORT_WRITTEN_AT = '2025-10-13T23:45:59Z';
const REPORT_WRITTEN_MS = Date.parse(REPORT_WRITTEN_AT);
const HOUR = 3_600_000;

function report(name: string, overrides: Partial<QaReportFrontMatter> = {}): QaReport {
  const kind = name.startsWith('test-failures') ? 'test-failures' : name.startsWith('test-gaps') ? 'test-gaps' : 'test-pass';
  return {
    name,
    kind,
    frontMatter: qaFrontMatter({ outcome: kind, created_at: REPORT_WRITTEN_AT, ...overrides }),
    body: '',
  };
}

const PENDING = [
  { sha: 'c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1', committedAtMs: REPORT_WRITTEN_MS - 4 * HOUR },
  { sha: 'c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2', committedAtMs: REPORT_WRITTEN_MS - 3 * HOUR },
  { sha: 'c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3', committedAtMs: REPORT_WRITTEN_MS - 2 * HOUR },
];

function input(overrides: Partial<ApprovalInput> = {}): ApprovalInput {
  return {
    report: report(PASS_NAME),
    head: { sha: HEAD_SHA, tree: HEAD_TREE, committedAtMs: REPORT_WRITTEN_MS - HOUR },
    pending: PENDING,
    ...overrides,
  };
}

describe('isApprovalFresh', () => {
  it('approves a pass for HEAD written after HEAD and every pending commit', () => {
    expect(isApprovalFresh(input())).toEqual({
      fresh: true,
      reason: 'test-pass-20251013-234559 covers HEAD 9be07d2 and is newer than all 4 pending commits',
    });
  });

  it('counts HEAD once when the pending commits already include it', () => {
    const head = { sha: HEAD_SHA, tree: HEAD_TREE, committedAtMs: REPORT_WRITTEN_MS - HOUR };
    const verdict = isApprovalFresh(input({ head, pending: [...PENDING, head] }));
    expect(verdict.reason).toContain('newer than all 4 pending commits');
  });

  it('speaks of a single pending commit when HEAD is the only change', () => {
    expect(isApprovalFresh(input({ pending: [] })).reason).toBe(
      'test-pass-20251013-234559 covers HEAD 9be07d2 and is newer than the 1 pending commit',
    );
  });

  it('approves a pass for a different SHA with the same tree, since it tested the same code', () => {
    const verdict = isApprovalFresh(input({ report: report(PASS_NAME, { commit: OLD_SHA, tree: HEAD_TREE }) }));
    expect(verdict).toEqual({
      fresh: true,
      reason: 'test-pass-20251013-234559 covers HEAD 9be07d2 by its tree (tested as 3f2a1c9) and is newer than all 4 pending commits',
    });
  });

  it('approves a pass for HEAD even if the recorded tree differs', () => {
    expect(isApprovalFresh(input({ report: report(PASS_NAME, { tree: OLD_TREE }) })).fresh).toBe(true);
  });

  it('compares SHAs without regard to letter case', () => {
    expect(isApprovalFresh(input({ report: report(PASS_NAME, { commit: HEAD_SHA.toUpperCase(), tree: OLD_TREE }) })).fresh).toBe(
      true,
    );
  });

  it('refuses when there is no report at all', () => {
    expect(isApprovalFresh(input({ report: null }))).toEqual({ fresh: false, reason: 'no test-pass report in context/' });
  });

  it('refuses when the newest report records failures', () => {
    expect(isApprovalFresh(input({ report: report('test-failures-20251013-234559.md') }))).toEqual({
      fresh: false,
      reason: 'newest report test-failures-20251013-234559 is not a pass',
    });
  });

  it('refuses when the newest report records coverage gaps', () => {
    expect(isApprovalFresh(input({ report: report('test-gaps-20251013-234559-2.md') }))).toEqual({
      fresh: false,
      reason: 'newest report test-gaps-20251013-234559-2 is not a pass',
    });
  });

  it('refuses a pass for another commit with another tree', () => {
    expect(isApprovalFresh(input({ report: report(PASS_NAME, { commit: OLD_SHA, tree: OLD_TREE }) }))).toEqual({
      fresh: false,
      reason: 'test-pass-20251013-234559 covers 3f2a1c9, HEAD is 9be07d2',
    });
  });

  it('refuses when the QA pass is older than HEAD', () => {
    const head = { sha: HEAD_SHA, tree: HEAD_TREE, committedAtMs: REPORT_WRITTEN_MS + 30_000 };
    expect(isApprovalFresh(input({ head }))).toEqual({
      fresh: false,
      reason: 'test-pass-20251013-234559 was written at 2025-10-13T23:45:59.000Z before commit 9be07d2 at 2025-10-13T23:46:29.000Z',
    });
  });

  it('refuses when a pending commit is dated after the pass, naming the latest such commit', () => {
    const pending = [
      ...PENDING,
      { sha: 'd4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4', committedAtMs: REPORT_WRITTEN_MS + HOUR },
      { sha: 'e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5', committedAtMs: REPORT_WRITTEN_MS + 2 * HOUR },
    ];
    expect(isApprovalFresh(input({ pending }))).toEqual({
      fresh: false,
      reason: 'test-pass-20251013-234559 was written at 2025-10-13T23:45:59.000Z before commit e5e5e5e at 2025-10-14T01:45:59.000Z',
    });
  });

  it('refuses when the pass was written in the same millisecond as a commit, since it must be newer', () => {
    const head = { sha: HEAD_SHA, tree: HEAD_TREE, committedAtMs: REPORT_WRITTEN_MS };
    expect(isApprovalFresh(input({ head })).fresh).toBe(false);
  });

  it('approves a pass written one millisecond after the latest commit', () => {
    const head = { sha: HEAD_SHA, tree: HEAD_TREE, committedAtMs: REPORT_WRITTEN_MS - 1 };
    expect(isApprovalFresh(input({ head })).fresh).toBe(true);
  });

  it('uses the milliseconds of created_at', () => {
    const head = { sha: HEAD_SHA, tree: HEAD_TREE, committedAtMs: REPORT_WRITTEN_MS + 100 };
    const written = report(PASS_NAME, { created_at: '2025-10-13T23:45:59.250Z' });
    expect(isApprovalFresh(input({ head, report: written })).fresh).toBe(true);
  });

  it('refuses when a pending commit has an unknown date', () => {
    const pending = [{ sha: 'f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6', committedAtMs: Number.NaN }];
    expect(isApprovalFresh(input({ pending }))).toEqual({
      fresh: false,
      reason: 'test-pass-20251013-234559 was written at 2025-10-13T23:45:59.000Z before commit f6f6f6f at an unknown time',
    });
  });

  it('refuses a hand-built report whose created_at is not a timestamp', () => {
    expect(isApprovalFresh(input({ report: report(PASS_NAME, { created_at: 'yesterday' }) }))).toEqual({
      fresh: false,
      reason: 'test-pass-20251013-234559 has no valid created_at ("yesterday")',
    });
  });
});
