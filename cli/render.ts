/** What every command's text goes through: the visible-text pass, tables, times, the start of a run. */
import { visibleText } from '../domain/visible-text.js';
import type { BranchView, Started } from './api-types.js';

/**
 * Every line the CLI prints passes through here: what the API relays (subjects, reasons, test
 * output, notes) was written by someone else and must not drive the terminal.
 */
export function shown(lines: string[]): string[] {
  return lines.map((line) => visibleText(line));
}

/** Columns padded to their widest cell; the last one is left ragged so no line ends in spaces. */
export function table(headers: string[], cellsOf: string[][]): string[] {
  // Escaped before measuring, so an escape widens its column instead of breaking the alignment.
  const rows = cellsOf.map((row) => shown(row));
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)];
}

/** `HH:MM:SS` in local time. */
export function clock(date: Date): string {
  return [date.getHours(), date.getMinutes(), date.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** `YYYY-MM-DD HH:MM` in local time, or the text itself when it is not a time. */
export function timestamp(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

export function renderStarted(what: string, started: Started): string[] {
  const at = started.sha ? ` at ${started.sha.slice(0, 7)}` : '';
  return shown([
    `Started ${what}${at}: ${started.workflowId} (run ${started.runId})`,
    `Follow it with: shipgate status ${started.workflowId} --follow`,
  ]);
}

export function formatPercent(percent: number): string {
  return `${Number.isInteger(percent) ? percent : percent.toFixed(1)}%`;
}

/**
 * A branch in one phrase: `beta (prerelease -beta, channel beta)`, `1.x (maintenance >=1.0.0 <2.0.0,
 * channel 1.x)`, `main (release, channel latest)`; whether it deploys, when that is not its kind's default.
 */
export function describeBranch(branch: BranchView): string {
  const what =
    branch.kind === 'prerelease'
      ? `prerelease -${branch.prerelease ?? branch.name}`
      : branch.kind === 'maintenance' && branch.range
        ? `maintenance >=${branch.range.min} <${branch.range.max}`
        : branch.kind;
  const deploys = branch.kind === 'release' ? (branch.deploy ? '' : ', no deploy') : branch.deploy ? ', deploys' : '';
  return `${branch.name} (${what}, channel ${branch.channel}${deploys})`;
}
