import { serializeReport, type DeployReportFrontMatter } from '../context/report.js';
import { escapeMarkdown } from './markdown.js';
import { visibleText } from './visible-text.js';
import type { DeployState, HealthSample } from '../vocabulary/messages.js';

export interface DeployAttemptRecord {
  attempt: number;
  version: string;
  kind: 'deploy' | 'rollback';
  at: string;
  deployOk: boolean;
  healthOk: boolean | null;
  reason: string;
}

export interface DeployReportInput {
  repoId: string;
  environment: string;
  version: string;
  tag: string;
  commit: string;
  previousVersion: string | null;
  /** What is live and verified healthy after the run; null when the run verified nothing. Absent from runs that predate it. */
  liveVersion?: string | null;
  trigger?: string;
  /** Who asked: the release run that started the deployment, or the API caller's name. */
  requestedBy?: string | null;
  startedAt?: string;
  outcome: NonNullable<DeployState['outcome']>;
  reason: string;
  attempts: DeployAttemptRecord[];
  samples: HealthSample[];
  lastOutput: string[];
  decisions: { decision: string; at: string; by?: string }[];
  workflowId: string;
  runId: string;
  createdAt: string;
}

const TITLES: Record<DeployReportInput['outcome'], string> = {
  deployed: 'Deployed',
  'rolled-back': 'Rolled back',
  abandoned: 'Deployment abandoned',
  failed: 'Deployment failed',
};

export function renderDeployReport(input: DeployReportInput): string {
  const frontMatter: DeployReportFrontMatter = {
    outcome: input.outcome,
    repository: input.repoId,
    environment: input.environment,
    version: input.version,
    tag: input.tag,
    commit: input.commit,
    created_at: input.createdAt,
    attempts: input.attempts.length,
    previous_version: input.previousVersion,
    ...(input.liveVersion === undefined ? {} : { live_version: input.liveVersion }),
    ...(input.trigger === undefined ? {} : { trigger: input.trigger }),
    ...(input.requestedBy === undefined ? {} : { requested_by: input.requestedBy }),
    ...(input.startedAt === undefined ? {} : { started_at: input.startedAt }),
    workflow_id: input.workflowId,
    run_id: input.runId,
  };
  const lines = [
    `# ${TITLES[input.outcome]}: ${input.repoId} ${input.version} to ${input.environment}`,
    '',
    `**Outcome:** ${input.outcome} — ${escapeMarkdown(input.reason)}.`,
    '',
    ...(input.requestedBy ? [`**Requested by:** ${escapeMarkdown(input.requestedBy)}`, ''] : []),
    ...(input.liveVersion === undefined
      ? []
      : [`**Live and verified healthy after this run:** ${input.liveVersion ?? 'nothing verified'}.`, '']),
    '## Attempts',
    '',
    '| # | Kind | Version | Started | Deploy | Health | Note |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...input.attempts.map(
      (a) =>
        `| ${a.attempt} | ${a.kind} | ${a.version} | ${a.at} | ${a.deployOk ? 'ok' : 'failed'} | ${a.healthOk === null ? '—' : a.healthOk ? 'ok' : 'failed'} | ${escapeMarkdown(a.reason)} |`,
    ),
    '',
  ];
  if (input.decisions.length > 0) {
    lines.push(
      '## Operator decisions',
      '',
      ...input.decisions.map((d) => `- ${d.at}: ${d.decision}${d.by ? ` by ${escapeMarkdown(d.by)}` : ''}`),
      '',
    );
  }
  if (input.samples.length > 0) {
    lines.push(
      '## Health samples',
      '',
      '| Time | Status | Latency | Version | Result |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const s of input.samples.slice(-30)) {
      lines.push(
        `| ${s.at} | ${s.status ?? '—'} | ${s.latencyMs} ms | ${s.version ?? '—'} | ${s.ok ? 'ok' : escapeMarkdown(s.error ?? 'failed')} |`,
      );
    }
    lines.push('');
  }
  if (input.lastOutput.length > 0) {
    lines.push('## Last deploy output', '', '```text', input.lastOutput.join('\n').replace(/```/g, "'''"), '```', '');
  }
  // Deploy output and health errors keep their lines, but never a terminal's controls: people `cat` reports.
  return serializeReport(frontMatter, visibleText(lines.join('\n'), { keep: '\n\t' }));
}
