import parseDiff from 'parse-diff';

export type ChangeStatus = 'added' | 'modified' | 'renamed';

export interface ChangedFile {
  /** Path in the new tree, repository-relative, forward slashes. */
  path: string;
  status: ChangeStatus;
  /** Added or modified line numbers in the new file, sorted and unique. */
  lines: number[];
}

const FILE_HEADER = 'diff --git ';

// Symlinks and submodules show up as one-line "files" holding a link target or a commit id: nothing to cover.
const NON_SOURCE_MODES = new Set(['120000', '160000']);

/**
 * The files a `git diff -U0 --no-color` changes, with the lines each one adds or modifies.
 * Works with and without rename detection; deleted and binary files are left out.
 */
export function changedLines(diffText: string): ChangedFile[] {
  const files: ChangedFile[] = [];
  for (const section of fileSections(diffText)) {
    const file = changedFile(section);
    if (file) files.push(file);
  }
  return files;
}

/**
 * One section per `diff --git` header. parse-diff reads the hunks but not git's extended headers
 * (binary, rename, copy), so each section's headers are read here before its hunks.
 */
function fileSections(diffText: string): string[][] {
  const sections: string[][] = [];
  for (const line of diffText.split('\n')) {
    if (line.startsWith(FILE_HEADER)) sections.push([line]);
    else sections.at(-1)?.push(line);
  }
  return sections;
}

function changedFile(section: string[]): ChangedFile | null {
  const firstHunk = section.findIndex((line) => line.startsWith('@@'));
  const headers = firstHunk === -1 ? section : section.slice(0, firstHunk);
  if (headers.some((line) => line.startsWith('Binary files ') || line === 'GIT binary patch')) return null;

  const [parsed] = parseDiff(section.join('\n'));
  if (!parsed || parsed.deleted) return null;
  if (parsed.newMode && NON_SOURCE_MODES.has(parsed.newMode)) return null;

  const renamedTo = headerValue(headers, 'rename to ');
  const copiedTo = headerValue(headers, 'copy to ');
  const newName = renamedTo ?? copiedTo ?? parsed.to;
  if (!newName || newName === '/dev/null') return null;

  const status: ChangeStatus =
    parsed.new || copiedTo !== undefined ? 'added' : renamedTo !== undefined ? 'renamed' : 'modified';
  const added = new Set<number>();
  for (const chunk of parsed.chunks) {
    for (const change of chunk.changes) {
      if (change.type === 'add') added.add(change.ln);
    }
  }
  return { path: unquoteGitPath(newName), status, lines: [...added].sort((a, b) => a - b) };
}

function headerValue(headers: string[], prefix: string): string | undefined {
  return headers.find((line) => line.startsWith(prefix))?.slice(prefix.length);
}

const C_ESCAPES: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 };
const utf8 = new TextEncoder();

/**
 * Git writes a path containing non-ASCII bytes, quotes, backslashes or control characters in C
 * style ("caf\303\251.ts"), with octal escapes for the UTF-8 bytes. Git always quotes a path that
 * contains a backslash, so any backslash left in a name is an escape, even after parse-diff has
 * dropped the quotes.
 */
function unquoteGitPath(name: string): string {
  const inner = name.length >= 2 && name.startsWith('"') && name.endsWith('"') ? name.slice(1, -1) : name;
  if (!inner.includes('\\')) return inner;
  const bytes: number[] = [];
  for (const token of inner.matchAll(/\\([0-7]{3})|\\(.)|[^\\]+/gsu)) {
    const [text, octal, escaped] = token;
    if (octal !== undefined) bytes.push(Number.parseInt(octal, 8));
    else if (escaped !== undefined) bytes.push(...escapeBytes(escaped));
    else bytes.push(...utf8.encode(text));
  }
  return new TextDecoder().decode(Uint8Array.from(bytes));
}

function escapeBytes(escaped: string): Iterable<number> {
  const code = C_ESCAPES[escaped];
  return code === undefined ? utf8.encode(escaped) : [code];
}
