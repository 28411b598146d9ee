import { Document, parseDocument } from 'yaml';
import {
  anyString,
  boolean,
  count,
  describeProblem,
  gitSha,
  isPlainRecord,
  mapping,
  nonEmptyListOf,
  nonEmptyString,
  nonNegativeNumber,
  nullable,
  oneOf,
  percentage,
  utcTimestamp,
} from './field-checks.js';
import { QA_REPORT_KINDS, baseFileName, isQaReportKind, parseReportFileName, type QaReportKind } from './names.js';

export const COVERAGE_GATES = ['passed', 'failed', 'skipped', 'no-coverage', 'not-configured'] as const;
export type CoverageGate = (typeof COVERAGE_GATES)[number];

/** Counts the runner reported; null where its output did not say. */
export interface TestCounts {
  total: number | null;
  passed: number | null;
  failed: number | null;
  skipped: number | null;
}

export interface DiffCoverage {
  changed_lines: number;
  covered_lines: number;
  percent: number | null;
  threshold: number;
  min_changed_lines: number;
  gate: CoverageGate;
}

/** Front matter of a QA report. Keys beyond these (such as `reused_from`) are kept as they are. */
export interface QaReportFrontMatter {
  outcome: QaReportKind;
  repository: string;
  branch: string;
  commit: string;
  tree: string;
  created_at: string;
  test_command: string[];
  duration_ms: number;
  tests: TestCounts;
  coverage: DiffCoverage;
  timed_out?: boolean;
  [extra: string]: unknown;
}

export type DeployOutcome = 'deployed' | 'rolled-back' | 'abandoned' | 'failed';

/** Front matter of a deploy report. Keys beyond these are kept as they are. */
export interface DeployReportFrontMatter {
  outcome: DeployOutcome;
  repository: string;
  environment: string;
  version: string;
  tag: string;
  commit: string;
  created_at: string;
  attempts: number;
  [extra: string]: unknown;
}

export interface QaReport {
  /** The bare file name, e.g. `test-pass-20251013-234559.md`. */
  name: string;
  kind: QaReportKind;
  frontMatter: QaReportFrontMatter;
  body: string;
}

export type ParsedReport = { ok: true; frontMatter: Record<string, unknown>; body: string } | { ok: false; reason: string };
export type ParsedQaReport = { ok: true; report: QaReport } | { ok: false; reason: string };

const FENCE = '---';

const qaFrontMatterShape = mapping(
  {
    outcome: oneOf(QA_REPORT_KINDS),
    repository: nonEmptyString,
    branch: nonEmptyString,
    commit: gitSha,
    tree: gitSha,
    created_at: utcTimestamp,
    test_command: nonEmptyListOf(anyString, 'strings'),
    duration_ms: nonNegativeNumber,
    tests: mapping({
      total: nullable(count),
      passed: nullable(count),
      failed: nullable(count),
      skipped: nullable(count),
    }),
    coverage: mapping({
      changed_lines: count,
      covered_lines: count,
      percent: nullable(percentage),
      threshold: percentage,
      min_changed_lines: count,
      gate: oneOf(COVERAGE_GATES),
    }),
  },
  { timed_out: boolean },
);

/**
 * `---`, the front matter as YAML, `---`, a blank line, then the body. Trailing newlines of the
 * body are normalised to exactly one, so a body that already ends in one newline round-trips as is.
 */
export function serializeReport(frontMatter: object, body: string): string {
  const yaml = new Document(frontMatter).toString({ lineWidth: 0 });
  const trimmedBody = body.replace(/(?:\r?\n)+$/, '');
  const bodySection = trimmedBody === '' ? '' : `\n${trimmedBody}\n`;
  return `${FENCE}\n${yaml}${FENCE}\n${bodySection}`;
}

/** Splits a report into its front matter and body. Never throws; reasons name `fileName` when given. */
export function parseReport(text: string, fileName?: string): ParsedReport {
  const fail = (problem: string): ParsedReport => ({ ok: false, reason: withFileName(fileName, problem) });
  try {
    if (typeof text !== 'string') return fail('content is not text');
    // Files checked out with autocrlf arrive with CRLF, and editors may prepend a BOM.
    const normalized = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
    if (normalized.trim() === '') return fail('file is empty');
    if (normalized.includes('\u0000')) return fail('file looks binary');
    const lines = normalized.split('\n');
    if (lines[0]?.trimEnd() !== FENCE) return fail(`no front matter: the first line must be "${FENCE}"`);
    const closingLine = lines.findIndex((line, index) => index > 0 && line.trimEnd() === FENCE);
    if (closingLine === -1) return fail(`front matter is never closed by a "${FENCE}" line`);

    const document = parseDocument(lines.slice(1, closingLine).join('\n'), { uniqueKeys: true });
    const firstError = document.errors[0];
    if (firstError !== undefined) return fail(`invalid YAML in front matter: ${firstLine(firstError.message)}`);
    const frontMatter: unknown = document.toJS({ maxAliasCount: 100 });
    if (!isPlainRecord(frontMatter)) return fail(`front matter must be a mapping, got ${describeYamlValue(frontMatter)}`);

    const body = lines.slice(closingLine + 1).join('\n');
    return { ok: true, frontMatter, body: body.startsWith('\n') ? body.slice(1) : body };
  } catch (error) {
    return fail(`unreadable front matter: ${firstLine(error instanceof Error ? error.message : String(error))}`);
  }
}

/** Parses and validates a QA report; its file name must be a QA report name matching `outcome`. */
export function parseQaReport(text: string, fileName: string): ParsedQaReport {
  const fail = (problem: string): ParsedQaReport => ({ ok: false, reason: withFileName(fileName, problem) });
  const parsedName = parseReportFileName(fileName);
  if (parsedName === null) return fail('not a report file name (expected <kind>-YYYYMMDD-HHMMSS[-N].md)');
  const kind = parsedName.kind;
  if (!isQaReportKind(kind)) return fail(`a ${kind} report is not a QA report`);

  const parsed = parseReport(text, fileName);
  if (!parsed.ok) return parsed;
  const problem = qaFrontMatterShape(parsed.frontMatter, '');
  if (problem !== null) return fail(describeProblem(problem));
  const frontMatter = parsed.frontMatter as QaReportFrontMatter;
  if (frontMatter.outcome !== kind) {
    return fail(`outcome "${frontMatter.outcome}" disagrees with the file name, which says ${kind}`);
  }
  return { ok: true, report: { name: baseFileName(fileName), kind, frontMatter, body: parsed.body } };
}

function withFileName(fileName: string | undefined, problem: string): string {
  return fileName === undefined ? problem : `${fileName}: ${problem}`;
}

function firstLine(message: string): string {
  return message.split('\n', 1)[0] ?? message;
}

function describeYamlValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}
