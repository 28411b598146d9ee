/**
 * Commit text is written by anyone who can push; it must render as the text it is. Newlines
 * and control characters collapse to spaces (a newline could start a heading or a table), HTML
 * is neutralised with entities, and inline Markdown syntax is backslash-escaped so no link,
 * image, code span, emphasis or table cell can form.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\p{Cc}\s]+/gu, ' ')
    .trim()
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~]/g, '\\$&');
}
