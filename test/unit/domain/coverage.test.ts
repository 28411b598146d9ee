import { describe, expect, it } from 'vitest';
import {
  CoverageFormatError,
  parseIstanbulJson,
  parseLcov,
  toRepoPath,
  type CoverageMap,
} from '../../../domain/coverage.js';

const ROOT = '/home/ci/work/shipgate-demo';

// lcov.info as istanbul's lcov reporter writes it (vitest, jest, nyc): absolute SF paths.
const LCOV = `TN:
SF:${ROOT}/src/math.ts
FN:1,add
FN:5,divide
FNF:2
FNH:1
FNDA:3,add
FNDA:0,divide
DA:1,1
DA:2,3
DA:5,1
DA:6,1
DA:7,0
DA:8,0
LF:6
LH:4
BRDA:6,0,0,1
BRDA:6,0,1,0
BRF:2
BRH:1
end_of_record
TN:
SF:${ROOT}/src/greet name.ts
FN:1,greet
FNF:1
FNH:0
FNDA:0,greet
DA:1,0
DA:2,0
LF:2
LH:0
BRF:0
BRH:0
end_of_record
`;

// coverage-final.json as istanbul writes it: statement locations and hit counts per file.
const COVERAGE_FINAL = {
  [`${ROOT}/src/math.ts`]: {
    path: `${ROOT}/src/math.ts`,
    all: false,
    statementMap: {
      '0': { start: { line: 2, column: 2 }, end: { line: 2, column: 15 } },
      '1': { start: { line: 6, column: 2 }, end: { line: 6, column: 31 } },
      '2': { start: { line: 6, column: 14 }, end: { line: 6, column: 31 } },
      '3': { start: { line: 7, column: 2 }, end: { line: 9, column: 20 } },
    },
    s: { '0': 3, '1': 1, '2': 0, '3': 0 },
    fnMap: {
      '0': {
        name: 'add',
        decl: { start: { line: 1, column: 16 }, end: { line: 1, column: 19 } },
        loc: { start: { line: 1, column: 37 }, end: { line: 3, column: 1 } },
        line: 1,
      },
    },
    f: { '0': 3 },
    branchMap: {},
    b: {},
  },
};

function lines(map: CoverageMap, path: string) {
  const file = map.get(path);
  return (
    file && { executable: [...file.executable].sort((a, b) => a - b), covered: [...file.covered].sort((a, b) => a - b) }
  );
}

function istanbulFile(path: string, hits: Record<number, number>) {
  const statementMap = Object.fromEntries(
    Object.keys(hits).map((line, index) => [
      String(index),
      { start: { line: Number(line), column: 0 }, end: { line: Number(line), column: 10 } },
    ]),
  );
  const s = Object.fromEntries(Object.values(hits).map((count, index) => [String(index), count]));
  return { path, statementMap, s, fnMap: {}, f: {}, branchMap: {}, b: {} };
}

describe('parseLcov', () => {
  it('takes every DA line as executable and the ones with hits as covered', () => {
    const map = parseLcov(LCOV, ROOT);
    expect(lines(map, 'src/math.ts')).toEqual({ executable: [1, 2, 5, 6, 7, 8], covered: [1, 2, 5, 6] });
    expect(lines(map, 'src/greet name.ts')).toEqual({ executable: [1, 2], covered: [] });
  });

  it('turns absolute paths under the repository root into repository-relative ones', () => {
    expect([...parseLcov(LCOV, ROOT).keys()]).toEqual(['src/math.ts', 'src/greet name.ts']);
    expect([...parseLcov(LCOV, `${ROOT}/`).keys()]).toEqual(['src/math.ts', 'src/greet name.ts']);
  });

  it('keeps relative paths, with or without ./', () => {
    const map = parseLcov('SF:src/a.ts\nDA:1,1\nend_of_record\nSF:./src/b.ts\nDA:2,0\nend_of_record\n', ROOT);
    expect(lines(map, 'src/a.ts')).toEqual({ executable: [1], covered: [1] });
    expect(lines(map, 'src/b.ts')).toEqual({ executable: [2], covered: [] });
  });

  it('drops files outside the repository root', () => {
    const text = `SF:/usr/lib/node_modules/tsx/dist/loader.js\nDA:1,1\nend_of_record\nSF:../shared/lib.ts\nDA:1,1\nend_of_record\nSF:${ROOT}-old/src/a.ts\nDA:1,1\nend_of_record\n`;
    expect(parseLcov(text, ROOT).size).toBe(0);
  });

  it('merges the sections of a file that several test runs wrote', () => {
    const text = `TN:unit\nSF:${ROOT}/src/a.ts\nDA:1,1\nDA:2,0\nDA:3,0\nend_of_record\nTN:integration\nSF:${ROOT}/src/a.ts\nDA:2,4\nDA:3,0\nDA:4,0\nend_of_record\n`;
    expect(lines(parseLcov(text, ROOT), 'src/a.ts')).toEqual({ executable: [1, 2, 3, 4], covered: [1, 2] });
  });

  it('reads a report written with Windows line endings', () => {
    const text = LCOV.replace(/\n/g, '\r\n');
    expect(lines(parseLcov(text, ROOT), 'src/math.ts')).toEqual({
      executable: [1, 2, 5, 6, 7, 8],
      covered: [1, 2, 5, 6],
    });
  });

  it('reads an empty report as no coverage for any file', () => {
    expect(parseLcov('', ROOT).size).toBe(0);
    expect(parseLcov('\n', ROOT).size).toBe(0);
  });

  it('refuses text that is not LCOV', () => {
    expect(() => parseLcov('{"total": {"lines": {"pct": 80}}}', ROOT)).toThrow(CoverageFormatError);
    expect(() => parseLcov('<coverage line-rate="0.8"></coverage>', ROOT)).toThrow(
      /not an LCOV report: it has no SF \(source file\) record/,
    );
  });

  it('refuses a record without a source file', () => {
    expect(() => parseLcov('TN:\nDA:1,1\nend_of_record\n', ROOT)).toThrow(/a record has no SF \(source file\) line/);
  });

  it('refuses a DA record whose line number is not a number', () => {
    expect(() => parseLcov(`SF:${ROOT}/src/a.ts\nDA:one,1\nend_of_record\n`, ROOT)).toThrow(
      new CoverageFormatError(`malformed LCOV report: ${ROOT}/src/a.ts has a DA record without a valid line number`),
    );
  });
});

