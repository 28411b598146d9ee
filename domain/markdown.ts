import { visibleText } from './visible-text.js';

/**
 * Commit text is written by anyone who can push; it must render as the text it is. Line breaks
 * and runs of whitespace collapse to one space (a newline could start a heading or a table),
 * other control and bidi characters become visible escapes, HTML is neutralised with entities,
 * and inline Markdown syntax is backslash-escaped so no link, image, code span, emphasis or
 * table cell can form. Reports use it for table cells; the changelog uses `inlineMarkdown`.
 */
export function escapeMarkdown(text: string): string {
  return visibleText(collapseWhitespace(text))
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~]/g, '\\$&');
}

export interface InlineMarkdownOptions {
  /**
   * The text starts a list item, where `# `, `> `, `- `, `1. `, `---` or a fence would open a
   * block; such a first character is escaped. False for text that follows a scope.
   */
  blockStart?: boolean;
  /**
   * Escape every `*`, `_` and `~`: for text set inside `**…**` (a scope), whose own delimiters
   * would run into the ones around it.
   */
  strictEmphasis?: boolean;
  /**
   * The link for an issue or merge request reference (`#123`, `!123`) at a word boundary,
   * or null to leave it as text. Without it no reference is linked.
   */
  reference?: (prefix: '#' | '!', number: string) => string | null;
}

/**
 * Commit text (a subject, a breaking note, a scope) as CommonMark inline text that renders as
 * the author wrote it and makes nothing else: code spans are kept verbatim, and `<`, `>`, `&`,
 * `*`, `_` and `~` stay as written wherever they cannot start HTML, an entity, emphasis or a
 * block; where they could, they get a backslash (which renders as the character itself, in any
 * CommonMark renderer, unlike an entity stored in the file). Links, images, footnotes and
 * references cannot form: every `[` and `]` is escaped. The author's own backslash escapes are
 * kept as they are. Whitespace collapses to one space and hidden characters become visible
 * escapes, as in `visibleText`.
 *
 * The result is meant to sit between spaces or at the start of a line (the list items of a
 * changelog): a backtick run without its closer is escaped, so nothing written after the text,
 * such as a commit link, can close it.
 */
export function inlineMarkdown(text: string, options: InlineMarkdownOptions = {}): string {
  return new InlineWriter(collapseWhitespace(text), options).write();
}

