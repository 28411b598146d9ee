import { describe, expect, it } from 'vitest';
import { renderReports } from '../../../../cli/commands/reports.js';
import { at } from '../runs.js';

/** Three tests passed, and four changed lines all covered. */
const PASSED = {
  tests: { total: 3, passed: 3, failed: 0, skipped: 0 },
  coverage: { changed_lines: 4, covered_lines: 4, percent: 100, threshold: 80, min_changed_lines: 1, gate: 'passed' },
};

describe('renderReports', () => {
  it('lists reports with their tests and coverage, then any warnings', () => {
    const lines = renderReports(
      'sample',
      [
        {
          name: 'test-pass-20251013-100005.md',
          outcome: 'test-pass',
          commit: 'abc1234def',
          created_at: at(10, 0, 5),
          ...PASSED,
          verified: false,
          verification: 'not signed',
        },
        {
          name: 'test-pass-20251013-100000.md',
          outcome: 'test-pass',
          commit: 'abc1234def',
          created_at: at(10, 0, 0),
          ...PASSED,
          verified: true,
          verification: 'signed with key 1a2b3c4d',
        },
      ] as never,
      ['context/odd.md: no front matter'],
    );
    expect(lines).toEqual([
      'REPORT                        OUTCOME    COMMIT   CREATED           TESTS       COVERAGE     SIGNED',
      'test-pass-20251013-100005.md  test-pass  abc1234  2025-10-13 10:00  3/3 passed  100% passed  NO (foreign)',
      'test-pass-20251013-100000.md  test-pass  abc1234  2025-10-13 10:00  3/3 passed  100% passed  yes',
      'warning: context/odd.md: no front matter',
    ]);
  });
});
