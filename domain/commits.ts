import { CommitParser, type Commit } from 'conventional-commits-parser';
import {
  DEFAULT_COMMIT_RULES,
  type Bump,
  type CommitEntry,
  type CommitPreset,
  type CommitRules,
  type RawCommit,
} from './commit.js';
import { customDecision, defaultBump } from './release-rules.js';
import { applyReverts, RangeGraph } from './reverts.js';

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

/** The repository's commit rules (`repo.commits`); what is left out is the default. */
export type AnalyseOptions = Partial<CommitRules>;

/**
 * The git trailer shipgate writes in its own release commits (`Shipgate-Release: v1.2.0`), by
 * which the analysis knows them: their subject is an ordinary `chore(release): …` that a person
 * may write too, and `chore(release)!: drop the v1 API` is a person's breaking change.
 */
export const RELEASE_TRAILER = 'Shipgate-Release';

// semantic-release drops these commits before any plugin sees them (lib/definitions/plugins.js):
// anywhere in the message, either word order, any whitespace between, any case.
const SKIP_RELEASE = /\[skip\s+release\]|\[release\s+skip\]/i;
const SHORT_SHA_LENGTH = 7;
const BUMP_RANK: Readonly<Record<Bump, number>> = { patch: 1, minor: 2, major: 3 };

/**
 * What is parsed of one message. Real headers are under a hundred characters and real bodies
 * a few kilobytes; beyond these a commit is still classified, from its beginning, and what
 * it shows ends in `…`. The bound keeps the cost of one commit, and of the changelog and tag
 * message made from it, small whatever a committer writes.
 */
export const MAX_HEADER_CHARS = 1_000;
export const MAX_BODY_CHARS = 64 * 1024;

/**
 * How each preset reads a header, as its parser options write it, with two differences on
 * purpose: the type needs a character (`\w+`, where the presets' `\w*` makes `: x` a commit of
 * type "" and `!: x` a breaking one) and so does the subject (`.+`, not `.*`). Both presets read
 * the scope as `\((.*)\)`: greedy, so `fix(a(b)): x` has the scope `a(b)`.
 * - conventionalcommits (conventional-changelog-conventionalcommits, src/parser.js): a `!`
 *   before the colon makes a header breaking (`breakingHeaderPattern`, tried first); the
 *   breaking notes are `BREAKING CHANGE:` and `BREAKING-CHANGE:`.
 * - angular (conventional-changelog-angular, src/parser.js; semantic-release's default preset):
 *   the header pattern has no `!`, so `feat!: x` is not a Conventional header at all, and the
 *   only note is `BREAKING CHANGE:`.
 * Each pattern first looks ahead for the end of the line (`(?=.*$)`): the parser splits lines
 * on `\n` only, and a header holding `\r` or U+2028, which `.` does not cross, can match
 * nothing; without the lookahead the engine would retry every `)` of such a header against the
 * rest of it, quadratic in its length. With it each pattern is linear.
 */
const PRESETS: Readonly<
  Record<CommitPreset, { header: RegExp; breakingHeader: RegExp | null; noteKeywords: string[] }>
> = {
  conventionalcommits: {
    header: /^(?=.*$)(\w+)(?:\((.*)\))?!?: (.+)$/,
    breakingHeader: /^(?=.*$)(\w+)(?:\((.*)\))?!: (.+)$/,
    noteKeywords: ['BREAKING CHANGE', 'BREAKING-CHANGE'],
  },
  angular: {
    header: /^(?=.*$)(\w+)(?:\((.*)\))?: (.+)$/,
    breakingHeader: null,
    noteKeywords: ['BREAKING CHANGE'],
  },
};

const parsers = new Map<CommitPreset, CommitParser>();

