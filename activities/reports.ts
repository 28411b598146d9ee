import { lstat, mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { listReports, type ContextFile } from '../context/recency.js';
import { isQaReportKind, parseReportFileName, reportFileName, reportStamp, type ReportKind } from '../context/names.js';
import { parseQaReport, parseReport, type QaReport } from '../context/report.js';
import { signReportText, verifyReportText, type ReportKeys, type ReportVerification } from './report-signing.js';

/** Larger files in context/ are not reports; reading them would only cost memory. */
const MAX_REPORT_BYTES = 1_000_000;

/** The `.md` files in context/ whose names `wanted` accepts (all of them by default). */
export async function readContextFiles(
  repoDir: string,
  wanted: (name: string) => boolean = () => true,
): Promise<ContextFile[]> {
  return (await scanContext(repoDir, wanted)).files;
}

export interface CheckedReport extends QaReport {
  /** Whether shipgate wrote it: only a verified report approves a release or joins one as evidence. */
  signature: ReportVerification;
}

export interface CheckedListing {
  /** Well-formed QA reports, newest first, signed or not. */
  reports: CheckedReport[];
  /** Verified reports only, newest first: the ones that count. */
  signed: QaReport[];
  /** One line per `.md` entry that could not be used, and per foreign report. */
  warnings: string[];
}

/**
 * QA reports in context/, newest first, each with the check of its signature. A report whose
 * signature does not verify is foreign (written by hand, copied, edited, or signed with a key
 * this service does not hold): it is listed with a warning naming it, and it never counts.
 */
export async function readReports(repoDir: string, keys: ReportKeys): Promise<CheckedListing> {
  const { files, skipped } = await scanContext(repoDir);
  const listing = listReports(files);
  const content = new Map(files.map((file) => [file.name, file.content]));
  const reports = listing.reports.map((report) => ({
    ...report,
    signature: verifyReportFile(report.name, content.get(report.name) ?? '', report.frontMatter.created_at, keys),
  }));
  const foreign = reports.flatMap((r) => (r.signature.ok ? [] : [foreignWarning(r.name, r.signature.reason)]));
  return {
    reports,
    signed: reports.filter((r) => r.signature.ok),
    warnings: [...skipped, ...listing.warnings, ...foreign],
  };
}

export function foreignWarning(name: string, reason: string): string {
  return `foreign ${name}: ${reason}; it is not a report this shipgate wrote, so it never approves a release nor joins one`;
}

/**
 * The signature check, plus one the signature alone cannot make: the file name's timestamp must
 * be that of its created_at, so a signed report copied to a newer name cannot jump the order.
 */
export function verifyReportFile(name: string, text: string, createdAt: unknown, keys: ReportKeys): ReportVerification {
  const verified = verifyReportText(text, keys);
  if (!verified.ok) return verified;
  const stamp = parseReportFileName(name)?.stamp;
  const created = typeof createdAt === 'string' ? new Date(createdAt) : null;
  if (stamp === undefined || created === null || Number.isNaN(created.getTime()) || reportStamp(created) !== stamp) {
    return {
      ok: false,
      reason: `its name does not match its created_at (${String(createdAt)}): it was renamed after shipgate wrote it`,
    };
  }
  return verified;
}

async function scanContext(
  repoDir: string,
  wanted: (name: string) => boolean = () => true,
): Promise<{ files: ContextFile[]; skipped: string[] }> {
  const dir = path.join(repoDir, 'context');
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return { files: [], skipped: [] };
  }
  const files: ContextFile[] = [];
  const skipped: string[] = [];
  for (const name of names) {
    if (!name.endsWith('.md') || !wanted(name)) continue;
    const file = path.join(dir, name);
    try {
      const info = await stat(file);
      if (!info.isFile()) skipped.push(`skipped ${name}: not a regular file`);
      else if (info.size > MAX_REPORT_BYTES)
        skipped.push(`skipped ${name}: ${info.size} bytes, larger than a report can be (${MAX_REPORT_BYTES})`);
      else files.push({ name, content: await readFile(file, 'utf8') });
    } catch {
      // vanished between readdir and read: nothing to report on
    }
  }
  return { files, skipped };
}

/**
 * Of these names in context/, the reports shipgate wrote: regular files (a link or a FIFO is
 * never opened), within the size limit, named and shaped like a report, signed with this
 * service's key. Anything else that lies there is not a report, and no release commit should
 * take it in; a well-formed report that does not verify is returned as foreign, with the reason.
 */
export async function signedReports(
  repoDir: string,
  names: readonly string[],
  keys: ReportKeys,
): Promise<{ signed: string[]; foreign: { name: string; reason: string }[] }> {
  const signed: string[] = [];
  const foreign: { name: string; reason: string }[] = [];
  for (const name of names) {
    const kind = parseReportFileName(name)?.kind;
    if (kind === undefined) continue;
    const file = path.join(repoDir, 'context', name);
    const info = await lstat(file).catch(() => null);
    if (!info?.isFile() || info.size > MAX_REPORT_BYTES) continue;
    const text = await readFile(file, 'utf8').catch(() => null);
    if (text === null) continue;
    const parsed = isQaReportKind(kind) ? parseQaReport(text, name) : parseReport(text, name);
    if (!parsed.ok) continue;
    const createdAt = 'report' in parsed ? parsed.report.frontMatter.created_at : parsed.frontMatter.created_at;
    const verified = verifyReportFile(name, text, createdAt, keys);
    if (verified.ok) signed.push(name);
    else foreign.push({ name, reason: verified.reason });
  }
  return { signed, foreign };
}

/** A report this run already wrote (found by its run ID), so a retried write does not add a second one. */
export async function findReportOfRun(
  repoDir: string,
  runId: string,
  kinds: readonly ReportKind[],
  keys: ReportKeys,
): Promise<string | null> {
  for (const file of await readContextFiles(repoDir)) {
    if (!kinds.some((kind) => file.name.startsWith(`${kind}-`))) continue;
    const parsed = parseReport(file.content, file.name);
    if (parsed.ok && parsed.frontMatter.run_id === runId && verifyReportText(file.content, keys).ok) return file.name;
  }
  return null;
}

/**
 * Signs the report and writes it to `context/<kind>-<stamp>.md` atomically: the text goes to a
 * temporary file inside `.git` (same file system, invisible to `git status`), then is renamed
 * into place. Every report shipgate writes goes through here, so every one is signed.
 */
export async function writeReportFile(
  repoDir: string,
  kind: ReportKind,
  at: Date,
  text: string,
  keys: ReportKeys,
): Promise<string> {
  const dir = path.join(repoDir, 'context');
  await mkdir(dir, { recursive: true });
  const name = reportFileName(kind, at, await readdir(dir));
  await writeFileAtomically(repoDir, path.join(dir, name), signReportText(text, keys));
  return name;
}

export async function writeFileAtomically(repoDir: string, target: string, text: string): Promise<void> {
  const scratch = path.join(repoDir, '.git', 'shipgate-tmp');
  await mkdir(scratch, { recursive: true });
  const temp = path.join(scratch, `${path.basename(target)}.${process.pid}.${Date.now()}`);
  await writeFile(temp, text, 'utf8');
  await mkdir(path.dirname(target), { recursive: true });
  await rename(temp, target);
}
