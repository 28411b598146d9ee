import { describe, expect, it } from 'vitest';
import { listReports, newestReport } from '../../../context/recency.js';
import { serializeReport } from '../../../context/report.js';
import { qaFrontMatter, qaReportFile } from './report-fixtures.js';

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