function parserFor(preset: CommitPreset): CommitParser {
  const known = parsers.get(preset);
  if (known) return known;
  const { header, breakingHeader, noteKeywords } = PRESETS[preset];
  const parser = new CommitParser({
    headerPattern: header,
    breakingHeaderPattern: breakingHeader ?? undefined,
    headerCorrespondence: ['type', 'scope', 'subject'],
    noteKeywords,
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
  parsers.set(preset, parser);
  return parser;
}

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

/** Classifies each commit by Conventional Commits 1.0 and the repository's rules, and derives the release bump. */
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
  const rules: CommitRules = { ...DEFAULT_COMMIT_RULES, ...opts };
  let commits: RawCommit[] = [];
  let entries: CommitEntry[] = [];
  let parsed = 0;
  return {
    add(commit) {
      commits.push(commit);
      entries.push(classify(commit, rules));
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

function summarise(commits: readonly RawCommit[], classified: readonly CommitEntry[]): CommitAnalysis {
  const range = new RangeGraph(commits);
  const entries = applyReverts(dropRepeatingMerges(classified, commits, range), commits, range);
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

/**
 * semantic-release analyses every commit of the range, merges included, so a merge whose own
 * message is a Conventional Commit (GitHub's "merge commit" with the pull request's title,
 * `feat: add topic (#12)`) counts. A merge that only repeats what it brings (its header is the
 * header of a commit it brought, or, with a header that says nothing, its breaking notes are
 * one brought commit's) would count that commit twice in the changelog; it is left out. Only a
 * merge that would count is walked, so a history of "Merge pull request" merges costs nothing.
 */
function dropRepeatingMerges(
  entries: readonly CommitEntry[],
  commits: readonly RawCommit[],
  range: RangeGraph,
): CommitEntry[] {
  return entries.map((entry, i) => {
    const commit = commits[i];
    if (!commit || commit.parents.length < 2 || entry.bump === null) return entry;
    const header = messageOf(commit).header;
    const repeated = range.brought(i).find((j) => {
      const brought = commits[j];
      if (!brought) return false;
      if (entry.type !== null) return messageOf(brought).header === header;
      const notes = entries[j]?.breakingNotes ?? [];
      return notes.length > 0 && sameNotes(notes, entry.breakingNotes);
    });
    if (repeated === undefined) return entry;
    return {
      ...entry,
      bump: null,
      reason: `ignored: merge repeats ${commits[repeated]?.sha.slice(0, SHORT_SHA_LENGTH) ?? ''}`,
    };
  });
}

function sameNotes(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((note, i) => note === b[i]);
}

/**
 * The message as semantic-release reads it: trimmed first (lib/git.js `getCommits` trims each
 * message), so a subject with leading whitespace, or a first line left blank, reads as the
 * text after it. Then cut to the bounds above.
 */
function messageOf(commit: RawCommit): { header: string; body: string } {
  let subject = commit.subject;
  let body = commit.body;
  if (subject.trim() === '') {
    const rest = body.trimStart();
    const eol = rest.indexOf('\n');
    subject = eol === -1 ? rest : rest.slice(0, eol);
    body = eol === -1 ? '' : rest.slice(eol + 1).replace(/^\n+/, '');
  }
  return { header: bounded(subject.trim(), MAX_HEADER_CHARS), body: bounded(body.trimEnd(), MAX_BODY_CHARS) };
}

function classify(commit: RawCommit, rules: CommitRules): CommitEntry {
  const { header, body } = messageOf(commit);
  const message = body.trim() === '' ? header : `${header}\n\n${body}`;
  const merge = commit.parents.length > 1;
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

  // `ignore`: the commits a merge brings are listed on their own, and only they count.
  if (merge && rules.merges === 'ignore') return { ...base, reason: 'ignored: merge commit' };
  if (hasReleaseTrailer(commit.body)) return { ...base, reason: 'ignored: release commit' };
  if (SKIP_RELEASE.test(commit.subject) || SKIP_RELEASE.test(commit.body))
    return { ...base, reason: 'ignored: [skip release]' };
  // The parser throws on an empty message.
  if (message === '') return { ...base, reason: 'empty message → no release' };

  const parts =
    (message === header ? headerOnlyParts(header, rules.preset) : null) ?? parsedParts(message, rules.preset);
  const { revert } = parts;
  if (revert) {
    const entry = {
      ...base,
      type: 'revert',
      subject: revert.header,
      revertOf: revert.hash,
    };
    const custom = customFor(rules, { type: 'revert', scope: null, breaking: false, revert: true });
    if (custom) return { ...entry, bump: custom.release, reason: custom.reason };
    return { ...entry, bump: 'patch', reason: `lone revert of ${revert.hash.slice(0, SHORT_SHA_LENGTH)} → patch` };
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

  const custom = customFor(rules, { type, scope: entry.scope, breaking: entry.breaking, revert: false });
  if (custom) return { ...entry, bump: custom.release, reason: custom.reason };
  if (bangHeader) return { ...entry, bump: 'major', reason: `${type}! → major` };
  if (footer) return { ...entry, bump: 'major', reason: `${footer.title} footer → major` };
  // A merge that is no Conventional Commit ("Merge pull request #7 from …") says nothing of its own.
  if (type === null)
    return { ...entry, reason: merge ? 'ignored: merge commit' : 'not a conventional commit → no release' };
  const bump = defaultBump(type);
  if (bump) return { ...entry, bump, reason: `${type} → ${bump}` };
  return { ...entry, reason: `${type} → no release` };
}

function customFor(rules: CommitRules, subject: Parameters<typeof customDecision>[1]) {
  return rules.releaseRules.length === 0 ? undefined : customDecision(rules.releaseRules, subject);
}

// git reads trailers from the last paragraph: `Token: value` lines, a continuation indented.
const TRAILER_LINE = /^[A-Za-z0-9][A-Za-z0-9-]*[ \t]*:/;
const TRAILER_CONTINUATION = /^[ \t]+\S/;
const RELEASE_TRAILER_LINE = new RegExp(`^${RELEASE_TRAILER}[ \\t]*:[ \\t]*\\S`, 'i');
// A trailer block is a few lines; a last paragraph longer than this is prose.
const MAX_TRAILER_LINES = 64;

/** Whether the body's last paragraph is a trailer block holding `Shipgate-Release: <tag>`. */
function hasReleaseTrailer(body: string): boolean {
  // Nearly every body lacks the word: one linear search keeps them from being split.
  if (!/shipgate-release/i.test(body)) return false;
  const paragraph: string[] = [];
  for (let end = body.length; end > 0 && paragraph.length <= MAX_TRAILER_LINES;) {
    const start = body.lastIndexOf('\n', end - 1) + 1;
    const line = body.slice(start, end).replace(/\r$/, '');
    end = start - 1;
    if (line.trim() !== '') paragraph.push(line);
    else if (paragraph.length > 0) break;
  }
  if (paragraph.length === 0 || paragraph.length > MAX_TRAILER_LINES) return false;
  return (
    paragraph.every((line) => TRAILER_LINE.test(line) || TRAILER_CONTINUATION.test(line)) &&
    paragraph.some((line) => RELEASE_TRAILER_LINE.test(line))
  );
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
 * A header with nothing below it, as most commits are: the preset's own header patterns, tried
 * in the parser's order (a `!` header first), read the same type, scope, subject and `!` as the
 * parser (a property test holds the two together), at a fraction of its cost. Null when this
 * cannot decide: not a Conventional header, space at either end or a line break inside (the
 * parser trims and splits lines), a line the parser drops as a signature (`gpg:`), or a revert,
 * whose rules live below; those go through the parser.
 */
export function headerOnlyParts(
  header: string,
  preset: CommitPreset = DEFAULT_COMMIT_RULES.preset,
): MessageParts | null {
  if (header !== header.trim() || header.includes('\n') || GPG_LINE.test(header)) return null;
  if (GIT_REVERT.test(header) || CONVENTIONAL_REVERT.test(header)) return null;
  const { header: plain, breakingHeader } = PRESETS[preset];
  const bangMatch = breakingHeader?.exec(header) ?? null;
  const match = bangMatch ?? plain.exec(header);
  if (!match) return null;
  const [, type = '', scope, subject = ''] = match;
  const bang = bangMatch !== null;
  // The parser reads a `!` header as a breaking note whose text is the subject.
  const notes = bang ? [{ title: 'BREAKING CHANGE', text: subject }] : [];
  return { type, scope: scope || null, subject, bang, notes, revert: null };
}

// The parser leaves out every line that starts as a GnuPG status line does.
const GPG_LINE = /^\s*gpg:/;

/** Any message, through conventional-commits-parser and the revert rules. */
export function parsedParts(message: string, preset: CommitPreset = DEFAULT_COMMIT_RULES.preset): MessageParts {
  const parsed = parserFor(preset).parse(message);
  const { breakingHeader } = PRESETS[preset];
  return {
    type: parsed.type ?? null,
    scope: parsed.scope || null,
    subject: parsed.subject ?? null,
    bang: breakingHeader !== null && breakingHeader.test(parsed.header ?? ''),
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
