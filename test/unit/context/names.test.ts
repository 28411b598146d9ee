import { describe, expect, it } from 'vitest';
import {
  QA_REPORT_KINDS,
  REPORT_KINDS,
  compareReportNames,
  isQaReportKind,
  parseReportFileName,
  reportFileName,
  reportStamp,
  reportStem,
} from '../../../context/names.js';

const AT = new Date('2025-10-13T23:45:59.750Z');

describe('report kinds', () => {
  it('lists the three QA kinds and deploy', () => {
    expect(REPORT_KINDS).toEqual(['test-pass', 'test-failures', 'test-gaps', 'deploy']);
    expect(QA_REPORT_KINDS).toEqual(['test-pass', 'test-failures', 'test-gaps']);
  });

  it('tells QA kinds apart from deploy and strangers', () => {
    expect(isQaReportKind('test-gaps')).toBe(true);
    expect(isQaReportKind('deploy')).toBe(false);
    expect(isQaReportKind('test')).toBe(false);
  });
});

describe('reportStamp', () => {
  it('writes the UTC date and time as YYYYMMDD-HHMMSS, dropping milliseconds', () => {
    expect(reportStamp(AT)).toBe('20251013-234559');
  });

  it('uses UTC even when the local offset would change the day', () => {
    expect(reportStamp(new Date('2025-10-14T01:30:00+02:00'))).toBe('20251013-233000');
  });

  it('pads every part to its width', () => {
    expect(reportStamp(new Date('0987-01-02T03:04:05Z'))).toBe('09870102-030405');
  });

  it('refuses an invalid date', () => {
    expect(() => reportStamp(new Date('not a date'))).toThrow(RangeError);
  });

  it('refuses a year that does not fit four digits', () => {
    expect(() => reportStamp(new Date('+010000-01-01T00:00:00Z'))).toThrow(RangeError);
  });
});

describe('reportFileName', () => {
  it('names the first report of a second without a suffix', () => {
    expect(reportFileName('test-pass', AT, [])).toBe('test-pass-20251013-234559.md');
  });

  it('names each kind after itself', () => {
    expect(REPORT_KINDS.map((kind) => reportFileName(kind, AT, []))).toEqual([
      'test-pass-20251013-234559.md',
      'test-failures-20251013-234559.md',
      'test-gaps-20251013-234559.md',
      'deploy-20251013-234559.md',
    ]);
  });

  it('gives a second report of the same kind in the same second the suffix -2', () => {
    expect(reportFileName('test-pass', AT, ['test-pass-20251013-234559.md'])).toBe('test-pass-20251013-234559-2.md');
  });

  it('keeps counting up: -3 after -2', () => {
    const existing = ['test-pass-20251013-234559.md', 'test-pass-20251013-234559-2.md'];
    expect(reportFileName('test-pass', AT, existing)).toBe('test-pass-20251013-234559-3.md');
  });

  it('continues after the highest suffix rather than filling a gap, so the new report sorts newest', () => {
    const existing = ['test-pass-20251013-234559.md', 'test-pass-20251013-234559-4.md'];
    expect(reportFileName('test-pass', AT, existing)).toBe('test-pass-20251013-234559-5.md');
  });

  it('recognises existing names given as paths', () => {
    expect(reportFileName('test-gaps', AT, ['context/test-gaps-20251013-234559.md'])).toBe(
      'test-gaps-20251013-234559-2.md',
    );
  });

  it('ignores other kinds and other seconds when choosing the suffix', () => {
    const existing = ['test-failures-20251013-234559.md', 'test-pass-20251013-234558.md', 'README.md'];
    expect(reportFileName('test-pass', AT, existing)).toBe('test-pass-20251013-234559.md');
  });

  it('never returns a name that already exists', () => {
    const existing: string[] = [];
    for (let index = 0; index < 12; index += 1) {
      const name = reportFileName('deploy', AT, existing);
      expect(existing).not.toContain(name);
      existing.push(name);
    }
    expect(existing.at(-1)).toBe('deploy-20251013-234559-12.md');
  });
});

