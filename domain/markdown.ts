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
// What starts raw HTML after `<`: a tag, a closing tag, a comment, a declaration, CDATA or a processing instruction.
const HTML_START = /[A-Za-z/!?]/;
// Character references CommonMark decodes (named ones only when the name is real; any name is escaped, which costs nothing).
const ENTITY = /&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});/y;
const ORDERED_MARKER = /^[0-9]{1,9}[.)](?= |$)/;
const REFERENCE = /[0-9]+/y;
// Characters that open a block at the start of a line: heading, quote, list, thematic break, setext underline (`*`, `_`, `~` are runs, below).
const BLOCK_OPENERS = new Set(['#', '>', '-', '+', '=']);

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
  /** Where a run of `*`, `_` or `~` starts that could pair with another into emphasis. */
  private readonly pairable: ReadonlySet<number>;

  constructor(
    private readonly text: string,
    private readonly options: InlineMarkdownOptions,
  ) {
    this.hasHidden = visibleText(text) !== text;
    this.closers = new BacktickRuns(text);
    this.pairable = pairableRuns(text, this.hasHidden, options.reference !== undefined);
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
    if (first === '*' || first === '_' || first === '~') {
      this.delimiters(first, true);
      return;
    }
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
   * A run of `*`, `_` or `~` stays as written unless it could pair with another into emphasis
   * or strikethrough (`pairableRuns`); then each of its characters gets a backslash. A run
   * that starts an item is escaped whole, being a list marker, thematic break or fence there.
   */
  private delimiters(ch: string, atBlockStart = false): void {
    const { text } = this;
    let end = this.i;
    while (text.charAt(end) === ch) end += 1;
    const length = end - this.i;
    const inert = !atBlockStart && !this.options.strictEmphasis && !this.pairable.has(this.i);
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

interface DelimiterRun {
  ch: string;
  start: number;
  canOpen: boolean;
  canClose: boolean;
}

// Unicode punctuation as CommonMark 0.31 reads it (P and S) and as older renderers do (P and ASCII); a run is judged by both.
const PUNCTUATION_NOW = /[\p{P}\p{S}]/u;
const PUNCTUATION_BEFORE = /[\p{P}!-/:-@[-`{-~]/u;

/**
 * The runs of `*`, `_` and `~` (outside code spans and backslash escapes) that could take part
 * in emphasis or strikethrough: one that can open with a run of the same character after it
 * that can close, or one that can close with such an opener before it. Opening and closing
 * follow CommonMark's flanking rules (`_` does not open or close inside a word); the finer
 * rules that keep some such pairs apart are not applied, which only ever escapes more. A run
 * next to a hidden character, whose visible escape the rules would see instead, always counts.
 */
function pairableRuns(text: string, hasHidden: boolean, linksReferences: boolean): Set<number> {
  const runs: DelimiterRun[] = [];
  const closers = new BacktickRuns(text);
  for (let i = 0; i < text.length;) {
    const ch = text.charAt(i);
    let end = i + 1;
    if (ch === '\\' && ASCII_PUNCTUATION.test(text.charAt(i + 1))) end = i + 2;
    else if (ch === '`') {
      while (text.charAt(end) === '`') end += 1;
      const closer = closers.next(end - i, end);
      if (closer !== -1) end = closer + (end - i);
    } else if (ch === '*' || ch === '_' || ch === '~') {
      while (text.charAt(end) === ch) end += 1;
      runs.push(delimiterRun(text, ch, i, end, hasHidden, linksReferences));
    }
    i = end;
  }

  const pairable = new Set<number>();
  const openerSeen = new Set<string>();
  for (const run of runs) {
    if (run.canClose && openerSeen.has(run.ch)) pairable.add(run.start);
    if (run.canOpen) openerSeen.add(run.ch);
  }
  const closerAhead = new Set<string>();
  for (const run of runs.reverse()) {
    if (run.canOpen && closerAhead.has(run.ch)) pairable.add(run.start);
    if (run.canClose) closerAhead.add(run.ch);
  }
  return pairable;
}

function delimiterRun(
  text: string,
  ch: string,
  start: number,
  end: number,
  hasHidden: boolean,
  linksReferences: boolean,
): DelimiterRun {
  // The text's ends sit next to spaces in an entry, and CommonMark counts a line's ends as spaces too.
  const before = start === 0 ? ' ' : characterBefore(text, start);
  const after = end === text.length ? ' ' : String.fromCodePoint(text.codePointAt(end) ?? 0x20);
  if (hasHidden && (visibleText(before) !== before || visibleText(after) !== after)) {
    return { ch, start, canOpen: true, canClose: true };
  }
  // A digit before the run may end a reference that becomes a link, which ends in `)`.
  const befores = linksReferences && /[0-9]/.test(before) ? [before, ')'] : [before];
  let canOpen = false;
  let canClose = false;
  for (const punctuation of [PUNCTUATION_NOW, PUNCTUATION_BEFORE]) {
    for (const shown of befores) {
      const punctBefore = punctuation.test(shown);
      const punctAfter = punctuation.test(after);
      const left = after !== ' ' && (!punctAfter || shown === ' ' || punctBefore);
      const right = shown !== ' ' && (!punctBefore || after === ' ' || punctAfter);
      canOpen ||= ch === '_' ? left && (!right || punctBefore) : left;
      canClose ||= ch === '_' ? right && (!left || punctAfter) : right;
    }
  }
  return { ch, start, canOpen, canClose };
}

/** The whole character before `at`, both halves of a surrogate pair (an emoji is a symbol, its halves nothing). */
function characterBefore(text: string, at: number): string {
  const low = text.charCodeAt(at - 1);
  const high = text.charCodeAt(at - 2);
  const pair = low >= 0xdc00 && low <= 0xdfff && high >= 0xd800 && high <= 0xdbff;
  return text.slice(pair ? at - 2 : at - 1, at);
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
