import type { CommitAnalysis, CommitEntry } from './commits.js';
import { escapeMarkdown } from './markdown.js';
import { visibleText } from './visible-text.js';
import { remoteLinks, type RemoteLinks } from './remote-links.js';

export const CHANGELOG_TITLE = '# Changelog';

export interface ChangelogEntryInput {
  version: string;
  /** Release date as `YYYY-MM-DD`. */
  date: string;
  analysis: Pick<CommitAnalysis, 'breaking' | 'features' | 'fixes' | 'performance' | 'reverts'>;
  /** Tag of the previous release; without it the heading has no compare link. */
  previousTag?: string | null;
  tag: string;
  /** The git remote URL; links are added only for GitHub and GitLab remotes. */
  repoUrl?: string | null;
}

// Any heading that names a version starts an entry; conventional-changelog once used `#` for majors.
const ENTRY_HEADING = /^#{1,3} \[?v?\d+\.\d+\.\d+/;
const TITLE_HEADING = /^# /;

/** One release's changelog entry as Markdown, ending in a newline. Commit text is escaped. */
export function renderChangelogEntry(input: ChangelogEntryInput): string {
  const links = remoteLinks(input.repoUrl);
  const compare = links && input.previousTag ? links.compare(input.previousTag, input.tag) : null;
  const heading = compare ? `## [${input.version}](${compare}) (${input.date})` : `## ${input.version} (${input.date})`;

  const { analysis } = input;
  const breakingLines = analysis.breaking.flatMap((entry) => {
    const notes = entry.breakingNotes.length > 0 ? entry.breakingNotes : [entry.subject];
    return notes.map((note) => renderLine(entry, note, links));
  });
  const sections: Array<[string, string[]]> = [
    ['Breaking Changes', breakingLines],
    ['Features', analysis.features.map((entry) => renderLine(entry, entry.subject, links))],
    ['Bug Fixes', analysis.fixes.map((entry) => renderLine(entry, entry.subject, links))],
    ['Performance', analysis.performance.map((entry) => renderLine(entry, entry.subject, links))],
    ['Reverts', analysis.reverts.map((entry) => renderLine(entry, entry.subject, links))],
  ];

  const blocks = [heading];
  for (const [title, lines] of sections) {
    if (lines.length > 0) blocks.push(`### ${title}`, lines.join('\n'));
  }
  // The text is escaped line by line above; this also covers the version, date and tag it names.
  return visibleText(`${blocks.join('\n\n')}\n`, { keep: '\n' });
}

/**
 * Adds an entry above the existing ones: after the title and any text under it, or at the top
 * when the file has no title. Creates the file's content when there is none.
 */
export function prependChangelog(existing: string | null, entry: string): string {
  const body = entry.trim();
  if (existing === null || existing.trim() === '') return `${CHANGELOG_TITLE}\n\n${body}\n`;

  const lines = existing.split('\n');
  const firstEntry = lines.findIndex((line) => ENTRY_HEADING.test(line));
  const title = lines.findIndex((line) => TITLE_HEADING.test(line) && !ENTRY_HEADING.test(line));
  const hasTitle = title !== -1 && (firstEntry === -1 || title < firstEntry);
  const at = !hasTitle ? 0 : firstEntry === -1 ? lines.length : firstEntry;

  const head = lines.slice(0, at).join('\n').trimEnd();
  const rest = lines.slice(at).join('\n').trim();
  return `${head ? `${head}\n\n` : ''}${body}${rest ? `\n\n${rest}` : ''}\n`;
}

/** Whether the changelog already has an entry for exactly this version (so a retried release skips it). */
export function changelogHasVersion(text: string, version: string): boolean {
  return versionHeading(version).test(text);
}

/** The entry for a version, heading included, without surrounding blank lines; null when absent. */
export function extractChangelogEntry(text: string, version: string): string | null {
  const lines = text.split('\n');
  const pattern = versionHeading(version);
  const start = lines.findIndex((line) => pattern.test(line));
  if (start === -1) return null;

  const level = /^#+/.exec(lines[start] ?? '')?.[0].length ?? 2;
  const sameOrHigherHeading = new RegExp(`^#{1,${level}} `);
  const length = lines.slice(start + 1).findIndex((line) => ENTRY_HEADING.test(line) || sameOrHigherHeading.test(line));
  const end = length === -1 ? lines.length : start + 1 + length;
  return lines.slice(start, end).join('\n').trim();
}

function renderLine(entry: CommitEntry, text: string, links: RemoteLinks | null): string {
  const scope = entry.scope ? `**${escapeMarkdown(entry.scope)}:** ` : '';
  const sha = escapeMarkdown(entry.shortSha);
  const ref = links ? `[${sha}](${links.commit(entry.sha)})` : sha;
  return `* ${scope}${escapeMarkdown(text)} (${ref})`;
}

function versionHeading(version: string): RegExp {
  const escaped = version.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // The lookahead keeps 1.2.0 from matching 1.2.01 or 1.2.0-rc.1; the anchor keeps it from 11.2.0.
  return new RegExp(`^#{1,3} \\[?v?${escaped}\\]?(?=[\\s(]|$)`, 'm');
}
