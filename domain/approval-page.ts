/*
 * What a person reads before approving a version: its changelog entry and what changed since the
 * release before it. Pure text handling; the worker's read (activities/reads.ts) runs git.
 */

/** One file of the diff between the previous release and this one; binary files count no lines. */
export interface ChangedFile {
  path: string;
  insertions: number;
  deletions: number;
  binary: boolean;
}

export interface DiffSummary {
  /** The previous release's tag; null for a first release (the diff is then of everything). */
  from: string | null;
  to: string;
  commits: number;
  filesChanged: number;
  insertions: number;
  deletions: number;
  /** At most `MAX_FILES`, the most changed first. */
  files: ChangedFile[];
  /** How many files were left out of `files`. */
  filesLeftOut: number;
}

export const MAX_FILES = 200;

/**
 * The entry of `version` in a CHANGELOG.md: from its heading (`## 1.2.0 …` or `## [1.2.0](…) …`)
 * to the next heading of the same level; null when it has none.
 */
export function changelogEntryOf(changelog: string, version: string): string | null {
  const lines = changelog.split('\n');
  const heading = /^(#{1,3}) +\[?v?([^\]\s(]+)/;
  let start = -1;
  let level = 0;
  for (let i = 0; i < lines.length; i += 1) {
    const match = heading.exec(lines[i] ?? '');
    if (!match) continue;
    if (start === -1) {
      if (match[2] === version) {
        start = i;
        level = match[1]!.length;
      }
      continue;
    }
    if (match[1]!.length <= level) return `${lines.slice(start, i).join('\n').trimEnd()}\n`;
  }
  return start === -1 ? null : `${lines.slice(start).join('\n').trimEnd()}\n`;
}

/** `git diff --numstat -z` as files, the most changed first, with the totals. */
export function diffSummaryOf(
  numstat: string,
  range: { from: string | null; to: string; commits: number },
): DiffSummary {
  const files: ChangedFile[] = [];
  const fields = numstat.split('\0');
  for (let i = 0; i < fields.length; i += 1) {
    const record = fields[i] ?? '';
    if (record === '') continue;
    const match = /^(-|\d+)\t(-|\d+)\t(.*)$/s.exec(record);
    if (!match) continue;
    let path = match[3] ?? '';
    // A rename is `<ins>\t<del>\t` followed by its old and new paths, each ended by NUL.
    if (path === '') {
      i += 2;
      path = fields[i] ?? '';
    }
    const binary = match[1] === '-';
    files.push({
      path,
      insertions: binary ? 0 : Number(match[1]),
      deletions: binary ? 0 : Number(match[2]),
      binary,
    });
  }
  files.sort((a, b) => b.insertions + b.deletions - (a.insertions + a.deletions) || a.path.localeCompare(b.path));
  return {
    ...range,
    filesChanged: files.length,
    insertions: files.reduce((sum, f) => sum + f.insertions, 0),
    deletions: files.reduce((sum, f) => sum + f.deletions, 0),
    files: files.slice(0, MAX_FILES),
    filesLeftOut: Math.max(0, files.length - MAX_FILES),
  };
}
