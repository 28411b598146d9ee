import picomatch from 'picomatch';
import type { ChangedFile } from './changed-lines.js';
import type { CoverageMap } from './coverage.js';

export const DEFAULT_COVERAGE_THRESHOLD = 80;
export const DEFAULT_MIN_CHANGED_LINES = 20;

export interface DiffCoverageInput {
  changed: ChangedFile[];
  /** null when the test run produced no coverage report. */
  coverage: CoverageMap | null;
  /** Globs of files that count; empty or absent means every file. */
  include?: string[];
  /** Globs of files that never count, applied after `include`. */
  exclude?: string[];
  /** Percent of changed executable lines that must be covered; default 80. */
  threshold?: number;
  /** Below this many changed executable lines the gate is skipped; default 20. */
  minChangedLines?: number;
}

export interface FileDiffCoverage {
  path: string;
  changedLines: number;
  executableLines: number;
  coveredLines: number;
  uncovered: number[];
  /** `12-15,20` */
  uncoveredRanges: string;
  /** Rounded to one decimal; null when no changed line is executable. */
  percent: number | null;
  /** The report has no entry for this file, so all its changed lines count as uncovered. */
  missingFromReport: boolean;
}

export interface DiffCoverageTotals {
  changedLines: number;
  executableLines: number;
  coveredLines: number;
  percent: number | null;
}

export type CoverageGate = 'passed' | 'failed' | 'skipped' | 'no-coverage';

export interface DiffCoverageResult {
  files: FileDiffCoverage[];
  totals: DiffCoverageTotals;
  threshold: number;
  minChangedLines: number;
  gate: CoverageGate;
  reason: string;
}

/** How well the tests cover the lines a change adds or modifies, and whether that passes the gate. */
export function diffCoverage(input: DiffCoverageInput): DiffCoverageResult {
  const threshold = input.threshold ?? DEFAULT_COVERAGE_THRESHOLD;
  const minChangedLines = input.minChangedLines ?? DEFAULT_MIN_CHANGED_LINES;
  const counts = fileFilter(input.include, input.exclude);
  const coverage = input.coverage;

  const files = input.changed
    .filter((file) => file.lines.length > 0 && counts(file.path))
    .map((file) => (coverage ? measureFile(file, coverage) : unmeasuredFile(file)));
  const totals = sumTotals(files);
  const result = { files, totals, threshold, minChangedLines };

  if (!coverage) {
    return { ...result, gate: 'no-coverage', reason: 'no coverage report: diff coverage was not measured' };
  }
  const { executableLines, coveredLines } = totals;
  if (executableLines === 0) {
    return { ...result, gate: 'skipped', reason: 'no changed executable lines: coverage gate skipped' };
  }
  if (executableLines < minChangedLines) {
    const noun = executableLines === 1 ? 'line' : 'lines';
    return {
      ...result,
      gate: 'skipped',
      reason: `only ${executableLines} changed executable ${noun} (minimum ${minChangedLines}): coverage gate skipped`,
    };
  }
  // Compared as products, not as a rounded percentage: 4 of 5 lines is exactly 80%, and 79.96% never rounds up to a pass.
  const passed = coveredLines * 100 >= threshold * executableLines;
  const summary = `${coveredLines} of ${executableLines} changed executable lines covered (${(totals.percent ?? 0).toFixed(1)}%)`;
  const missing = files.filter((file) => file.missingFromReport).length;
  const missingNote =
    missing === 0
      ? ''
      : `; ${missing} changed ${missing === 1 ? 'file is' : 'files are'} missing from the coverage report`;
  return passed
    ? { ...result, gate: 'passed', reason: `${summary}, threshold ${threshold}%${missingNote}` }
    : { ...result, gate: 'failed', reason: `${summary}, below the ${threshold}% threshold${missingNote}` };
}

/** Line numbers as ranges: [12, 13, 14, 15, 20] becomes `12-15,20`. */
export function formatRanges(lines: number[]): string {
  const ranges: [number, number][] = [];
  for (const line of [...new Set(lines)].sort((a, b) => a - b)) {
    const last = ranges.at(-1);
    if (last && line === last[1] + 1) last[1] = line;
    else ranges.push([line, line]);
  }
  return ranges.map(([start, end]) => (start === end ? `${start}` : `${start}-${end}`)).join(',');
}

function fileFilter(include: string[] | undefined, exclude: string[] | undefined): (path: string) => boolean {
  const options = { dot: true };
  const included = include && include.length > 0 ? picomatch(include, options) : () => true;
  const excluded = exclude && exclude.length > 0 ? picomatch(exclude, options) : () => false;
  return (path) => included(path) && !excluded(path);
}

function measureFile(file: ChangedFile, coverage: CoverageMap): FileDiffCoverage {
  const report = coverage.get(file.path);
  // A file the report never saw is usually one no test imports: its lines are untested, not exempt.
  const executable = report ? file.lines.filter((line) => report.executable.has(line)) : file.lines;
  const uncovered = report ? executable.filter((line) => !report.covered.has(line)) : executable;
  const coveredLines = executable.length - uncovered.length;
  return {
    path: file.path,
    changedLines: file.lines.length,
    executableLines: executable.length,
    coveredLines,
    uncovered,
    uncoveredRanges: formatRanges(uncovered),
    percent: percent(coveredLines, executable.length),
    missingFromReport: !report,
  };
}

function unmeasuredFile(file: ChangedFile): FileDiffCoverage {
  return {
    path: file.path,
    changedLines: file.lines.length,
    executableLines: 0,
    coveredLines: 0,
    uncovered: [],
    uncoveredRanges: '',
    percent: null,
    missingFromReport: false,
  };
}

function sumTotals(files: FileDiffCoverage[]): DiffCoverageTotals {
  let changedLines = 0;
  let executableLines = 0;
  let coveredLines = 0;
  for (const file of files) {
    changedLines += file.changedLines;
    executableLines += file.executableLines;
    coveredLines += file.coveredLines;
  }
  return { changedLines, executableLines, coveredLines, percent: percent(coveredLines, executableLines) };
}

function percent(covered: number, executable: number): number | null {
  return executable === 0 ? null : Math.round((covered * 1000) / executable) / 10;
}
