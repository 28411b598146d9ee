import { utcCalendarMsOfDigits } from './utc-time.js';

export const REPORT_KINDS = ['test-pass', 'test-failures', 'test-gaps', 'deploy'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

export const QA_REPORT_KINDS = ['test-pass', 'test-failures', 'test-gaps'] as const satisfies readonly ReportKind[];
export type QaReportKind = (typeof QA_REPORT_KINDS)[number];

export interface ReportFileName {
  kind: ReportKind;
  /** `YYYYMMDD-HHMMSS` in UTC. */
  stamp: string;
  /** 1 for the bare name, N for the `-N` suffix of later reports in the same second. */
  sequence: number;
  timestampMs: number;
}

// The suffix starts at 2 and has no leading zeros, so every (kind, second, sequence) has one spelling.
const REPORT_FILE_NAME = new RegExp(
  `^(${REPORT_KINDS.join('|')})-(\\d{4})(\\d{2})(\\d{2})-(\\d{2})(\\d{2})(\\d{2})(?:-([2-9]|[1-9]\\d{1,8}))?\\.md$`,
);

// Different kinds written in the same second have no true order. Ranking the pass oldest makes
// such a tie refuse a release rather than approve one.
const SAME_SECOND_RANK: readonly ReportKind[] = ['deploy', 'test-pass', 'test-gaps', 'test-failures'];

export function isQaReportKind(kind: string): kind is QaReportKind {
  return (QA_REPORT_KINDS as readonly string[]).includes(kind);
}

/** `YYYYMMDD-HHMMSS` in UTC. Throws a RangeError for an invalid date or a year outside 0–9999. */
export function reportStamp(date: Date): string {
  const year = date.getUTCFullYear();
  if (Number.isNaN(date.getTime()) || year < 0 || year > 9999) {
    throw new RangeError(`cannot stamp a report with date ${String(date)}`);
  }
  const pad = (value: number, width = 2): string => String(value).padStart(width, '0');
  return (
    `${pad(year, 4)}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}-` +
    `${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}`
  );
}

/**
 * The file name for a new report. When reports of the same kind already exist for that second,
 * the new one takes the next suffix after the highest, so it also sorts as the newest.
 */
export function reportFileName(kind: ReportKind, date: Date, existingNames: readonly string[]): string {
  const stamp = reportStamp(date);
  let highestSequence = 0;
  for (const existing of existingNames) {
    const parsed = parseReportFileName(existing);
    if (parsed !== null && parsed.kind === kind && parsed.stamp === stamp) {
      highestSequence = Math.max(highestSequence, parsed.sequence);
    }
  }
  const suffix = highestSequence === 0 ? '' : `-${highestSequence + 1}`;
  return `${kind}-${stamp}${suffix}.md`;
}

/** The last segment of a slash-separated path (`context/x.md` → `x.md`). */
export function baseFileName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The report's name as used in messages: the file name without `.md`. */
export function reportStem(path: string): string {
  return baseFileName(path).replace(/\.md$/, '');
}

/** Parses a report file name, bare or at the end of a path; null for anything else. */
export function parseReportFileName(name: string): ReportFileName | null {
  const match = REPORT_FILE_NAME.exec(baseFileName(name));
  if (match === null) return null;
  const [, kind, year, month, day, hour, minute, second, suffix] = match;
  const timestampMs = utcCalendarMsOfDigits([year, month, day, hour, minute, second]);
  if (timestampMs === null) return null;
  return {
    kind: kind as ReportKind,
    stamp: `${year}${month}${day}-${hour}${minute}${second}`,
    sequence: suffix === undefined ? 1 : Number(suffix),
    timestampMs,
  };
}

/**
 * Sort order oldest → newest: by timestamp, then sequence. Names that are not reports sort
 * before all reports, so they never pass for the newest.
 */
export function compareReportNames(a: string, b: string): number {
  const first = parseReportFileName(a);
  const second = parseReportFileName(b);
  if (first === null || second === null) {
    if (first !== null) return 1;
    if (second !== null) return -1;
    return compareText(a, b);
  }
  return (
    first.timestampMs - second.timestampMs ||
    first.sequence - second.sequence ||
    SAME_SECOND_RANK.indexOf(first.kind) - SAME_SECOND_RANK.indexOf(second.kind) ||
    compareText(a, b)
  );
}

function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
