import { lstat, mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { listReports, type ContextFile, type ReportListing } from '../context/recency.js';
import { isQaReportKind, parseReportFileName, reportFileName, type ReportKind } from '../context/names.js';
import { parseQaReport, parseReport } from '../context/report.js';

/** Larger files in context/ are not reports; reading them would only cost memory. */
const MAX_REPORT_BYTES = 1_000_000;

/** The `.md` files in context/ whose names `wanted` accepts (all of them by default). */
export async function readContextFiles(repoDir: string, wanted: (name: string) => boolean = () => true): Promise<ContextFile[]> {
  return (await scanContext(repoDir, wanted)).files;
}

/** QA reports in context/, newest first, with a warning for every `.md` entry that could not be used. */
export async function readReports(repoDir: string): Promise<ReportListing> {
  const { files, skipped } = await scanContext(repoDir);
  const listing = listReports(files);
  return { reports: listing.reports, warnings: [...skipped, ...listing.warnings] };
}

async function scanContext(repoDir: string, wanted: (name: string) => boolean = () => true): Promise<{ files: ContextFile[]; skipped: string[] }> {
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
      else if (info.size > MAX_REPORT_BYTES) skipped.push(`skipped ${name}: ${info.size} bytes, larger than a report can be (${MAX_REPORT_BYTES})`);
      else files.push({ name, content: await readFile(file, 'utf8') });
    } catch {
      // vanished between readdir and read: nothing to report on
    }
  }
  return { files, skipped };
}

/**
 * Of these names in context/, the ones that are well-formed reports: regular files (a link or a
 * FIFO is never opened), within the size limit, named and shaped like a report. Anything else
 * that lies there is not a report, and no release commit should take it in.
 */
export async function wellFormedReports(repoDir: string, names: readonly string[]): Promise<string[]> {
  const reports: string[] = [];
  for (const name of names) {
    const kind = parseReportFileName(name)?.kind;
    if (kind === undefined) continue;
    const file = path.join(repoDir, 'context', name);
    const info = await lstat(file).catch(() => null);
    if (!info?.isFile() || info.size > MAX_REPORT_BYTES) continue;
    const text = await readFile(file, 'utf8').catch(() => null);
    if (text === null) continue;
    if (isQaReportKind(kind) ? parseQaReport(text, name).ok : parseReport(text, name).ok) reports.push(name);
  }
  return reports;
}

/** A report this run already wrote (found by its run ID), so a retried write does not add a second one. */
export async function findReportOfRun(repoDir: string, runId: string, kinds: readonly ReportKind[]): Promise<string | null> {
  for (const file of await readContextFiles(repoDir)) {
    if (!kinds.some((kind) => file.name.startsWith(`${kind}-`))) continue;
    const parsed = parseReport(file.content, file.name);
    if (parsed.ok && parsed.frontMatter.run_id === runId) return file.name;
  }
  return null;
}

/**
 * Writes `context/<kind>-<stamp>.md` atomically: the text goes to a temporary file inside
 * `.git` (same file system, invisible to `git status`), then is renamed into place.
 */
export async function writeReportFile(repoDir: string, kind: ReportKind, at: Date, text: string): Promise<string> {
  const dir = path.join(repoDir, 'context');
  await mkdir(dir, { recursive: true });
  const name = reportFileName(kind, at, await readdir(dir));
  await writeFileAtomically(repoDir, path.join(dir, name), text);
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
