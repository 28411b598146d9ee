import type { PlanView } from '../api-types.js';
import {
  answer,
  BRANCH,
  branch,
  BUMP,
  bump,
  repoPath,
  type CommandSpec,
  type ParseInput,
  type RunContext,
} from '../command.js';
import { describeBranch, shown, table, truncate } from '../render.js';
import { counted } from '../../domain/plural.js';

const MAX_SUBJECT = 60;
/** With --all, pages as large as the API gives: fewest requests for a long history. */
const ALL_PAGE_LIMIT = 1000;

export interface PlanCommand {
  name: 'plan';
  repo: string;
  bump: string | null;
  /** A configured branch; null for the release branch. */
  branch: string | null;
  all: boolean;
}

export const spec: CommandSpec = {
  synopsis: 'plan <repo> [--branch <name>] [--bump major|minor|patch|x.y.z] [--all] [--json]',
  summary:
    'Show the next version, a summary per commit type, the first commits with their reasons and the changelog entry',
  positional: 'repo',
  options: {
    branch: BRANCH,
    bump: BUMP,
    all: { type: 'boolean', description: 'List every commit since the last release, not only the first 100' },
  },
};

export function parse({ positional, str, flag, usage }: ParseInput): PlanCommand {
  return {
    name: 'plan',
    repo: positional,
    bump: bump(str('bump'), usage),
    branch: branch(str('branch'), usage),
    all: flag('all'),
  };
}

export async function run(command: PlanCommand, context: RunContext): Promise<number> {
  const path = (cursor: string | null) => {
    const query = new URLSearchParams();
    if (command.branch !== null) query.set('branch', command.branch);
    if (command.bump !== null) query.set('bump', command.bump);
    if (command.all) query.set('limit', String(ALL_PAGE_LIMIT));
    if (cursor !== null) query.set('cursor', cursor);
    const text = query.toString();
    return `${repoPath(command.repo)}/plan${text ? `?${text}` : ''}`;
  };
  const plan = await context.api.get<PlanView>(path(null));
  // Every page names the commit the first was planned at, so the pages join into one list.
  for (let next = command.all ? plan.page.next : null; next !== null;) {
    const page = await context.api.get<PlanView>(path(next));
    plan.commits.push(...page.commits);
    next = page.page.next;
  }
  if (command.all) plan.page = { offset: 0, limit: plan.commits.length, next: null };
  return answer(context, plan, (body) => renderPlan(command.repo, body));
}

export function renderPlan(repo: string, plan: PlanView): string[] {
  const from = plan.previous
    ? `${plan.previous.tag} (${plan.previous.sha.slice(0, 7)})`
    : 'the first commit (no release yet)';
  const commits = plan.commitCount === 1 ? '1 commit' : `${plan.commitCount} commits`;
  const lines = [
    plan.version
      ? `Next release of ${repo}: ${plan.version} (tag ${plan.tag ?? '?'})`
      : `Nothing to release in ${repo}${plan.branch && plan.branch.kind !== 'release' ? ` on ${plan.branch.name}` : ''}`,
    // Older APIs name no branch: theirs is always the release branch.
    ...(plan.branch ? [`  branch ${describeBranch(plan.branch)}`] : []),
    `  why   ${plan.reason}`,
    `  from  ${from} to ${plan.sha.slice(0, 7)}, ${commits}`,
  ];
  // Beside a page of a long history, the summary says what the whole range holds.
  if (plan.summary.length > 0 && plan.commits.length < plan.commitCount) {
    const rows = plan.summary.map((s) => [s.type ?? '-', String(s.commits), String(s.releasing), s.bump ?? '-']);
    lines.push('', ...table(['TYPE', 'COMMITS', 'RELEASING', 'BUMP'], rows).map((line) => `  ${line}`));
  }
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
    const rest = plan.commitCount - plan.page.offset - plan.commits.length;
    if (rest > 0) lines.push(`  … and ${rest} more (--all lists them)`);
  }
  if (plan.changelogEntry) lines.push('', 'Changelog entry:', '', ...plan.changelogEntry.trimEnd().split('\n'));
  // Older APIs send the entry whole and no count.
  if (plan.changelogLinesLeftOut)
    lines.push(`… and ${counted(plan.changelogLinesLeftOut, 'more line')} (the release writes the whole entry)`);
  return shown(lines);
}
