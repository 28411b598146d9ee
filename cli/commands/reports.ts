import type { ReportView } from '../api-types.js';
import { answer, repoPath, type CommandSpec, type ParseInput, type RunContext } from '../command.js';
import { renderReports } from '../render.js';

export interface ReportsCommand {
  name: 'reports';
  repo: string;
}

export const spec: CommandSpec = { synopsis: 'reports <repo> [--json]', summary: "List the QA reports in the repository's context/", positional: 'repo', options: {} };

export function parse({ positional }: ParseInput): ReportsCommand {
  return { name: 'reports', repo: positional };
}

export async function run(command: ReportsCommand, context: RunContext): Promise<number> {
  const body = await context.api.get<{ reports: ReportView[]; warnings: string[] }>(`${repoPath(command.repo)}/reports`);
  return answer(context, body, ({ reports, warnings }) => renderReports(command.repo, reports, warnings));
}
