import { describe, expect, it } from 'vitest';
import { parseQaReport, parseReport, serializeReport } from '../../../context/report.js';
import { qaFrontMatter } from './report-fixtures.js';

describe('serializeReport', () => {
  it('writes a fenced YAML front matter, a blank line and the body', () => {
    expect(serializeReport({ outcome: 'test-pass', attempts: 2 }, '# Passed\n')).toBe(
      '---\noutcome: test-pass\nattempts: 2\n---\n\n# Passed\n',
    );
  });

  it('ends the file with exactly one newline however the body ends', () => {
    expect(serializeReport({ a: 1 }, 'text')).toBe('---\na: 1\n---\n\ntext\n');
    expect(serializeReport({ a: 1 }, 'text\n\n\n')).toBe('---\na: 1\n---\n\ntext\n');
    expect(serializeReport({ a: 1 }, 'text\r\n')).toBe('---\na: 1\n---\n\ntext\n');
  });

  it('writes only the front matter when the body is empty', () => {
    expect(serializeReport({ a: 1 }, '')).toBe('---\na: 1\n---\n');
  });

  it('keeps long strings on one line', () => {
    const summary = 'word '.repeat(40).trim();
    expect(serializeReport({ summary }, '')).toBe(`---\nsummary: ${summary}\n---\n`);
  });

  it('quotes strings that YAML would otherwise read as numbers or booleans', () => {
    const text = serializeReport({ commit: '1234567890123456789012345678901234567890', flag: 'true' }, '');
    const parsed = parseReport(text);
    expect(parsed).toEqual({
      ok: true,
      frontMatter: { commit: '1234567890123456789012345678901234567890', flag: 'true' },
      body: '',
    });
  });
});

describe('parseReport', () => {
  it('reads the front matter as a plain object and the body after the blank line', () => {
    expect(parseReport('---\noutcome: deployed\nattempts: 1\n---\n\n# Deployed\n\nAll good.\n')).toEqual({
      ok: true,
      frontMatter: { outcome: 'deployed', attempts: 1 },
      body: '# Deployed\n\nAll good.\n',
    });
  });

  it('round-trips front matter and body exactly', () => {
    const frontMatter = {
      text: 'multi\nline\n--- not a fence\n',
      list: ['npm', 'run', 'test:unit'],
      nested: { percent: 83.33333333333333, none: null, yes: true },
      timestamp: '2025-10-13T23:45:59.123Z',
      empty: '',
      hexThatLooksLikeANumber: '1e10000000000000000000000000000000000000',
    };
    const body = '\nStarts with a blank line.\n\n---\n\nHas a fence-like line.\n';
    expect(parseReport(serializeReport(frontMatter, body))).toEqual({ ok: true, frontMatter, body });
  });

  it('accepts CRLF line endings and returns the body with LF', () => {
    expect(parseReport('---\r\noutcome: deployed\r\n---\r\n\r\nline one\r\nline two\r\n')).toEqual({
      ok: true,
      frontMatter: { outcome: 'deployed' },
      body: 'line one\nline two\n',
    });
  });

  it('ignores a byte-order mark before the opening fence', () => {
    expect(parseReport('\uFEFF---\na: 1\n---\n')).toEqual({ ok: true, frontMatter: { a: 1 }, body: '' });
  });

  it('accepts trailing spaces on the fences', () => {
    expect(parseReport('---  \na: 1\n--- \n\nbody\n')).toEqual({ ok: true, frontMatter: { a: 1 }, body: 'body\n' });
  });

  it('accepts a closing fence at the very end of the file', () => {
    expect(parseReport('---\na: 1\n---')).toEqual({ ok: true, frontMatter: { a: 1 }, body: '' });
  });

  it('keeps a body that follows the fence without a blank line', () => {
    expect(parseReport('---\na: 1\n---\nbody\n')).toEqual({ ok: true, frontMatter: { a: 1 }, body: 'body\n' });
  });

  it('does not let a __proto__ key change the prototype of the front matter', () => {
    const parsed = parseReport('---\n__proto__:\n  polluted: true\n---\n');
    expect(parsed.ok).toBe(true);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    if (parsed.ok) expect(Object.getPrototypeOf(parsed.frontMatter)).toBe(Object.prototype);
  });

  it('names the file in its reason when given one', () => {
    expect(parseReport('hello', 'context/notes.md')).toEqual({
      ok: false,
      reason: 'context/notes.md: no front matter: the first line must be "---"',
    });
  });

  it.each([
    ['an empty file', '', 'file is empty'],
    ['a file of blank lines', '\n\r\n  \n', 'file is empty'],
    ['binary content', '---\na: 1\n---\n\u0000\u0001\u0002PNG', 'file looks binary'],
    ['plain Markdown', '# Notes\n\nNo front matter here.\n', 'no front matter'],
    ['front matter that does not start on the first line', '\n---\na: 1\n---\n', 'no front matter'],
    ['an opening fence that is never closed', '---\na: 1\nbody\n', 'never closed'],
    ['broken YAML', '---\na: [1, 2\n---\n', 'invalid YAML in front matter'],
    ['a tab-indented mapping', '---\na:\n\tb: 1\n---\n', 'invalid YAML in front matter'],
    ['duplicate keys', '---\na: 1\na: 2\n---\n', 'invalid YAML in front matter'],
    ['empty front matter', '---\n---\nbody\n', 'must be a mapping, got nothing'],
    ['a list as front matter', '---\n- a\n- b\n---\n', 'must be a mapping, got a list'],
    ['a scalar as front matter', '---\njust text\n---\n', 'must be a mapping, got a string'],
    ['a number as front matter', '---\n42\n---\n', 'must be a mapping, got a number'],
    [
      'an alias bomb',
      `---\na: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n---\n`,
      'unreadable front matter',
    ],
  ])('refuses %s with a reason', (_case, text, reasonPart) => {
    const parsed = parseReport(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toContain(reasonPart);
  });

  it('refuses content that is not text, as can arrive from an untyped boundary', () => {
    expect(parseReport(undefined as unknown as string)).toEqual({ ok: false, reason: 'content is not text' });
    expect(parseReport(new Uint8Array([1, 2]) as unknown as string)).toEqual({ ok: false, reason: 'content is not text' });
  });

  it('never throws on arbitrary input', () => {
    const fragments = ['---', '\n', '\r\n', ':', '- ', '[', '{', '&a', '*a', '!!binary', '"', "'", 'x', ' ', '\t', '\u0000', '#', '|', '>'];
    let seed = 7;
    const nextIndex = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % fragments.length;
    };
    for (let sample = 0; sample < 500; sample += 1) {
      const text = Array.from({ length: 30 }, () => fragments[nextIndex()]).join('');
      expect(() => parseReport(`---\n${text}`)).not.toThrow();
      expect(() => parseReport(text)).not.toThrow();
    }
  });
});

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
