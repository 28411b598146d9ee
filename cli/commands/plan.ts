import type { PlanView } from '../api-types.js';
import { answer, BUMP, bump, repoPath, type CommandSpec, type ParseInput, type RunContext } from '../command.js';
import { renderPlan } from '../render.js';

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
  return answer(context, await context.api.get<PlanView>(`${repoPath(command.repo)}/plan${query}`), (plan) => renderPlan(command.repo, plan));
}
