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
  /** The author's email, for the separation of duties of approvals. */
  email?: string;
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

/** Which Conventional Commits dialect a repository writes: the header, the breaking markers, the changelog's sections. */
export type CommitPreset = 'conventionalcommits' | 'angular';

/**
 * One rule of `releaseRules`, as semantic-release's commit analyser reads them: a commit that
 * matches every field given (type and scope as globs with `*`; `breaking: true` a commit with a
 * breaking note, `revert: true` a revert) releases `release`; `false` means it never releases.
 * The first matching rule of the highest release decides, a matching `false` above all; a commit
 * no rule matches falls back to the preset's rules. A commit some rule matches is decided by the
 * rules alone, a breaking one too (as in the analyser): `{ breaking: true, release: major }`
 * keeps breaking changes major. The matching lives in release-rules.ts.
 */
export interface ReleaseRule {
  type?: string;
  scope?: string;
  breaking?: boolean;
  revert?: boolean;
  release: Bump | false;
}

/** How a repository's commits are read (`commits:` in the configuration). */
export interface CommitRules {
  preset: CommitPreset;
  /** `count`: a merge commit's own Conventional message counts, unless it repeats a commit it brings; `ignore`: merges never count. */
  merges: 'count' | 'ignore';
  releaseRules: ReleaseRule[];
}

export const DEFAULT_COMMIT_RULES: CommitRules = { preset: 'conventionalcommits', merges: 'count', releaseRules: [] };
