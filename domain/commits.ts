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
  const analyser = commitAnalyser(opts);
  for (const commit of commits) analyser.add(commit);
  return analyser.finish();
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
  const analyser = commitAnalyser(opts);
  for (const commit of commits) if (analyser.add(commit)) await pause();
  return analyser.finish();
}

/**
 * The analysis fed one commit at a time, in the order git lists them, so that a plan can
 * classify commits while git is still writing the rest of the log.
 */
export interface CommitAnalyser {
  /** Classifies one commit; true when a slice of parsed text is full and the caller should pause. */
  add(commit: RawCommit): boolean;
  /** Forgets every commit added so far (the log is read again from its start). */
  restart(): void;
  /** The analysis of every commit added, reverts applied. */
  finish(): CommitAnalysis;
}

export function commitAnalyser(opts: AnalyseOptions = {}): CommitAnalyser {
  const releasePattern = releasePatternOf(opts);
  let commits: RawCommit[] = [];
  let entries: CommitEntry[] = [];
  let parsed = 0;
  return {
    add(commit) {
      commits.push(commit);
      entries.push(classify(commit, releasePattern));
      parsed +=
        Math.min(commit.subject.length, MAX_HEADER_CHARS) +
        Math.min(commit.body.length, MAX_BODY_CHARS) +
        COMMIT_OVERHEAD_CHARS;
      if (parsed < SLICE_CHARS) return false;
      parsed = 0;
      return true;
    },
    restart() {
      commits = [];
      entries = [];
      parsed = 0;
    },
    finish: () => summarise(commits, entries),
  };
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

  const parts = (message === header ? headerOnlyParts(header) : null) ?? parsedParts(message);
  const { revert } = parts;
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

  const type = parts.type ? parts.type.toLowerCase() : null;
  const notes = parts.notes.map((note) => trimTrailers(note.text)).filter((text) => text !== '');
  const bangHeader = parts.bang;
  // Without a `!` header every note comes from a footer.
  const footer = parts.notes[0];
  const entry = {
    ...base,
    type,
    scope: parts.scope || null,
    subject: parts.subject ?? header,
    breaking: bangHeader || parts.notes.length > 0,
    breakingNotes: notes,
  };

  if (bangHeader) return { ...entry, bump: 'major', reason: `${type}! → major` };
  if (footer) return { ...entry, bump: 'major', reason: `${footer.title} footer → major` };
  if (type === null) return { ...entry, reason: 'not a conventional commit → no release' };
  const bump = TYPE_BUMPS.get(type);
  if (bump) return { ...entry, bump, reason: `${type} → ${bump}` };
  return { ...entry, reason: `${type} → no release` };
}

/** What classification reads of a message, by either of the two ways below. */
export interface MessageParts {
  type: string | null;
  scope: string | null;
  subject: string | null;
  /** A `!` before the colon. */
  bang: boolean;
  notes: { title: string; text: string }[];
  revert: { header: string; hash: string } | null;
}

/**
 * A header with nothing below it, as most commits are: one anchored pattern, which reads the
 * same type, scope, subject and `!` as the parser (a property test holds the two together),
 * at a fraction of its cost. Null when the pattern cannot decide: not a Conventional header,
 * a character the parser splits lines on, space the parser might trim, or a revert, whose
 * rules live below; those go through the parser.
 */
const HEADER_ONLY = /^(\w+)(?:\(([^()\r\n\u2028\u2029]*)\))?(!)?: (\S(?:[^\r\n\u2028\u2029]*\S)?)$/;

export function headerOnlyParts(header: string): MessageParts | null {
  const match = HEADER_ONLY.exec(header);
  if (!match || GIT_REVERT.test(header) || CONVENTIONAL_REVERT.test(header)) return null;
  const [, type = '', scope, bang, subject = ''] = match;
  const breaking = bang !== undefined;
  // The parser reads a `!` header as a breaking note whose text is the subject.
  const notes = breaking ? [{ title: 'BREAKING CHANGE', text: subject }] : [];
  return { type, scope: scope || null, subject, bang: breaking, notes, revert: null };
}

/** Any message, through conventional-commits-parser and the revert rules. */
export function parsedParts(message: string): MessageParts {
  const parsed = parser.parse(message);
  return {
    type: parsed.type ?? null,
    scope: parsed.scope || null,
    subject: parsed.subject ?? null,
    bang: BREAKING_HEADER.test(parsed.header ?? ''),
    notes: parsed.notes.map(({ title, text }) => ({ title, text })),
    revert: revertTarget(message, parsed),
  };
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
