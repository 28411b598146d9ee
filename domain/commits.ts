import { CommitParser, type Commit } from 'conventional-commits-parser';
import type { Bump, CommitEntry, RawCommit } from './commit.js';
import { applyReverts } from './reverts.js';

export type { Bump, CommitEntry, RawCommit } from './commit.js';

export interface CommitAnalysis {
  /** One entry per input commit, in input order, including ignored ones. */
  entries: CommitEntry[];
  /** Highest bump over all counted commits; null when nothing is releasable. */
  bump: Bump | null;
  breaking: CommitEntry[];
  features: CommitEntry[];
  fixes: CommitEntry[];
  performance: CommitEntry[];
  reverts: CommitEntry[];
}

export interface AnalyseOptions {
  /** Matches the header of our own release commits. Default: `chore(release):`. */
  releaseCommitPattern?: RegExp;
}

const DEFAULT_RELEASE_COMMIT = /^chore\(release\)!?:/;
const SKIP_RELEASE = '[skip release]';
const SHORT_SHA_LENGTH = 7;

// A Map, not an object literal: commit types are untrusted and `constructor:` must not find a prototype member.
const TYPE_BUMPS: ReadonlyMap<string, Bump> = new Map([
  ['feat', 'minor'],
  ['fix', 'patch'],
  ['perf', 'patch'],
]);
const BUMP_RANK: Readonly<Record<Bump, number>> = { patch: 1, minor: 2, major: 3 };

const BREAKING_HEADER = /^(\w+)(?:\(([^()\r\n]*)\))?!: (.+)$/;

/**
 * What is parsed of one message. Real headers are under a hundred characters and real bodies
 * a few kilobytes; beyond these a commit is still classified, from its beginning, and what
 * it shows ends in `…`. The bound keeps the cost of one commit, and of the changelog and tag
 * message made from it, small whatever a committer writes.
 */
export const MAX_HEADER_CHARS = 1_000;
export const MAX_BODY_CHARS = 64 * 1024;

const parser = new CommitParser({
  headerPattern: /^(\w+)(?:\(([^()\r\n]*)\))?!?: (.+)$/,
  breakingHeaderPattern: BREAKING_HEADER,
  headerCorrespondence: ['type', 'scope', 'subject'],
  noteKeywords: ['BREAKING CHANGE', 'BREAKING-CHANGE'],
  // The spec requires the upper-case token followed by a colon; the parser's default also
  // accepts "breaking change" anywhere in prose, which would make ordinary bodies major.
  notesPattern: (keywords) => new RegExp(`^(${keywords}):\\s*([\\s\\S]*)`),
  // Reverts are found by `revertTarget` below: one pattern over the whole message backtracked
  // quadratically on long runs of whitespace.
  revertPattern: undefined,
  revertCorrespondence: undefined,
  // Issue references are not used; leaving them on would also move body lines into the footer.
  issuePrefixes: undefined,
  referenceActions: undefined,
});
skipReferences(parser);

/**
 * Without issue prefixes the parser still looks for references on every line, with a pattern
 * that never matches but is retried at every position: quadratic in the length of a line (a
 * 1 MiB subject took minutes, and held the event loop all that time). A sticky pattern that
 * fails at its first position gives the same answer, none, at once.
 */
function skipReferences(commitParser: CommitParser): void {
  const internals = commitParser as unknown as { regexes?: { referenceParts?: unknown } };
  if (!internals.regexes || !(internals.regexes.referenceParts instanceof RegExp)) {
    throw new Error('conventional-commits-parser no longer keeps regexes.referenceParts; revisit skipReferences');
  }
  internals.regexes.referenceParts = /(?!)/y;
}

/** Classifies each commit by Conventional Commits 1.0 and derives the release bump. */
export function analyseCommits(commits: readonly RawCommit[], opts: AnalyseOptions = {}): CommitAnalysis {
  const releasePattern = releasePatternOf(opts);
  return summarise(
    commits,
    commits.map((commit) => classify(commit, releasePattern)),
  );
}

/**
 * Parsed text between two pauses of `analyseCommitsInSlices`: a few milliseconds of ordinary
 * commits, and a fraction of a second for the slowest text measured (short lines full of quotes).
 */