// CommonMark lets a backslash escape exactly these.
const ASCII_PUNCTUATION = /[!-/:-@[-`{-~]/;
const WORD_CHAR = /[\p{L}\p{N}_]/u;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
// What starts raw HTML after `<`: a tag, a closing tag, a comment, a declaration, CDATA or a processing instruction.
const HTML_START = /[A-Za-z/!?]/;
// Character references CommonMark decodes (named ones only when the name is real; any name is escaped, which costs nothing).
const ENTITY = /&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});/y;
const ORDERED_MARKER = /^[0-9]{1,9}[.)](?= |$)/;
const REFERENCE = /[0-9]+/y;
// Characters that open a block at the start of a line: heading, quote, list, thematic break, fence, setext underline.
const BLOCK_OPENERS = new Set(['#', '>', '-', '+', '*', '=', '_', '~']);

function collapseWhitespace(text: string): string {
  // Vertical tab and form feed are not line breaks to a reader; visibleText shows them.
  return text.replace(/[^\S\v\f]+/g, ' ').trim();
}

class InlineWriter {
  private out = '';
  private i = 0;
  /** The last thing written is a `!` with no backslash, which would turn a link after it into an image. */
  private bareBang = false;
  private readonly hasHidden: boolean;
  private readonly closers: BacktickRuns;

  constructor(
    private readonly text: string,
    private readonly options: InlineMarkdownOptions,
  ) {
    this.hasHidden = visibleText(text) !== text;
    this.closers = new BacktickRuns(text);
  }

  write(): string {
    const { text } = this;
    if (this.options.blockStart) this.blockStart();
    while (this.i < text.length) {
      const ch = text.charAt(this.i);
      if (ch === '\\') this.backslash();
      else if (ch === '`') this.backticks();
      else if ((ch === '#' || ch === '!') && this.reference(ch)) continue;
      else if (ch === '*' || ch === '_' || ch === '~') this.delimiters(ch);
      else if (ch === '[' || ch === ']') this.emit(`\\${ch}`, 1);
      else if (ch === '<') this.emit(this.couldOpenHtml() ? '\\<' : '<', 1);
      else if (ch === '&') this.emit(this.entityAt(this.i) ? '\\&' : '&', 1);
      else if (this.hasHidden && visibleText(ch) !== ch) this.hidden(ch);
      else this.emit(ch, 1, ch === '!');
    }
    return this.out;
  }

  private emit(markdown: string, consumed: number, bareBang = false): void {
    this.out += markdown;
    this.i += consumed;
    this.bareBang = bareBang;
  }

  /** A first character that would open a block gets a backslash; an ordered list marker's `.` or `)` does. */
  private blockStart(): void {
    const first = this.text.charAt(0);
    if (BLOCK_OPENERS.has(first)) {
      // `#12` is not a heading: it stays a reference when it can be linked.
      if (first === '#' && this.reference('#')) return;
      this.emit(`\\${first}`, 1);
      return;
    }
    const marker = ORDERED_MARKER.exec(this.text);
    if (marker) this.emit(`${marker[0].slice(0, -1)}\\${marker[0].slice(-1)}`, marker[0].length);
  }

  /**
   * The author's `\` before punctuation is an escape and stays one, as a pair (so `\\[` is an
   * escaped backslash and then a `[`, which is escaped in turn). A lone backslash is literal,
   * except where what follows it would make it an escape: the end of the text (the next
   * character is ours) or a hidden character, whose visible form starts with punctuation.
   */
  private backslash(): void {
    const next = this.text.charAt(this.i + 1);
    if (next !== '' && ASCII_PUNCTUATION.test(next)) {
      this.emit(`\\${next}`, 2);
      return;
    }
    const escapeIt = next === '' || (this.hasHidden && visibleText(next) !== next);
    this.emit(escapeIt ? '\\\\' : '\\', 1);
  }

  /** A code span, kept verbatim when CommonMark closes it; a run without its closer is escaped. */
  private backticks(): void {
    const { text } = this;
    let end = this.i;
    while (text.charAt(end) === '`') end += 1;
    const length = end - this.i;
    const closer = this.closers.next(length, end);
    if (closer === -1) {
      this.emit('\\`'.repeat(length), length);
      return;
    }
    const span = text.slice(this.i, closer + length);
    this.emit(this.hasHidden ? visibleText(span) : span, span.length);
  }

  /** `#123` (or `!123`) at a word boundary, as a link when the remote has one for it. */
  private reference(prefix: '#' | '!'): boolean {
    const { text, i } = this;
    const link = this.options.reference;
    if (!link) return false;
    // `&#123;` is a character reference, `abc#12` no reference.
    if (i > 0 && (WORD_CHAR.test(text.charAt(i - 1)) || text.charAt(i - 1) === '&')) return false;
    REFERENCE.lastIndex = i + 1;
    const digits = REFERENCE.exec(text)?.[0];
    if (!digits || WORD_CHAR.test(text.charAt(i + 1 + digits.length))) return false;
    const url = link(prefix, digits);
    if (url === null) return false;
    if (this.bareBang) this.out = `${this.out.slice(0, -1)}\\!`;
    this.emit(`[${prefix}${digits}](${url})`, 1 + digits.length);
    return true;
  }

  /**
   * A run of `*`, `_` or `~` can open or close emphasis (or strikethrough) unless a space is on
   * both sides of it, or, for `_`, a letter or digit is on both sides (`snake_case`). Such runs
   * stay as written; any other gets a backslash per character. The text's own ends count as
   * spaces, which is what they sit between in an entry.
   */
  private delimiters(ch: string): void {
    const { text } = this;
    let end = this.i;
    while (text.charAt(end) === ch) end += 1;
    const length = end - this.i;
    const before = this.i === 0 ? ' ' : text.charAt(this.i - 1);
    const after = end === text.length ? ' ' : text.charAt(end);
    const inert =
      !this.options.strictEmphasis &&
      ((before === ' ' && after === ' ') ||
        (ch === '_' && LETTER_OR_DIGIT.test(before) && LETTER_OR_DIGIT.test(after)));
    this.emit(inert ? ch.repeat(length) : `\\${ch}`.repeat(length), length);
  }

  /**
   * Whether `<` here could start raw HTML (a letter, `/`, `!` or `?` after it) or an autolink
   * (a `>` before the next space or `<`, which is how far a URI or email autolink reaches).
   */
  private couldOpenHtml(): boolean {
    const { text } = this;
    if (HTML_START.test(text.charAt(this.i + 1))) return true;
    for (let j = this.i + 1; j < text.length; j += 1) {
      const c = text.charAt(j);
      if (c === '>') return true;
      if (c === ' ' || c === '<') return false;
    }
    return false;
  }

  private entityAt(at: number): boolean {
    ENTITY.lastIndex = at;
    return ENTITY.test(this.text);
  }

  /** A control or bidi character, shown as its escape; `<U+202E>` gets the backslash any `<` before a letter gets. */
  private hidden(ch: string): void {
    const shown = visibleText(ch);
    this.emit(shown.startsWith('<') ? `\\${shown}` : shown, ch.length);
  }
}

/**
 * Where each maximal backtick run starts, by length, for finding the run that closes a code
 * span: the next run of exactly the same length. Openers are asked in increasing position, so
 * one cursor per length makes all the look-ups together linear in the text.
 */
class BacktickRuns {
  private readonly starts = new Map<number, number[]>();
  private readonly cursors = new Map<number, number>();

  constructor(text: string) {
    for (let i = text.indexOf('`'); i !== -1;) {
      let end = i;
      while (text.charAt(end) === '`') end += 1;
      const list = this.starts.get(end - i);
      if (list) list.push(i);
      else this.starts.set(end - i, [i]);
      i = text.indexOf('`', end);
    }
  }

  /** The start of the first run of `length` backticks at or after `from`, or -1. */
  next(length: number, from: number): number {
    const list = this.starts.get(length);
    if (!list) return -1;
    let cursor = this.cursors.get(length) ?? 0;
    while (cursor < list.length && (list[cursor] ?? 0) < from) cursor += 1;
    this.cursors.set(length, cursor);
    return list[cursor] ?? -1;
  }
}
