/** One line of the results table. */
export interface Row {
  benchmark: string;
  /** The case within the benchmark, e.g. `10k commits`. */
  case: string;
  metric: string;
  value: string;
  /** Empty when the figure has no target. */
  target: string;
  verdict: 'hit' | 'miss' | '';
}

/** What one benchmark hands back: its table rows and the prose that explains them. */
export interface BenchResult {
  rows: Row[];
  /** Markdown paragraphs: how it was measured, and where the time goes when a target is missed. */
  notes: string[];
}

export function verdict(hit: boolean): 'hit' | 'miss' {
  return hit ? 'hit' : 'miss';
}

const HEADERS = ['benchmark', 'case', 'metric', 'median (min–max)', 'target', ''] as const;

function cells(row: Row): string[] {
  return [row.benchmark, row.case, row.metric, row.value, row.target, row.verdict];
}

/** The table as aligned plain text, for the terminal. */
export function textTable(rows: readonly Row[]): string {
  const lines = [HEADERS.slice(), ...rows.map(cells)];
  const widths = HEADERS.map((_, column) => Math.max(...lines.map((line) => [...(line[column] ?? '')].length)));
  const render = (line: string[]) =>
    line
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [render(lines[0] ?? []), rule, ...lines.slice(1).map(render)].join('\n');
}

/** The same table as Markdown. */
export function markdownTable(rows: readonly Row[]): string {
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  const line = (values: readonly string[]) => `| ${values.map(escape).join(' | ')} |`;
  return [line(HEADERS), line(HEADERS.map(() => '---')), ...rows.map((row) => line(cells(row)))].join('\n');
}
