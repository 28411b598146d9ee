import { describe, expect, it } from 'vitest';
import { escapeMarkdown } from '../../../domain/markdown.js';
import { visibleText } from '../../../domain/visible-text.js';

describe('visibleText', () => {
  it('shows C0, DEL and C1 controls as \\u escapes, and bidi marks by their code point', () => {
    expect(visibleText('\x1b]0;title\x07\x1b[2J \x00\x7f\u0085\u009b')).toBe(
      '\\u001b]0;title\\u0007\\u001b[2J \\u0000\\u007f\\u0085\\u009b',
    );
    expect(visibleText('a\u202Eb\u202A\u202B\u202C\u202D\u2066\u2067\u2068\u2069\u200E\u200F\u061Cz')).toBe(
      'a<U+202E>b<U+202A><U+202B><U+202C><U+202D><U+2066><U+2067><U+2068><U+2069><U+200E><U+200F><U+061C>z',
    );
  });

  it('escapes line breaks and tabs unless the layout keeps them; a CRLF is a line ending there', () => {
    expect(visibleText('a\tb\nc\r\nd\re')).toBe('a\\u0009b\\u000ac\\u000d\\u000ad\\u000de');
    expect(visibleText('a\tb\nc\r\nd\re', { keep: '\n\t' })).toBe('a\tb\nc\nd\\u000de');
  });

  it('leaves ordinary text, emoji and right-to-left scripts alone, and is safe to apply twice', () => {
    const text = 'fix: naïve café ✓ 🚀 שלום مرحبا';
    expect(visibleText(text)).toBe(text);
    expect(visibleText(visibleText('\x1b\u202E'))).toBe('\\u001b<U+202E>');
  });
});

describe('escapeMarkdown', () => {
  it('collapses whitespace to one space and shows the other hidden characters as escaped text', () => {
    expect(escapeMarkdown('  a\r\n\tb \x1b[31m \u202Ec\x0bd ')).toBe('a b \\\\u001b\\[31m &lt;U+202E&gt;c\\\\u000bd');
  });
});
