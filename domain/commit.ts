/*
 * The shapes of one commit, before and after it is classified. They sit apart from the analysis
 * (commits.ts) so that the revert rules (reverts.ts), which the analysis uses, can name them
 * without an import running back.
 */

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
