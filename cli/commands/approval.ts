import type { ApprovalPageView } from '../api-types.js';
import { answer, repoPath, type CommandSpec, type ParseInput, type RunContext } from '../command.js';
import { shown } from '../render.js';
import { repoAndVersion } from './approve.js';
import { environment, ENVIRONMENT } from './pin.js';

export interface ApprovalCommand {
  name: 'approval';
  repo: string;
  version: string;
  environment: string;
}

export const spec: CommandSpec = {
  synopsis: 'approval <repo> <version> --env <env> [--json]',
  summary:
    'The approval page of a version: approvals so far, who may still approve, expiry, QA verdict, changelog entry, diff',
  positional: 'repo',
  rest: true,
  options: { env: ENVIRONMENT },
};

export function parse({ positionals, str, usage }: ParseInput): ApprovalCommand {
  return {
    name: 'approval',
    ...repoAndVersion(positionals, usage, 'approval'),
    environment: environment(str('env'), usage, 'approval'),
  };
}

export async function run(command: ApprovalCommand, context: RunContext): Promise<number> {
  const page = await context.api.get<ApprovalPageView>(
    `${repoPath(command.repo)}/environments/${encodeURIComponent(command.environment)}/approvals/${encodeURIComponent(command.version)}`,
  );
  return answer(context, page, (p) => renderApprovalPage(command.repo, p));
}

/** How many files of the diff the page lists; the rest are counted. */
const FILES_SHOWN = 20;

export function renderApprovalPage(repo: string, page: ApprovalPageView): string[] {
  const { approval, step, diff, qaReport } = page;
  const lines: string[] = [
    `Approval of ${repo} ${page.version} (${page.tag}) into ${page.environment}`,
    `  promotion ${page.workflowId}  ${page.promotion.status}${page.promotion.outcome ? `  ${page.promotion.outcome}` : ''}`,
    `  step      ${step ? `${step.status}${step.reason ? `: ${step.reason}` : ''}` : 'not reached yet'}`,
  ];
  if (approval) {
    lines.push(`  approvals ${approval.approvals.length} of ${approval.required}, from ${approval.from.join(', ')}`);
    for (const a of approval.approvals)
      lines.push(`    ✓ ${a.by} (${a.role}) at ${a.at}${a.reason ? `: ${a.reason}` : ''}`);
    if (approval.denial)
      lines.push(`    ✗ denied by ${approval.denial.by} at ${approval.denial.at}: ${approval.denial.reason ?? ''}`);
    if (approval.override)
      lines.push(
        `    ! overridden by ${approval.override.by} (${approval.override.via}) at ${approval.override.at}: ${approval.override.reason ?? ''}`,
      );
    if (page.mayStillApprove.length)
      lines.push(
        `  may still approve: ${page.mayStillApprove.join(', ')}${approval.notAuthor ? ' (not its authors nor who started it)' : ''}`,
      );
    lines.push(`  expires   ${approval.expiresAt}`);
  } else {
    lines.push('  approvals none asked for (yet)');
  }
  lines.push(
    `  QA        ${qaReport ? `${qaReport.outcome ?? 'unknown verdict'} (context/${qaReport.name})` : 'no report read'}`,
  );
  if (diff) {
    lines.push(
      `  diff      ${diff.from ?? 'first release'}..${diff.to}: ${diff.commits} commit${diff.commits === 1 ? '' : 's'}, ` +
        `${diff.filesChanged} file${diff.filesChanged === 1 ? '' : 's'} changed, +${diff.insertions} −${diff.deletions}`,
    );
    for (const file of diff.files.slice(0, FILES_SHOWN))
      lines.push(`    ${file.binary ? 'binary' : `+${file.insertions} −${file.deletions}`}  ${file.path}`);
    const more = diff.filesChanged - Math.min(diff.files.length, FILES_SHOWN);
    if (more > 0) lines.push(`    … and ${more} more`);
  }
  if (page.changelogEntry)
    lines.push(
      '',
      ...page.changelogEntry
        .trimEnd()
        .split('\n')
        .map((l) => (l ? `  ${l}` : '')),
    );
  for (const warning of page.warnings) lines.push(`  warning: ${warning}`);
  if (step?.status === 'awaiting approval')
    lines.push(
      '',
      `  approve: shipgate approve ${repo} ${page.version} --env ${page.environment} --reason "…"`,
      `  deny:    shipgate deny ${repo} ${page.version} --env ${page.environment} --reason "…"`,
    );
  return shown(lines);
}
