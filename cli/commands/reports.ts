import type { ReportView } from '../api-types.js';
import { answer, repoPath, type CommandSpec, type ParseInput, type RunContext } from '../command.js';
import { formatPercent, shown, table, timestamp } from '../render.js';

export interface ReportsCommand {
  name: 'reports';
  repo: string;
}

export const spec: CommandSpec = {
  synopsis: 'reports <repo> [--json]',
  summary: "List the QA reports in the repository's context/",
  positional: 'repo',
  options: {},
};

export function parse({ positional }: ParseInput): ReportsCommand {
  return { name: 'reports', repo: positional };
}

export async function run(command: ReportsCommand, context: RunContext): Promise<number> {
  const body = await context.api.get<{ reports: ReportView[]; warnings: string[] }>(
    `${repoPath(command.repo)}/reports`,
  );
  return answer(context, body, ({ reports, warnings }) => renderReports(command.repo, reports, warnings));
}

export function renderReports(repo: string, reports: ReportView[], warnings: string[]): string[] {
  const rows = reports.map((r) => [
    r.name,
    r.outcome,
    r.commit.slice(0, 7),
    timestamp(r.created_at),
    r.tests.total === null
      ? '-'
      : `${r.tests.passed ?? 0}/${r.tests.total} passed${r.tests.failed ? `, ${r.tests.failed} failed` : ''}`,
    r.coverage.percent === null ? r.coverage.gate : `${formatPercent(r.coverage.percent)} ${r.coverage.gate}`,
    r.verified ? 'yes' : 'NO (foreign)',
  ]);
  const lines =
    reports.length === 0
      ? [`No QA reports in ${repo}'s context/ yet.`]
      : table(['REPORT', 'OUTCOME', 'COMMIT', 'CREATED', 'TESTS', 'COVERAGE', 'SIGNED'], rows);
  return shown([...lines, ...warnings.map((warning) => `warning: ${warning}`)]);
}