const SLICE_CHARS = 256 * 1024;
// What a commit costs beyond its text: its entry, its SHA index, its parser state.
const COMMIT_OVERHEAD_CHARS = 256;

/**
 * The same analysis, awaiting `pause` after each slice of parsed text, so that a long or
 * hostile history never holds a server's event loop (health checks, heartbeats) for long.
 */
export async function analyseCommitsInSlices(
  commits: readonly RawCommit[],
  pause: () => Promise<void>,
  opts: AnalyseOptions = {},
): Promise<CommitAnalysis> {
  const releasePattern = releasePatternOf(opts);
  const entries: CommitEntry[] = [];
  let parsed = 0;
  for (const commit of commits) {
    entries.push(classify(commit, releasePattern));
    parsed +=
      Math.min(commit.subject.length, MAX_HEADER_CHARS) +
      Math.min(commit.body.length, MAX_BODY_CHARS) +
      COMMIT_OVERHEAD_CHARS;
    if (parsed >= SLICE_CHARS) {
      parsed = 0;
      await pause();
    }
  }
  return summarise(commits, entries);
}

function releasePatternOf(opts: AnalyseOptions): RegExp {
  // A caller's /g or /y pattern would make `test` stateful and skip every other release commit.
  const given = opts.releaseCommitPattern ?? DEFAULT_RELEASE_COMMIT;
  return new RegExp(given.source, given.flags.replace(/[gy]/g, ''));
}

function summarise(commits: readonly RawCommit[], classified: readonly CommitEntry[]): CommitAnalysis {
  const entries = applyReverts(classified, commits);
  const analysis: CommitAnalysis = {
    entries,
    bump: null,
    breaking: [],
    features: [],
    fixes: [],
    performance: [],
    reverts: [],
  };
  for (const entry of entries) {
    if (entry.bump === null) continue;
    if (analysis.bump === null || BUMP_RANK[entry.bump] > BUMP_RANK[analysis.bump]) analysis.bump = entry.bump;
    if (entry.breaking) analysis.breaking.push(entry);
    if (entry.type === 'feat') analysis.features.push(entry);
    else if (entry.type === 'fix') analysis.fixes.push(entry);
    else if (entry.type === 'perf') analysis.performance.push(entry);
    else if (entry.revertOf !== undefined) analysis.reverts.push(entry);
  }
  return analysis;
}

function classify(commit: RawCommit, releasePattern: RegExp): CommitEntry {
  const header = bounded(commit.subject, MAX_HEADER_CHARS);
  const body = bounded(commit.body, MAX_BODY_CHARS);
  const message = body.trim() === '' ? header : `${header}\n\n${body}`;
  const base = {
    sha: commit.sha,
    shortSha: commit.sha.slice(0, SHORT_SHA_LENGTH),
    type: null,
    scope: null,
    subject: header,
    breaking: false,
    breakingNotes: [],
    bump: null,
  };

  // The commits a merge brings are listed on their own; counting the merge too would double them.
  if (commit.parents.length > 1) return { ...base, reason: 'ignored: merge commit' };
  if (releasePattern.test(header)) return { ...base, reason: 'ignored: release commit' };
  if (commit.subject.includes(SKIP_RELEASE) || commit.body.includes(SKIP_RELEASE))
    return { ...base, reason: `ignored: ${SKIP_RELEASE}` };
  // The parser throws on an empty message.
  if (message.trim() === '') return { ...base, reason: 'empty message → no release' };

  const parsed = parser.parse(message);
  const revert = revertTarget(message, parsed);
  if (revert) {
    return {
      ...base,
      type: 'revert',
      subject: revert.header,
      bump: 'patch',
      reason: `lone revert of ${revert.hash.slice(0, SHORT_SHA_LENGTH)} → patch`,
      revertOf: revert.hash,
    };
  }

  const type = parsed.type ? parsed.type.toLowerCase() : null;
  const notes = parsed.notes.map((note) => trimTrailers(note.text)).filter((text) => text !== '');
  const bangHeader = BREAKING_HEADER.test(parsed.header ?? '');
  // Without a `!` header every note comes from a footer.
  const footer = parsed.notes[0];
  const entry = {
    ...base,
    type,
    scope: parsed.scope || null,
    subject: parsed.subject ?? header,
    breaking: bangHeader || parsed.notes.length > 0,
    breakingNotes: notes,
  };

  if (bangHeader) return { ...entry, bump: 'major', reason: `${type}! → major` };
  if (footer) return { ...entry, bump: 'major', reason: `${footer.title} footer → major` };
  if (type === null) return { ...entry, reason: 'not a conventional commit → no release' };
  const bump = TYPE_BUMPS.get(type);
  if (bump) return { ...entry, bump, reason: `${type} → ${bump}` };
  return { ...entry, reason: `${type} → no release` };
}

