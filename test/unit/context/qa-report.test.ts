import { describe, expect, it } from 'vitest';
import { parseQaReport, serializeReport } from '../../../context/report.js';
import { qaFrontMatter } from './report-fixtures.js';

const PASS_NAME = 'test-pass-20251013-234559.md';
const BODY = '# QA passed\n\n118 of 120 tests passed; 2 skipped.\n';

function withField(field: string, value: unknown): Record<string, unknown> {
  return { ...qaFrontMatter(), [field]: value };
}

function withoutField(field: string): Record<string, unknown> {
  const frontMatter: Record<string, unknown> = { ...qaFrontMatter() };
  delete frontMatter[field];
  return frontMatter;
}

function reasonFor(frontMatter: object, fileName = PASS_NAME): string {
  const parsed = parseQaReport(serializeReport(frontMatter, BODY), fileName);
  if (parsed.ok) throw new Error(`expected ${fileName} to be refused`);
  return parsed.reason;
}

describe('parseQaReport', () => {
  it('round-trips a serialized report exactly', () => {
    const frontMatter = qaFrontMatter();
    expect(parseQaReport(serializeReport(frontMatter, BODY), PASS_NAME)).toEqual({
      ok: true,
      report: { name: PASS_NAME, kind: 'test-pass', frontMatter, body: BODY },
    });
  });

  it('round-trips unknown test counts, a null percent, timed_out and extra keys', () => {
    const frontMatter = qaFrontMatter({
      outcome: 'test-gaps',
      tests: { total: null, passed: null, failed: null, skipped: null },
      coverage: { changed_lines: 0, covered_lines: 0, percent: null, threshold: 80, min_changed_lines: 5, gate: 'skipped' },
      timed_out: false,
      reused_from: 'test-pass-20251012-101010.md',
      notes: { flaky: ['payments.spec.ts'] },
    });
    const parsed = parseQaReport(serializeReport(frontMatter, BODY), 'test-gaps-20251013-234559-2.md');
    expect(parsed).toEqual({
      ok: true,
      report: { name: 'test-gaps-20251013-234559-2.md', kind: 'test-gaps', frontMatter, body: BODY },
    });
  });

  it('accepts every coverage gate', () => {
    for (const gate of ['passed', 'failed', 'skipped', 'no-coverage', 'not-configured'] as const) {
      const frontMatter = qaFrontMatter({ coverage: { ...qaFrontMatter().coverage, gate } });
      expect(parseQaReport(serializeReport(frontMatter, BODY), PASS_NAME).ok).toBe(true);
    }
  });

  it('accepts a created_at with milliseconds or an explicit +00:00 offset', () => {
    for (const createdAt of ['2025-10-13T23:45:59.123Z', '2025-10-13T23:45:59+00:00']) {
      expect(parseQaReport(serializeReport(qaFrontMatter({ created_at: createdAt }), BODY), PASS_NAME).ok).toBe(true);
    }
  });

  it('names the report by its bare file name when given a path', () => {
    const parsed = parseQaReport(serializeReport(qaFrontMatter(), BODY), `context/${PASS_NAME}`);
    expect(parsed.ok && parsed.report.name).toBe(PASS_NAME);
  });

  it('reads a report written with CRLF line endings', () => {
    const text = serializeReport(qaFrontMatter(), BODY).replace(/\n/g, '\r\n');
    const parsed = parseQaReport(text, PASS_NAME);
    expect(parsed.ok && parsed.report.body).toBe(BODY);
  });

  it('refuses a report whose outcome disagrees with its file name', () => {
    expect(reasonFor(qaFrontMatter({ outcome: 'test-pass' }), 'test-failures-20251013-234559.md')).toBe(
      'test-failures-20251013-234559.md: outcome "test-pass" disagrees with the file name, which says test-failures',
    );
  });

  it('refuses a file name that is not a report name', () => {
    expect(reasonFor(qaFrontMatter(), 'context/README.md')).toBe(
      'context/README.md: not a report file name (expected <kind>-YYYYMMDD-HHMMSS[-N].md)',
    );
  });

  it('refuses a deploy report', () => {
    expect(reasonFor(qaFrontMatter(), 'deploy-20251013-234559.md')).toBe(
      'deploy-20251013-234559.md: a deploy report is not a QA report',
    );
  });

  it('passes on the reason when the document itself cannot be read', () => {
    expect(parseQaReport('---\na: [\n---\n', PASS_NAME)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^test-pass-20251013-234559\.md: invalid YAML in front matter/),
    });
  });

  it.each(['outcome', 'repository', 'branch', 'commit', 'tree', 'created_at', 'test_command', 'duration_ms', 'tests', 'coverage'])(
    'refuses a report without %s, naming the field',
    (field) => {
      expect(reasonFor(withoutField(field))).toBe(`${PASS_NAME}: missing required field "${field}"`);
    },
  );

  it.each(['total', 'passed', 'failed', 'skipped'])('refuses test counts without %s', (count) => {
    const tests: Record<string, unknown> = { ...qaFrontMatter().tests };
    delete tests[count];
    expect(reasonFor(withField('tests', tests))).toBe(`${PASS_NAME}: missing required field "tests.${count}"`);
  });

  it.each(['changed_lines', 'covered_lines', 'percent', 'threshold', 'min_changed_lines', 'gate'])(
    'refuses coverage without %s',
    (key) => {
      const coverage: Record<string, unknown> = { ...qaFrontMatter().coverage };
      delete coverage[key];
      expect(reasonFor(withField('coverage', coverage))).toBe(`${PASS_NAME}: missing required field "coverage.${key}"`);
    },
  );

  it.each<[string, unknown, string]>([
    ['outcome', 'passed', 'field "outcome" must be one of test-pass, test-failures, test-gaps, got "passed"'],
    ['repository', '', 'field "repository" must be a non-empty string, got ""'],
    ['repository', 42, 'field "repository" must be a non-empty string, got 42'],
    ['branch', null, 'field "branch" must be a non-empty string, got null'],
    ['commit', '3f2a1c9', 'field "commit" must be a 40-character hex SHA, got "3f2a1c9"'],
    ['commit', 'z'.repeat(40), `field "commit" must be a 40-character hex SHA, got "${'z'.repeat(40)}"`],
    ['tree', 'a'.repeat(41), `field "tree" must be a 40-character hex SHA, got "${'a'.repeat(40)}…"`],
    ['created_at', '2025-10-13 23:45:59', 'field "created_at" must be an ISO 8601 UTC timestamp'],
    ['created_at', '2025-10-13T23:45:59+02:00', 'field "created_at" must be an ISO 8601 UTC timestamp'],
    ['created_at', '2025-13-01T00:00:00Z', 'field "created_at" must be an ISO 8601 UTC timestamp'],
    ['created_at', 1_760_399_159_000, 'field "created_at" must be an ISO 8601 UTC timestamp'],
    ['test_command', 'npm test', 'field "test_command" must be a non-empty list of strings, got "npm test"'],
    ['test_command', [], 'field "test_command" must be a non-empty list of strings, got an empty list'],
    ['test_command', ['npm', 3], 'field "test_command[1]" must be a string, got 3'],
    ['duration_ms', -1, 'field "duration_ms" must be a number of at least 0, got -1'],
    ['duration_ms', '48s', 'field "duration_ms" must be a number of at least 0, got "48s"'],
    ['tests', [1, 2], 'field "tests" must be a mapping, got a list of 2'],
    ['coverage', 'passed', 'field "coverage" must be a mapping, got "passed"'],
    ['timed_out', 'yes', 'field "timed_out" must be true or false, got "yes"'],
    ['timed_out', null, 'field "timed_out" must be true or false, got null'],
  ])('refuses %s = %j, naming the field', (field, value, expected) => {
    expect(reasonFor(withField(field, value))).toContain(`${PASS_NAME}: ${expected}`);
  });

  it.each<[string, unknown, string]>([
    ['total', -3, 'field "tests.total" must be a whole number of at least 0, or null, got -3'],
    ['passed', 1.5, 'field "tests.passed" must be a whole number of at least 0, or null, got 1.5'],
    ['failed', '0', 'field "tests.failed" must be a whole number of at least 0, or null, got "0"'],
  ])('refuses tests.%s = %j', (key, value, expected) => {
    const tests = { ...qaFrontMatter().tests, [key]: value };
    expect(reasonFor(withField('tests', tests))).toBe(`${PASS_NAME}: ${expected}`);
  });

  it.each<[string, unknown, string]>([
    ['changed_lines', null, 'field "coverage.changed_lines" must be a whole number of at least 0, got null'],
    ['percent', 101, 'field "coverage.percent" must be a number from 0 to 100, or null, got 101'],
    ['threshold', null, 'field "coverage.threshold" must be a number from 0 to 100, got null'],
    ['min_changed_lines', 2.5, 'field "coverage.min_changed_lines" must be a whole number of at least 0, got 2.5'],
    ['gate', 'green', 'field "coverage.gate" must be one of passed, failed, skipped, no-coverage, not-configured, got "green"'],
  ])('refuses coverage.%s = %j', (key, value, expected) => {
    const coverage = { ...qaFrontMatter().coverage, [key]: value };
    expect(reasonFor(withField('coverage', coverage))).toBe(`${PASS_NAME}: ${expected}`);
  });

  it('refuses a non-finite duration written as YAML .inf', () => {
    const text = serializeReport(qaFrontMatter(), BODY).replace('duration_ms: 48210', 'duration_ms: .inf');
    const parsed = parseQaReport(text, PASS_NAME);
    expect(parsed.ok ? 'accepted' : parsed.reason).toBe(
      `${PASS_NAME}: field "duration_ms" must be a number of at least 0, got Infinity`,
    );
  });
});