describe('parseReportFileName', () => {
  it('reads kind, stamp, sequence and the UTC timestamp from a bare name', () => {
    expect(parseReportFileName('test-failures-20251013-234559.md')).toEqual({
      kind: 'test-failures',
      stamp: '20251013-234559',
      sequence: 1,
      timestampMs: Date.parse('2025-10-13T23:45:59Z'),
    });
  });

  it('reads the sequence from a suffix', () => {
    expect(parseReportFileName('test-pass-20251013-234559-2.md')?.sequence).toBe(2);
    expect(parseReportFileName('test-pass-20251013-234559-17.md')?.sequence).toBe(17);
  });

  it('accepts a path ending in a report name', () => {
    expect(parseReportFileName('context/deploy-20251013-234559.md')?.kind).toBe('deploy');
    expect(parseReportFileName('repos/acme/context/test-gaps-20251013-234559-3.md')?.sequence).toBe(3);
  });

  it('round-trips every name reportFileName produces', () => {
    const name = reportFileName('test-gaps', AT, ['test-gaps-20251013-234559.md']);
    expect(parseReportFileName(name)).toMatchObject({ kind: 'test-gaps', stamp: reportStamp(AT), sequence: 2 });
  });

  it('accepts 29 February in a leap year', () => {
    expect(parseReportFileName('test-pass-20240229-120000.md')).not.toBeNull();
  });

  it.each([
    ['an unknown kind', 'test-flaky-20251013-234559.md'],
    ['a kind in capitals', 'TEST-PASS-20251013-234559.md'],
    ['another extension', 'test-pass-20251013-234559.txt'],
    ['an upper-case extension', 'test-pass-20251013-234559.MD'],
    ['no extension', 'test-pass-20251013-234559'],
    ['month 13', 'test-pass-20251313-234559.md'],
    ['month 0', 'test-pass-20250013-234559.md'],
    ['31 April', 'test-pass-20250431-120000.md'],
    ['29 February in a common year', 'test-pass-20250229-120000.md'],
    ['hour 24', 'test-pass-20251013-240000.md'],
    ['minute 60', 'test-pass-20251013-236000.md'],
    ['second 60', 'test-pass-20251013-235960.md'],
    ['a short date', 'test-pass-2025101-234559.md'],
    ['a missing time', 'test-pass-20251013.md'],
    ['suffix -1, which the bare name already means', 'test-pass-20251013-234559-1.md'],
    ['suffix -0', 'test-pass-20251013-234559-0.md'],
    ['a suffix with a leading zero', 'test-pass-20251013-234559-02.md'],
    ['a non-numeric suffix', 'test-pass-20251013-234559-b.md'],
    ['a prefix before the kind', 'old-test-pass-20251013-234559.md'],
    ['a trailing directory separator', 'context/test-pass-20251013-234559.md/'],
    ['README.md', 'README.md'],
    ['release-number', 'release-number'],
    ['an empty name', ''],
  ])('rejects %s', (_case, name) => {
    expect(parseReportFileName(name)).toBeNull();
  });
});

describe('reportStem', () => {
  it('drops the directory and the .md extension', () => {
    expect(reportStem('context/test-pass-20251013-234559-2.md')).toBe('test-pass-20251013-234559-2');
  });
});

describe('compareReportNames', () => {
  it('sorts oldest to newest by timestamp, across days and kinds', () => {
    const names = [
      'test-pass-20251014-000000.md',
      'deploy-20251013-120000.md',
      'test-failures-20251013-234559.md',
      'test-gaps-20241231-235959.md',
    ];
    expect([...names].sort(compareReportNames)).toEqual([
      'test-gaps-20241231-235959.md',
      'deploy-20251013-120000.md',
      'test-failures-20251013-234559.md',
      'test-pass-20251014-000000.md',
    ]);
  });

  it('orders reports in the same second by suffix, numerically', () => {
    const names = [
      'test-pass-20251013-234559-10.md',
      'test-pass-20251013-234559-2.md',
      'test-pass-20251013-234559.md',
      'test-pass-20251013-234559-3.md',
    ];
    expect([...names].sort(compareReportNames)).toEqual([
      'test-pass-20251013-234559.md',
      'test-pass-20251013-234559-2.md',
      'test-pass-20251013-234559-3.md',
      'test-pass-20251013-234559-10.md',
    ]);
  });

  it('ranks a pass older than a failure or gap written in the same second', () => {
    const names = ['test-failures-20251013-234559.md', 'test-pass-20251013-234559.md', 'test-gaps-20251013-234559.md'];
    expect([...names].sort(compareReportNames)).toEqual([
      'test-pass-20251013-234559.md',
      'test-gaps-20251013-234559.md',
      'test-failures-20251013-234559.md',
    ]);
  });

  it('compares paths by the report name at their end', () => {
    expect(compareReportNames('z/test-pass-20251013-000000.md', 'a/test-pass-20251014-000000.md')).toBeLessThan(0);
  });

  it('puts names that are not reports before every report', () => {
    expect(['test-pass-20251013-234559.md', 'README.md', 'notes.md'].sort(compareReportNames)).toEqual([
      'README.md',
      'notes.md',
      'test-pass-20251013-234559.md',
    ]);
  });

  it('treats a name as equal to itself', () => {
    expect(compareReportNames('test-pass-20251013-234559.md', 'test-pass-20251013-234559.md')).toBe(0);
  });
});
