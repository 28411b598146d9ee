import type { CommitPreset } from './commit.js';
import type { CommitAnalysis, CommitEntry } from './commits.js';
import { inlineMarkdown } from './markdown.js';
import { visibleText } from './visible-text.js';
import { remoteLinks, type RemoteLinks } from './remote-links.js';

export const CHANGELOG_TITLE = '# Changelog';

/** `scope`: within a section, commits by scope, then as git listed them; those without a scope last. */
export type ChangelogSort = 'none' | 'scope';

export interface ChangelogEntryInput {
  version: string;
  /** Release date as `YYYY-MM-DD`. */
  date: string;
  /** Every commit of the range; those that do not count toward the release (`bump` null) are left out. */
  analysis: Pick<CommitAnalysis, 'entries'>;
  /** Tag of the previous release; without it the heading has no compare link. */
  previousTag?: string | null;
  tag: string;
  /** The git remote URL; links are added only for GitHub and GitLab remotes. */
  repoUrl?: string | null;
  /** Section titles and order. Default `conventionalcommits`. */
  preset?: CommitPreset;
  /** Default `none`: as git listed the commits. */
  sort?: ChangelogSort;
}

interface PresetSections {
  breakingTitle: string;
  /** Whether the breaking section comes before the type sections. */
  breakingFirst: boolean;
  /** Type → section title, in the order the sections are written (unless `alphabetical`). */
  titles: ReadonlyMap<string, string>;
  /** Sections in the order of their titles, as conventional-changelog's angular preset sorts its groups. */
  alphabetical: boolean;
}

/**
 * The sections of conventional-changelog's two presets, which is how most published changelogs
 * read. conventionalcommits: breaking changes first, then its type list in order (the types it
 * hides by default, docs to ci, appear here only for a commit that counts, through a release
 * rule or by breaking). angular: type groups sorted by title, breaking changes after them; it
 * has no title for `chore`, whose section is named by the type.
 */
const PRESETS: Readonly<Record<CommitPreset, PresetSections>> = {
  conventionalcommits: {
    breakingTitle: '⚠ BREAKING CHANGES',
    breakingFirst: true,
    alphabetical: false,
    titles: new Map([
      ['feat', 'Features'],
      ['feature', 'Features'],
      ['fix', 'Bug Fixes'],
      ['perf', 'Performance Improvements'],
      ['revert', 'Reverts'],
      ['docs', 'Documentation'],
      ['style', 'Styles'],
      ['chore', 'Miscellaneous Chores'],
      ['refactor', 'Code Refactoring'],
      ['test', 'Tests'],
      ['build', 'Build System'],
      ['ci', 'Continuous Integration'],
    ]),
  },
  angular: {
    breakingTitle: 'BREAKING CHANGES',
    breakingFirst: false,
    alphabetical: true,
    titles: new Map([
      ['feat', 'Features'],
      ['fix', 'Bug Fixes'],
      ['perf', 'Performance Improvements'],
      ['revert', 'Reverts'],
      ['docs', 'Documentation'],
      ['style', 'Styles'],
      ['refactor', 'Code Refactoring'],
      ['test', 'Tests'],
      ['build', 'Build System'],
      ['ci', 'Continuous Integration'],
    ]),
  },
};

/** A commit that counts but has no type (a breaking footer under a free-form subject, or a rule's doing). */
const UNTYPED_TITLE = 'Other Changes';

// Any heading that names a version starts an entry; conventional-changelog once used `#` for majors.
const ENTRY_HEADING = /^#{1,3} \[?v?\d+\.\d+\.\d+/;
const TITLE_HEADING = /^# /;

/**
 * One release's changelog entry as Markdown, ending in a newline: a section per type of the
 * commits that count toward the release, and the breaking changes, one line per note, in a
 * section of their own (a breaking commit is listed in its type's section as well). Commit
 * text is rendered by `inlineMarkdown`: as written, with nothing it could inject.
 */
