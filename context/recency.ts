import { QA_REPORT_KINDS, compareReportNames, isQaReportKind, parseReportFileName, reportStem, type ReportKind } from './names.js';
import { parseQaReport, type QaReport } from './report.js';
import { formatInstant, parseUtcTimestamp } from './utc-time.js';

export interface ContextFile {
  /** File name, bare or as a path such as `context/test-pass-20251013-234559.md`. */
  name: string;
  content: string;
}

export interface ReportListing {
  /** Valid QA reports, newest first. */
  reports: QaReport[];
  /** One readable line per skipped file. */
  warnings: string[];
}

export interface NewestReport {
  report: QaReport | null;
  warnings: string[];
}

export interface PendingCommit {
  sha: string;
  committedAtMs: number;
}

export interface ApprovalInput {
  report: QaReport | null;
  head: PendingCommit & { tree: string };
  /** Commits since the last release tag; may include HEAD. */
  pending: readonly PendingCommit[];
}

export interface ApprovalVerdict {
  fresh: boolean;
  reason: string;
}

/**
 * Valid QA reports of the given kinds (default: all QA kinds), newest first. Deploy reports and
 * reports of other kinds are passed over quietly; anything else that cannot be used is skipped
 * with a warning, so one broken file never hides the rest.
 */
export function listReports(files: readonly ContextFile[], kinds: readonly ReportKind[] = QA_REPORT_KINDS): ReportListing {
  const reports: QaReport[] = [];
  const warnings: string[] = [];
  for (const file of files) {
    const named = parseReportFileName(file.name);
    if (named !== null && !(isQaReportKind(named.kind) && kinds.includes(named.kind))) continue;
    const parsed = parseQaReport(file.content, file.name);
    if (parsed.ok) reports.push(parsed.report);
    else warnings.push(`skipped ${parsed.reason}`);
  }
  reports.sort((a, b) => compareReportNames(b.name, a.name));
  return { reports, warnings };
}

/** The newest valid QA report of the given kinds, by file name timestamp and suffix. */
export function newestReport(files: readonly ContextFile[], kinds?: readonly ReportKind[]): NewestReport {
  const { reports, warnings } = listReports(files, kinds);
  return { report: reports[0] ?? null, warnings };
}

/**
 * A test pass approves a release only if it tested the commit being released (same SHA, or the
 * same tree, which is the same code) and was written after every change that release would ship.
 */
export function isApprovalFresh(input: ApprovalInput): ApprovalVerdict {
  const { report, head } = input;
  if (report === null) return stale('no test-pass report in context/');
  const name = reportStem(report.name);
  if (report.kind !== 'test-pass') return stale(`newest report ${name} is not a pass`);

  const { commit, tree, created_at: createdAt } = report.frontMatter;
  const sameCommit = commit.toLowerCase() === head.sha.toLowerCase();
  const sameTree = tree.toLowerCase() === head.tree.toLowerCase();
  if (!sameCommit && !sameTree) return stale(`${name} covers ${shortSha(commit)}, HEAD is ${shortSha(head.sha)}`);

  const createdAtMs = parseUtcTimestamp(createdAt);
  if (createdAtMs === null) return stale(`${name} has no valid created_at (${JSON.stringify(createdAt)})`);

  const changes = uniqueBySha([head, ...input.pending]);
  // Negated so that a commit with an unknown (NaN) date counts against the pass, not for it.
  const latestUnapproved = changes
    .filter((change) => !(createdAtMs > change.committedAtMs))
    .sort((a, b) => b.committedAtMs - a.committedAtMs)[0];
  if (latestUnapproved !== undefined) {
    return stale(
      `${name} was written at ${formatInstant(createdAtMs)} before commit ${shortSha(latestUnapproved.sha)} ` +
        `at ${formatInstant(latestUnapproved.committedAtMs)}`,
    );
  }

  const coverage = sameCommit ? `HEAD ${shortSha(head.sha)}` : `HEAD ${shortSha(head.sha)} by its tree (tested as ${shortSha(commit)})`;
  const newerThan = changes.length === 1 ? 'the 1 pending commit' : `all ${changes.length} pending commits`;
  return { fresh: true, reason: `${name} covers ${coverage} and is newer than ${newerThan}` };
}

function stale(reason: string): ApprovalVerdict {
  return { fresh: false, reason };
}

function shortSha(sha: string): string {
  return sha.slice(0, 7);
}

function uniqueBySha(commits: readonly PendingCommit[]): PendingCommit[] {
  const seen = new Set<string>();
  return commits.filter((commit) => {
    const key = commit.sha.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
