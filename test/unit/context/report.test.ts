import { describe, expect, it } from 'vitest';
import { parseReport, serializeReport } from '../../../context/report.js';

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
