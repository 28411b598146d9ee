import { CommitParser, type Commit } from 'conventional-commits-parser';
import { applyReverts } from './reverts.js';

/** One commit as git reports it; the full message is `subject + '\n\n' + body`. */
export interface RawCommit {
  sha: string;
  parents: string[];
  subject: string;
  body: string;
  /** ISO 8601. */
  committedAt: string;
  author?: string;
}

export type Bump = 'major' | 'minor' | 'patch';

export interface CommitEntry {
  sha: string;
  shortSha: string;
  /** Lower-cased Conventional Commits type, `'revert'` for reverts, null for anything else. */
  type: string | null;
  scope: string | null;
  subject: string;
  breaking: boolean;
  breakingNotes: string[];
  bump: Bump | null;
  /** Why this commit does (or does not) count, e.g. `feat → minor`. */
  reason: string;
  /** For reverts: the SHA (possibly abbreviated) named in `This reverts commit <sha>.` */
  revertOf?: string;
}

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

const parser = new CommitParser({
  headerPattern: /^(\w+)(?:\(([^()\r\n]*)\))?!?: (.+)$/,
  breakingHeaderPattern: BREAKING_HEADER,
  headerCorrespondence: ['type', 'scope', 'subject'],
  noteKeywords: ['BREAKING CHANGE', 'BREAKING-CHANGE'],
  // The spec requires the upper-case token followed by a colon; the parser's default also
  // accepts "breaking change" anywhere in prose, which would make ordinary bodies major.
  notesPattern: (keywords) => new RegExp(`^(${keywords}):\\s*([\\s\\S]*)`),
  // Both git's own `Revert "<header>"` and a Conventional `revert: <header>` header.
  revertPattern:
    /^(?:Revert\s"([\s\S]*)"|revert(?:\([^()\r\n]*\))?!?:\s*([^\r\n]*))\s*This reverts commit ([0-9a-fA-F]{4,40})\b/,
  revertCorrespondence: ['header', 'conventionalHeader', 'hash'],
  // Issue references are not used; leaving them on would also move body lines into the footer.
  issuePrefixes: undefined,
  referenceActions: undefined,
});

/** Classifies each commit by Conventional Commits 1.0 and derives the release bump. */
export function analyseCommits(commits: readonly RawCommit[], opts: AnalyseOptions = {}): CommitAnalysis {
  // A caller's /g or /y pattern would make `test` stateful and skip every other release commit.
  const given = opts.releaseCommitPattern ?? DEFAULT_RELEASE_COMMIT;
  const releasePattern = new RegExp(given.source, given.flags.replace(/[gy]/g, ''));
  const entries = applyReverts(
    commits.map((commit) => classify(commit, releasePattern)),
    commits,
  );

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
  const message = commit.body.trim() === '' ? commit.subject : `${commit.subject}\n\n${commit.body}`;
  const base = {
    sha: commit.sha,
    shortSha: commit.sha.slice(0, SHORT_SHA_LENGTH),
    type: null,
    scope: null,
    subject: commit.subject,
    breaking: false,
    breakingNotes: [],
    bump: null,
  };

  // The commits a merge brings are listed on their own; counting the merge too would double them.
  if (commit.parents.length > 1) return { ...base, reason: 'ignored: merge commit' };
  if (releasePattern.test(commit.subject)) return { ...base, reason: 'ignored: release commit' };
  if (message.includes(SKIP_RELEASE)) return { ...base, reason: `ignored: ${SKIP_RELEASE}` };
  // The parser throws on an empty message.
  if (message.trim() === '') return { ...base, reason: 'empty message → no release' };

  const parsed = parser.parse(message);
  const revert = revertTarget(parsed);
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
    subject: parsed.subject ?? commit.subject,
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

function revertTarget(parsed: Commit): { header: string; hash: string } | null {
  const hash = parsed.revert?.['hash'];
  if (!parsed.revert || !hash) return null;
  const header = parsed.revert['header'] ?? parsed.revert['conventionalHeader'] ?? parsed.header ?? '';
  return { header, hash: hash.toLowerCase() };
}

// A breaking note runs to the end of the message in the parser; later trailers such as
// `Reviewed-by: x` or `Refs #12` are not part of what broke.
function trimTrailers(text: string): string {
  const lines = text.split('\n');
  const end = lines.findIndex((line, i) => i > 0 && /^[A-Za-z][\w-]*(?:: | #)/.test(line));
  return (end === -1 ? lines : lines.slice(0, end)).join('\n').trim();
}
