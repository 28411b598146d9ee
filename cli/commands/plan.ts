import type { PlanView } from '../api-types.js';
import { answer, BUMP, bump, repoPath, type CommandSpec, type ParseInput, type RunContext } from '../command.js';
import { shown, table, truncate } from '../render.js';

const MAX_SUBJECT = 60;

export interface PlanCommand {
  name: 'plan';
  repo: string;
  bump: string | null;
}

export const spec: CommandSpec = {
  synopsis: 'plan <repo> [--bump major|minor|patch|x.y.z] [--json]',
  summary: 'Show the next version, the reason per commit and the changelog entry',
  positional: 'repo',
  options: { bump: BUMP },
};

export function parse({ positional, str, usage }: ParseInput): PlanCommand {
  return { name: 'plan', repo: positional, bump: bump(str('bump'), usage) };
}

export async function run(command: PlanCommand, context: RunContext): Promise<number> {
  const query = command.bump === null ? '' : `?${new URLSearchParams({ bump: command.bump }).toString()}`;
  return answer(context, await context.api.get<PlanView>(`${repoPath(command.repo)}/plan${query}`), (plan) =>
    renderPlan(command.repo, plan),
  );
}

export function renderPlan(repo: string, plan: PlanView): string[] {
  const from = plan.previous
    ? `${plan.previous.tag} (${plan.previous.sha.slice(0, 7)})`
    : 'the first commit (no release yet)';
  const commits = plan.commitCount === 1 ? '1 commit' : `${plan.commitCount} commits`;
  const lines = [
    plan.version
      ? `Next release of ${repo}: ${plan.version} (tag ${plan.tag ?? '?'})`
      : `Nothing to release in ${repo}`,
    `  why   ${plan.reason}`,
    `  from  ${from} to ${plan.sha.slice(0, 7)}, ${commits}`,
  ];
  if (plan.commits.length > 0) {
    const rows = plan.commits.map((c) => [
      c.shortSha,
      c.type ?? '-',
      c.scope ?? '-',
      c.bump ?? '-',
      truncate(c.subject, MAX_SUBJECT),
      c.reason,
    ]);
    lines.push('', ...table(['COMMIT', 'TYPE', 'SCOPE', 'BUMP', 'SUBJECT', 'WHY'], rows).map((line) => `  ${line}`));
  }
  if (plan.changelogEntry) lines.push('', 'Changelog entry:', '', ...plan.changelogEntry.trimEnd().split('\n'));
  return shown(lines);
}
