import { describe, expect, it } from 'vitest';
import type { ChangedFile } from '../../../domain/changed-lines.js';
import type { CoverageMap } from '../../../domain/coverage.js';
import {
  DEFAULT_COVERAGE_THRESHOLD,
  DEFAULT_MIN_CHANGED_LINES,
  diffCoverage,
  formatRanges,
} from '../../../domain/diff-coverage.js';

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, index) => from + index);
}

function coverageOf(files: Record<string, { executable: number[]; covered: number[] }>): CoverageMap {
  return new Map(
    Object.entries(files).map(([path, lines]) => [
      path,
      { executable: new Set(lines.executable), covered: new Set(lines.covered) },
    ]),
  );
}

function modified(path: string, lines: number[]): ChangedFile {
  return { path, status: 'modified', lines };
}

describe('diffCoverage', () => {
  it('passes when the share of covered changed executable lines reaches the threshold', () => {
    const result = diffCoverage({
      changed: [modified('src/math.ts', range(1, 30))],
      coverage: coverageOf({ 'src/math.ts': { executable: range(1, 30), covered: range(1, 27) } }),
      threshold: 80,
      minChangedLines: 20,
    });
    expect(result.gate).toBe('passed');
    expect(result.totals).toEqual({ changedLines: 30, executableLines: 30, coveredLines: 27, percent: 90 });
    expect(result.reason).toBe('27 of 30 changed executable lines covered (90.0%), threshold 80%');
  });

  it('fails below the threshold and lists the uncovered lines per file', () => {
    const result = diffCoverage({
      changed: [modified('src/math.ts', [...range(1, 20), 25, 26])],
      coverage: coverageOf({
        'src/math.ts': { executable: [...range(1, 20), 25, 26], covered: [...range(1, 11), 20] },
      }),
      threshold: 80,
      minChangedLines: 20,
    });
    expect(result.gate).toBe('failed');
    expect(result.files).toEqual([
      {
        path: 'src/math.ts',
        changedLines: 22,
        executableLines: 22,
        coveredLines: 12,
        uncovered: [...range(12, 19), 25, 26],
        uncoveredRanges: '12-19,25-26',
        percent: 54.5,
        missingFromReport: false,
      },
    ]);
    expect(result.reason).toBe('12 of 22 changed executable lines covered (54.5%), below the 80% threshold');
  });

  it('counts only changed lines the report knows are executable', () => {
    const result = diffCoverage({
      // Lines 1-5 are comments and type declarations: the report has nothing for them.
      changed: [modified('src/types.ts', [...range(1, 5), ...range(10, 29)])],
      coverage: coverageOf({ 'src/types.ts': { executable: range(8, 40), covered: range(8, 40) } }),
      threshold: 80,
      minChangedLines: 20,
    });
    expect(result.files[0]).toMatchObject({
      changedLines: 25,
      executableLines: 20,
      coveredLines: 20,
      percent: 100,
      uncoveredRanges: '',
    });
    expect(result.gate).toBe('passed');
  });

  it('counts a changed file missing from the coverage report as uncovered', () => {
    const result = diffCoverage({
      changed: [
        modified('src/covered.ts', range(1, 20)),
        { path: 'src/forgotten.ts', status: 'added', lines: range(1, 10) },
      ],
      coverage: coverageOf({ 'src/covered.ts': { executable: range(1, 20), covered: range(1, 20) } }),
      threshold: 80,
      minChangedLines: 20,
    });
    expect(result.files[1]).toEqual({
      path: 'src/forgotten.ts',
      changedLines: 10,
      executableLines: 10,
      coveredLines: 0,
      uncovered: range(1, 10),
      uncoveredRanges: '1-10',
      percent: 0,
      missingFromReport: true,
    });
    expect(result.totals).toEqual({ changedLines: 30, executableLines: 30, coveredLines: 20, percent: 66.7 });
    expect(result.gate).toBe('failed');
    expect(result.reason).toBe(
      '20 of 30 changed executable lines covered (66.7%), below the 80% threshold; 1 changed file is missing from the coverage report',
    );
  });

  it('counts only files that match an include glob', () => {
    const result = diffCoverage({
      changed: [modified('src/a.ts', [1, 2]), modified('scripts/release.ts', [1, 2]), modified('README.md', [1])],
      coverage: coverageOf({ 'src/a.ts': { executable: [1, 2], covered: [1] } }),
      include: ['src/**'],
      threshold: 80,
      minChangedLines: 0,
    });
    expect(result.files.map((file) => file.path)).toEqual(['src/a.ts']);
  });

  it('leaves out files that match an exclude glob, such as the tests themselves', () => {
    const result = diffCoverage({
      changed: [
        modified('src/a.ts', [1]),
        modified('src/a.test.ts', [1, 2, 3]),
        modified('test/unit/b.test.ts', [4]),
        modified('src/.hidden/c.ts', [1]),
      ],
      coverage: coverageOf({
        'src/a.ts': { executable: [1], covered: [1] },
        'src/.hidden/c.ts': { executable: [1], covered: [] },
      }),
      include: ['src/**'],
      exclude: ['**/*.test.ts', 'src/.hidden/**'],
      threshold: 80,
      minChangedLines: 0,
    });
    expect(result.files.map((file) => file.path)).toEqual(['src/a.ts']);
  });

  it('counts every changed file when include is empty or absent', () => {
    const changed = [modified('src/a.ts', [1]), modified('.config/b.ts', [1])];
    const coverage = coverageOf({
      'src/a.ts': { executable: [1], covered: [1] },
      '.config/b.ts': { executable: [1], covered: [1] },
    });
    expect(diffCoverage({ changed, coverage, minChangedLines: 0 }).files).toHaveLength(2);
    expect(diffCoverage({ changed, coverage, include: [], minChangedLines: 0 }).files).toHaveLength(2);
  });

  it('leaves out changed files without changed lines, such as a pure rename', () => {
    const result = diffCoverage({
      changed: [{ path: 'src/renamed.ts', status: 'renamed', lines: [] }],
      coverage: coverageOf({}),
      threshold: 80,
      minChangedLines: 20,
    });
    expect(result.files).toEqual([]);
  });

  it('skips the gate when fewer changed executable lines than the minimum', () => {
    const result = diffCoverage({
      changed: [modified('src/a.ts', range(1, 10))],
      coverage: coverageOf({ 'src/a.ts': { executable: range(1, 7), covered: [] } }),
      threshold: 80,
      minChangedLines: 20,
    });
    expect(result.gate).toBe('skipped');
    expect(result.reason).toBe('only 7 changed executable lines (minimum 20): coverage gate skipped');
    expect(result.totals.percent).toBe(0);
  });

  it('skips the gate when no changed line is executable, even with no minimum', () => {
    const result = diffCoverage({
      changed: [modified('src/types.ts', [1, 2])],
      coverage: coverageOf({ 'src/types.ts': { executable: [], covered: [] } }),
      threshold: 80,
      minChangedLines: 0,
    });
    expect(result.gate).toBe('skipped');
    expect(result.reason).toBe('no changed executable lines: coverage gate skipped');
    expect(result.files[0]?.percent).toBeNull();
    expect(result.totals.percent).toBeNull();
  });

  it('reports no-coverage when there is no coverage report', () => {
    const result = diffCoverage({
      changed: [modified('src/a.ts', range(1, 40))],
      coverage: null,
      threshold: 80,
      minChangedLines: 20,
    });
    expect(result.gate).toBe('no-coverage');
    expect(result.reason).toBe('no coverage report: diff coverage was not measured');
    expect(result.totals).toEqual({ changedLines: 40, executableLines: 0, coveredLines: 0, percent: null });
    expect(result.files[0]).toMatchObject({
      path: 'src/a.ts',
      changedLines: 40,
      percent: null,
      missingFromReport: false,
    });
  });

  it('rounds the percentage to one decimal but compares the exact share', () => {
    const twoThirds = diffCoverage({
      changed: [modified('src/a.ts', range(1, 30))],
      coverage: coverageOf({ 'src/a.ts': { executable: range(1, 30), covered: range(1, 20) } }),
      threshold: 66.7,
      minChangedLines: 20,
    });
    expect(twoThirds.totals.percent).toBe(66.7);
    expect(twoThirds.gate).toBe('failed');
  });

  it('passes a change exactly at the threshold', () => {
    const result = diffCoverage({
      changed: [modified('src/a.ts', range(1, 20))],
      coverage: coverageOf({ 'src/a.ts': { executable: range(1, 20), covered: range(1, 16) } }),
      threshold: 80,
      minChangedLines: 20,
    });
    expect(result.totals.percent).toBe(80);
    expect(result.gate).toBe('passed');
  });

  it('defaults to an 80% threshold and a minimum of 20 changed executable lines', () => {
    const result = diffCoverage({
      changed: [modified('src/a.ts', range(1, 20))],
      coverage: coverageOf({ 'src/a.ts': { executable: range(1, 20), covered: range(1, 15) } }),
    });
    expect(DEFAULT_COVERAGE_THRESHOLD).toBe(80);
    expect(DEFAULT_MIN_CHANGED_LINES).toBe(20);
    expect(result).toMatchObject({ threshold: 80, minChangedLines: 20, gate: 'failed' });
    const small = diffCoverage({ changed: [modified('src/a.ts', range(1, 19))], coverage: coverageOf({}) });
    expect(small).toMatchObject({ minChangedLines: 20, gate: 'skipped' });
  });
});

describe('formatRanges', () => {
  it('joins runs of consecutive lines into ranges', () => {
    expect(formatRanges([12, 13, 14, 15, 20])).toBe('12-15,20');
  });

  it('sorts and de-duplicates its input', () => {
    expect(formatRanges([20, 3, 2, 2, 4, 21, 9])).toBe('2-4,9,20-21');
  });

  it('writes a single line alone and nothing for no lines', () => {
    expect(formatRanges([7])).toBe('7');
    expect(formatRanges([])).toBe('');
  });
});