export function renderChangelogEntry(input: ChangelogEntryInput): string {
  const links = remoteLinks(input.repoUrl);
  const compare = links && input.previousTag ? links.compare(input.previousTag, input.tag) : null;
  const heading = compare ? `## [${input.version}](${compare}) (${input.date})` : `## ${input.version} (${input.date})`;
  const preset = PRESETS[input.preset ?? 'conventionalcommits'];
  const order = input.sort === 'scope' ? byScope : (entries: CommitEntry[]) => entries;

  const counted = input.analysis.entries.filter((entry) => entry.bump !== null);
  const breakingLines = order(counted.filter((entry) => entry.breaking)).flatMap((entry) => {
    const notes = entry.breakingNotes.length > 0 ? entry.breakingNotes : [entry.subject];
    return notes.map((note) => renderLine(entry, note, links));
  });
  const typeSections = sectionsOf(counted, preset).map(([title, entries]): Section => [
    title,
    order(entries).map((entry) => renderLine(entry, entry.subject, links)),
  ]);
  const breaking: Section[] = [[preset.breakingTitle, breakingLines]];
  const sections = preset.breakingFirst ? [...breaking, ...typeSections] : [...typeSections, ...breaking];

  const blocks = [heading];
  for (const [title, lines] of sections) {
    if (lines.length > 0) blocks.push(`### ${title}`, lines.join('\n'));
  }
  // Commit text is rendered line by line above; this also covers the version, date and tag it names.
  return visibleText(`${blocks.join('\n\n')}\n`, { keep: '\n' });
}

type Section = [title: string, lines: string[]];

/**
 * The counted commits grouped by section title, sections in the preset's order. A type the
 * preset has no title for (a release rule can make any type count) is its own section, named by
 * the type, after the preset's known ones in order of first appearance for conventionalcommits
 * and among them by title for angular.
 */
function sectionsOf(counted: readonly CommitEntry[], preset: PresetSections): Array<[string, CommitEntry[]]> {
  const groups = new Map<string, CommitEntry[]>();
  for (const title of preset.titles.values()) groups.set(title, []);
  for (const entry of counted) {
    const type = entry.revertOf !== undefined ? 'revert' : entry.type;
    if (type === null && entry.breaking) continue;
    const title = type === null ? UNTYPED_TITLE : (preset.titles.get(type) ?? type);
    const group = groups.get(title);
    if (group) group.push(entry);
    else groups.set(title, [entry]);
  }
  const sections = [...groups].filter(([, entries]) => entries.length > 0);
  if (preset.alphabetical) sections.sort(([a], [b]) => compareFolded(a, b));
  // Commits no type names sit at the end whatever the preset's order.
  return [
    ...sections.filter(([title]) => title !== UNTYPED_TITLE),
    ...sections.filter(([title]) => title === UNTYPED_TITLE),
  ];
}

/**
 * Scoped commits first, by scope, each scope's commits as git listed them; unscoped commits last, as git listed them.
 * Sorting is meant to gather a component's changes; commits without a scope belong to no
 * component and read as the remainder.
 */
function byScope(entries: CommitEntry[]): CommitEntry[] {
  return entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => {
      if (a.entry.scope === null || b.entry.scope === null) {
        if (a.entry.scope !== b.entry.scope) return a.entry.scope === null ? 1 : -1;
        return a.index - b.index;
      }
      return compareFolded(a.entry.scope, b.entry.scope) || a.index - b.index;
    })
    .map(({ entry }) => entry);
}

/** Case folded, then exact: the same order under any locale. */
function compareFolded(a: string, b: string): number {
  const order = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  return order(a.toLowerCase(), b.toLowerCase()) || order(a, b);
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
  const scope = entry.scope ? `**${inlineMarkdown(entry.scope, { strictEmphasis: true })}:** ` : '';
  const reference = links ? (prefix: '#' | '!', number: string) => links.reference(prefix, number) : undefined;
  const body = inlineMarkdown(text, { blockStart: scope === '', ...(reference && { reference }) });
  // A short SHA is hex; anything else is shown, not trusted.
  const sha = /^[0-9a-f]+$/i.test(entry.shortSha) ? entry.shortSha : inlineMarkdown(entry.shortSha);
  const ref = links ? `[${sha}](${links.commit(entry.sha)})` : sha;
  return `* ${scope}${body} (${ref})`;
}

function versionHeading(version: string): RegExp {
  const escaped = version.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // The lookahead keeps 1.2.0 from matching 1.2.01 or 1.2.0-rc.1; the anchor keeps it from 11.2.0.
  return new RegExp(`^#{1,3} \\[?v?${escaped}\\]?(?=[\\s(]|$)`, 'm');
}
