/**
 * Characters a terminal or a viewer acts on instead of showing: C0 and C1 controls and DEL
 * (an ESC sequence can set a terminal's title, clear its screen or hide what follows) and the
 * invisible marks that reorder text (U+202E shows `exe.txt` as `txt.exe`).
 */
// eslint-disable-next-line no-control-regex -- finding control characters is this pattern's whole purpose
const HIDDEN = /\r\n|[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export interface VisibleTextOptions {
  /** Characters the layout needs and keeps as they are, e.g. `'\n\t'` for a block of output. */
  keep?: string;
}

/**
 * Text from a repository or a command's output, as it may be shown: every hidden character
 * becomes a visible escape (`\u001b`, `<U+202E>`) rather than disappearing, so a reader still
 * sees that something was there. Markdown and terminal renderers both call this; it is pure
 * and safe to apply twice.
 */
export function visibleText(text: string, options: VisibleTextOptions = {}): string {
  const keep = options.keep ?? '';
  return text.replace(HIDDEN, (char) => {
    // A Windows line ending is a line ending wherever line breaks are kept.
    if (char === '\r\n') return keep.includes('\n') ? '\n' : '\\u000d\\u000a';
    if (keep.includes(char)) return char;
    const code = char.charCodeAt(0);
    const hex = code.toString(16).padStart(4, '0');
    return code <= 0x9f ? `\\u${hex}` : `<U+${hex.toUpperCase()}>`;
  });
}

/**
 * JSON for a terminal: JSON.stringify escapes C0 itself; DEL, C1 and bidi marks get `\u`
 * escapes as well, which any JSON reader turns back into the same characters.
 */
export function visibleJson(value: unknown): string {
  // Any raw C0 left in JSON's output is its own indentation: inside strings it is escaped already.
  return JSON.stringify(value, null, 2).replace(HIDDEN, (char) =>
    char.charCodeAt(0) < 0x20 ? char : `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