describe('parseIstanbulJson', () => {
  it('takes the first line of each statement as executable and covers it when any statement there ran', () => {
    expect(lines(parseIstanbulJson(COVERAGE_FINAL, ROOT), 'src/math.ts')).toEqual({
      executable: [2, 6, 7],
      covered: [2, 6],
    });
  });

  it('keeps relative paths and drops files outside the repository root', () => {
    const json = {
      './src/a.ts': istanbulFile('./src/a.ts', { 1: 1, 2: 0 }),
      '/opt/other/src/b.ts': istanbulFile('/opt/other/src/b.ts', { 1: 1 }),
    };
    const map = parseIstanbulJson(json, ROOT);
    expect([...map.keys()]).toEqual(['src/a.ts']);
    expect(lines(map, 'src/a.ts')).toEqual({ executable: [1, 2], covered: [1] });
  });

  it('reads an empty report as no coverage for any file', () => {
    expect(parseIstanbulJson({}, ROOT).size).toBe(0);
  });

  it('refuses JSON that is not an object keyed by file', () => {
    for (const json of [null, 'coverage', 42, [istanbulFile(`${ROOT}/src/a.ts`, { 1: 1 })]]) {
      expect(() => parseIstanbulJson(json, ROOT)).toThrow(
        new CoverageFormatError('not an istanbul coverage report: expected a JSON object keyed by file path'),
      );
    }
  });

  it('refuses a json-summary report in place of coverage-final.json', () => {
    const summary = { total: { lines: { total: 10, covered: 8, skipped: 0, pct: 80 } } };
    expect(() => parseIstanbulJson(summary, ROOT)).toThrow(CoverageFormatError);
    expect(() => parseIstanbulJson(summary, ROOT)).toThrow(/^not an istanbul coverage report: .*missing keys/);
  });

  it('refuses a statement without a location', () => {
    const broken = { ...istanbulFile(`${ROOT}/src/a.ts`, { 1: 1 }), statementMap: { '0': {} } };
    expect(() => parseIstanbulJson({ [`${ROOT}/src/a.ts`]: broken }, ROOT)).toThrow(
      /^malformed istanbul coverage for .*src\/a\.ts: /,
    );
  });
});

describe('toRepoPath', () => {
  it('makes absolute paths under the root relative, in POSIX form', () => {
    expect(toRepoPath(`${ROOT}/src/a.ts`, ROOT)).toBe('src/a.ts');
    expect(toRepoPath(`${ROOT}/src/../lib/./b.ts`, `${ROOT}/`)).toBe('lib/b.ts');
  });

  it('normalises relative paths', () => {
    expect(toRepoPath('./src/a.ts', ROOT)).toBe('src/a.ts');
    expect(toRepoPath('src//a.ts', ROOT)).toBe('src/a.ts');
  });

  it('has no answer for paths outside the root or the root itself', () => {
    expect(toRepoPath('/etc/passwd', ROOT)).toBeNull();
    expect(toRepoPath(`${ROOT}-fork/src/a.ts`, ROOT)).toBeNull();
    expect(toRepoPath('../elsewhere/a.ts', ROOT)).toBeNull();
    expect(toRepoPath(ROOT, ROOT)).toBeNull();
  });
});
