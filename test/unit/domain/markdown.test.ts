import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { inlineMarkdown, type InlineMarkdownOptions } from '../../../domain/markdown.js';

// CommonMark with GFM's `~~` strikethrough, and raw HTML on: what a changelog viewer renders.
const markdown = new MarkdownIt('commonmark').enable('strikethrough');
const ISSUES = 'https://github.com/acme/rocket/issues/';
const github: InlineMarkdownOptions['reference'] = (prefix, number) => (prefix === '#' ? `${ISSUES}${number}` : null);

/** The text as a list item renders it, with the item's own markup stripped. */
function rendered(text: string, options: InlineMarkdownOptions = { blockStart: true }): string {
  return markdown.render(`* ${inlineMarkdown(text, options)}\n`);
}

describe('inlineMarkdown', () => {
  it.each([
    // text, what is stored in the file, what it renders as inside `<li>`
    ['`a >= b`', '`a >= b`', '<code>a &gt;= b</code>'],
    ['use <T>', 'use \\<T>', 'use &lt;T&gt;'],
    ['bump x from 1.0 to 2.0', 'bump x from 1.0 to 2.0', 'bump x from 1.0 to 2.0'],
    ['[link](http://evil)', '\\[link\\](http://evil)', '[link](http://evil)'],
    ['![img](x)', '!\\[img\\](x)', '![img](x)'],
    ['<script>alert(1)</script>', '\\<script>alert(1)\\</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['# heading', '\\# heading', '# heading'],
    ['> quote', '\\> quote', '&gt; quote'],
    ['```js', '\\`\\`\\`js', '```js'],
    ['\\[x\\]', '\\[x\\]', '[x]'],
  ])('renders %j as written', (text, stored, html) => {
    expect(inlineMarkdown(text, { blockStart: true })).toBe(stored);
    expect(rendered(text)).toBe(`<ul>\n<li>${html}</li>\n</ul>\n`);
  });

  it('keeps comparison operators, ampersands and arrows as written where they cannot start HTML or an entity', () => {
    expect(inlineMarkdown('a >= b && c <= d, x -> y, a < b')).toBe('a >= b && c <= d, x -> y, a < b');
    expect(inlineMarkdown('Vec<u8> and <=> and <1@x.y>')).toBe('Vec\\<u8> and \\<=> and \\<1@x.y>');
    expect(inlineMarkdown('&amp; &#60; &#x3C; & AT&T')).toBe('\\&amp; \\&#60; \\&#x3C; & AT&T');
  });

  it('keeps *, _ and ~ as written unless they could pair into emphasis or strikethrough', () => {
    expect(inlineMarkdown('snake_case_name, a * b, x ~ y, 2*3, ~/path')).toBe(
      'snake_case_name, a * b, x ~ y, 2*3, ~/path',
    );
    expect(inlineMarkdown('accept *args and **kwargs, x_ y _z')).toBe('accept *args and **kwargs, x_ y _z');
    expect(inlineMarkdown('*bold* __init__ ~~gone~~ a*b*c')).toBe(
      '\\*bold\\* \\_\\_init\\_\\_ \\~\\~gone\\~\\~ a\\*b\\*c',
    );
    expect(rendered('*bold* __init__ ~~gone~~ a*b*c')).toBe('<ul>\n<li>*bold* __init__ ~~gone~~ a*b*c</li>\n</ul>\n');
    // Emphasis may hold a code span, but a run inside one is code.
    expect(inlineMarkdown('*a `b` c* `*d*`')).toBe('\\*a `b` c\\* `*d*`');
  });

  it('judges a run by the characters a renderer sees beside it: a whole emoji, or the link a reference becomes', () => {
    // An emoji is punctuation to CommonMark, so `_b_` after it is emphasis.
    expect(inlineMarkdown('🚀_b_#')).toBe('🚀\\_b\\_#');
    // After `#34` the renderer sees the link's `)`, which lets the `*` open.
    expect(inlineMarkdown('#34*& 2*3', { reference: github })).toBe(`[#34](${ISSUES}34)\\*& 2\\*3`);
    expect(markdown.renderInline(inlineMarkdown('#34*& 2*3', { reference: github }))).not.toContain('<em>');
    expect(inlineMarkdown('#34*& 2*3')).toBe('#34*& 2*3');
    expect(markdown.renderInline('#34*& 2*3')).not.toContain('<em>');
  });

  it('escapes every emphasis character of text that sits inside **…**', () => {
    expect(inlineMarkdown('my_pkg * x', { strictEmphasis: true })).toBe('my\\_pkg \\* x');
  });

  it('keeps a code span whatever it holds, CommonMark closing a run only by one of the same length', () => {
    expect(inlineMarkdown('`` a ` b `` and `[x](y)` and `<b>`')).toBe('`` a ` b `` and `[x](y)` and `<b>`');
    // The first run has no closer of its length; the second closes with the last.
    expect(inlineMarkdown('``a` b`')).toBe('\\`\\`a` b`');
    expect(rendered('``a` b`')).toBe('<ul>\n<li>``a<code> b</code></li>\n</ul>\n');
    // A backslash inside a code span is literal, so it cannot hide the closer.
    expect(inlineMarkdown('`a\\` b')).toBe('`a\\` b');
  });

  it('escapes a backtick run without a closer, so text written after it cannot close it', () => {
    const item = `* ${inlineMarkdown('run `npm ci')} (\`abc1234\`)`;
    expect(item).toBe('* run \\`npm ci (`abc1234`)');
    expect(markdown.renderInline(item)).toBe('* run `npm ci (<code>abc1234</code>)');
  });

  it("keeps the author's backslash escapes, and reads `\\\\[` as an escaped backslash before a `[`", () => {
    expect(inlineMarkdown('\\*not bold\\* \\`x\\`')).toBe('\\*not bold\\* \\`x\\`');
    expect(inlineMarkdown('\\\\[x](y)')).toBe('\\\\\\[x\\](y)');
    expect(rendered('\\\\[x](y)')).toBe('<ul>\n<li>\\[x](y)</li>\n</ul>\n');
    expect(inlineMarkdown('C:\\Users\\me')).toBe('C:\\Users\\me');
    // A trailing backslash would escape the character written after the text.
    expect(inlineMarkdown('ends in \\')).toBe('ends in \\\\');
  });

  it('escapes what would open a block only at the start of an item', () => {
    for (const [text, stored] of [
      ['- item', '\\- item'],
      ['+ item', '\\+ item'],
      ['* item', '\\* item'],
      ['= x', '\\= x'],
      ['1. first', '1\\. first'],
      ['2024) year', '2024\\) year'],
      ['---', '\\---'],
      ['___', '\\_\\_\\_'],
      ['~~~ fence', '\\~\\~\\~ fence'],
      ['```js```', '```js```'],
    ]) {
      expect(inlineMarkdown(text ?? '', { blockStart: true }), text).toBe(stored);
    }
    expect(inlineMarkdown('> a - b # c 1. d')).toBe('> a - b # c 1. d');
    expect(inlineMarkdown('1.5 is out', { blockStart: true })).toBe('1.5 is out');
  });

  it('collapses whitespace and line breaks to one space and shows control and bidi characters', () => {
    expect(inlineMarkdown('  a\r\n## b\t\tc  ')).toBe('a ## b c');
    expect(inlineMarkdown('x\u001b[2Jy \u202Eexe.txt')).toBe('x\\u001b\\[2Jy \\<U+202E>exe.txt');
    expect(rendered('x\u001b \u202Ey')).toBe('<ul>\n<li>x\\u001b &lt;U+202E&gt;y</li>\n</ul>\n');
    // An author's backslash before a hidden character stays a backslash, not an escape of its visible form.
    expect(rendered('a\\\u001b')).toBe('<ul>\n<li>a\\\\u001b</li>\n</ul>\n');
    expect(inlineMarkdown('`a\u0007b`')).toBe('`a\\u0007b`');
  });

  describe('issue references', () => {
    const gitlab: InlineMarkdownOptions['reference'] = (prefix, number) =>
      `https://gitlab.com/g/r/-/${prefix === '#' ? 'issues' : 'merge_requests'}/${number}`;

    it('links #123 at a word boundary', () => {
      expect(inlineMarkdown('add topic (#12), see #3.', { reference: github })).toBe(
        `add topic ([#12](${ISSUES}12)), see [#3](${ISSUES}3).`,
      );
      expect(inlineMarkdown('#7 first', { blockStart: true, reference: github })).toBe(`[#7](${ISSUES}7) first`);
    });

    it('links GitLab issues and merge requests', () => {
      expect(inlineMarkdown('fixes #5 in !6', { reference: gitlab })).toBe(
        'fixes [#5](https://gitlab.com/g/r/-/issues/5) in [!6](https://gitlab.com/g/r/-/merge_requests/6)',
      );
    });

    it('leaves alone what is not a reference: inside a word or a code span, escaped, an entity, or not digits', () => {
      expect(inlineMarkdown('abc#12 #12abc `#12` \\#12 &#12; #x !4', { reference: github })).toBe(
        'abc#12 #12abc `#12` \\#12 \\&#12; #x !4',
      );
    });

    it('escapes a `!` before a link, which would make it an image', () => {
      const text = inlineMarkdown('!#12 and !!3', { reference: gitlab });
      expect(text).toBe(
        '\\![#12](https://gitlab.com/g/r/-/issues/12) and \\![!3](https://gitlab.com/g/r/-/merge_requests/3)',
      );
      expect(markdown.renderInline(text)).not.toContain('<img');
    });

    it('links nothing without a remote to link to', () => {
      expect(inlineMarkdown('see #12')).toBe('see #12');
    });
  });
});
