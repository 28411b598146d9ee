import { visibleText } from './visible-text.js';

/**
 * Commit text is written by anyone who can push; it must render as the text it is. Line breaks
 * and runs of whitespace collapse to one space (a newline could start a heading or a table),
 * other control and bidi characters become visible escapes, HTML is neutralised with entities,
 * and inline Markdown syntax is backslash-escaped so no link, image, code span, emphasis or
 * table cell can form.
 */
export function escapeMarkdown(text: string): string {
  return visibleText(text.replace(/[^\S\v\f]+/g, ' ').trim())
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~]/g, '\\$&');
}