// git's own `Revert "<header>"`, closed by the last `"` before `This reverts commit <sha>`.
const GIT_REVERT = /^Revert\s"/;
const GIT_REVERT_END = /"\s*This reverts commit ([0-9a-fA-F]{4,40})\b/g;
// A Conventional `revert: <header>`, with the sentence after the header or at its end.
const CONVENTIONAL_REVERT = /^revert(?:\([^()\r\n]*\))?!?:/;
const REVERTS_COMMIT = /This reverts commit ([0-9a-fA-F]{4,40})\b/g;
const REVERTS_COMMIT_HERE = /\s*This reverts commit ([0-9a-fA-F]{4,40})\b/y;

/**
 * The header and SHA a revert names, or null. Each pattern is tried once per candidate
 * position and never across the whole message with backtracking, so the cost is linear.
 */
function revertTarget(message: string, parsed: Commit): { header: string; hash: string } | null {
  const found = gitRevert(message) ?? conventionalRevert(message);
  if (!found) return null;
  return { header: found.header || (parsed.header ?? ''), hash: found.hash.toLowerCase() };
}

function gitRevert(message: string): { header: string; hash: string } | null {
  const opening = GIT_REVERT.exec(message);
  if (!opening) return null;
  let last: RegExpExecArray | null = null;
  GIT_REVERT_END.lastIndex = opening[0].length;
  for (let match = GIT_REVERT_END.exec(message); match; match = GIT_REVERT_END.exec(message)) last = match;
  return last?.[1] ? { header: message.slice(opening[0].length, last.index), hash: last[1] } : null;
}

function conventionalRevert(message: string): { header: string; hash: string } | null {
  const prefix = CONVENTIONAL_REVERT.exec(message);
  if (!prefix) return null;
  const start = message.slice(prefix[0].length).search(/\S/) + prefix[0].length;
  if (start < prefix[0].length) return null;
  const lineEnd = message.slice(start).search(/[\r\n]/);
  const end = lineEnd === -1 ? message.length : start + lineEnd;
  // The sentence on a later line names the whole header line; otherwise the header ends where the sentence starts.
  REVERTS_COMMIT_HERE.lastIndex = end;
  const below = REVERTS_COMMIT_HERE.exec(message);
  if (below?.[1]) return { header: message.slice(start, end), hash: below[1] };
  let last: RegExpExecArray | null = null;
  const line = message.slice(start, end);
  REVERTS_COMMIT.lastIndex = 0;
  for (let match = REVERTS_COMMIT.exec(line); match; match = REVERTS_COMMIT.exec(line)) last = match;
  return last?.[1] ? { header: line.slice(0, last.index), hash: last[1] } : null;
}

/** At most `max` characters, ending in `…` when cut; never splits a surrogate pair. */
function bounded(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = /[\uD800-\uDBFF]/.test(text[max - 1] ?? '') ? max - 1 : max;
  return `${text.slice(0, cut)}…`;
}

// A breaking note runs to the end of the message in the parser; later trailers such as
// `Reviewed-by: x` or `Refs #12` are not part of what broke.
function trimTrailers(text: string): string {
  const lines = text.split('\n');
  const end = lines.findIndex((line, i) => i > 0 && /^[A-Za-z][\w-]*(?:: | #)/.test(line));
  return (end === -1 ? lines : lines.slice(0, end)).join('\n').trim();
}
