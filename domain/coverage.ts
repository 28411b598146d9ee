import { posix } from 'node:path';
import { lcovParser } from '@friedemannsommer/lcov-parser/sync';
import libCoverage, { type CoverageMap as IstanbulCoverageMap, type CoverageMapData } from 'istanbul-lib-coverage';

export interface FileLineCoverage {
  /** Lines the report knows can run. */
  executable: Set<number>;
  /** Executable lines that ran at least once. */
  covered: Set<number>;
}

/** Line coverage keyed by repository-relative POSIX path. */
export type CoverageMap = Map<string, FileLineCoverage>;

export class CoverageFormatError extends Error {
  override name = 'CoverageFormatError';
}

/**
 * Line coverage from an LCOV report (`lcov.info`), read from its DA records. Sections for the same
 * file, as written when several test runs are merged, are combined.
 */
export function parseLcov(text: string, repoRoot: string): CoverageMap {
  const coverage: CoverageMap = new Map();
  if (text.trim() === '') return coverage;

  // The parser keeps a trailing \r as part of a path, so reports written on Windows would never match.
  const sections = lcovParser({ from: text.replace(/\r\n?/g, '\n') });
  if (sections.length === 0) {
    throw new CoverageFormatError('not an LCOV report: it has no SF (source file) record');
  }
  for (const section of sections) {
    if (section.path === '') {
      throw new CoverageFormatError('malformed LCOV report: a record has no SF (source file) line');
    }
    const lines = fileCoverage(coverage, section.path, repoRoot);
    for (const { line, hit } of section.lines.details) {
      // The parser turns an unreadable number into 0, so line 0 is how a garbled DA record shows.
      if (line < 1)
        throw new CoverageFormatError(
          `malformed LCOV report: ${section.path} has a DA record without a valid line number`,
        );
      lines?.executable.add(line);
      if (hit > 0) lines?.covered.add(line);
    }
  }
  return coverage;
}

/** Line coverage from istanbul's `coverage-final.json` (nyc, jest, vitest with either provider). */
export function parseIstanbulJson(json: unknown, repoRoot: string): CoverageMap {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new CoverageFormatError('not an istanbul coverage report: expected a JSON object keyed by file path');
  }
  let map: IstanbulCoverageMap;
  try {
    map = libCoverage.createCoverageMap(json as CoverageMapData);
  } catch (error) {
    throw new CoverageFormatError(`not an istanbul coverage report: ${(error as Error).message}`, { cause: error });
  }

  const coverage: CoverageMap = new Map();
  for (const file of map.files()) {
    let hitsByLine: Record<number, number>;
    try {
      hitsByLine = map.fileCoverageFor(file).getLineCoverage();
    } catch (error) {
      throw new CoverageFormatError(`malformed istanbul coverage for ${file}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const lines = fileCoverage(coverage, file, repoRoot);
    if (!lines) continue;
    for (const [line, hits] of Object.entries(hitsByLine)) {
      lines.executable.add(Number(line));
      if (hits > 0) lines.covered.add(Number(line));
    }
  }
  return coverage;
}

/**
 * A report path as a repository-relative POSIX path, or null when it lies outside `repoRoot`
 * (an absolute path). Relative paths are taken as relative to the repository root.
 */
export function toRepoPath(filePath: string, repoRoot: string): string | null {
  const relative = posix.isAbsolute(filePath)
    ? posix.relative(posix.normalize(repoRoot), posix.normalize(filePath))
    : posix.normalize(filePath);
  if (
    relative === '' ||
    relative === '.' ||
    relative === '..' ||
    relative.startsWith('../') ||
    posix.isAbsolute(relative)
  ) {
    return null;
  }
  return relative;
}

function fileCoverage(coverage: CoverageMap, reportPath: string, repoRoot: string): FileLineCoverage | null {
  const path = toRepoPath(reportPath, repoRoot);
  if (path === null) return null;
  let lines = coverage.get(path);
  if (!lines) {
    lines = { executable: new Set(), covered: new Set() };
    coverage.set(path, lines);
  }
  return lines;
}
