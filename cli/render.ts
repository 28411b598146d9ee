/** Plain text for the answers of plan, list, reports, deployments, repos and the start of a run. */
import { visibleText } from '../domain/visible-text.js';
import type { DeploymentsView, PlanView, ReportView, RepositoryView, RunSummary, Started } from './api-types.js';

const MAX_SUBJECT = 60;

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
  const line = (cells: string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
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

export function renderPlan(repo: string, plan: PlanView): string[] {
  const from = plan.previous ? `${plan.previous.tag} (${plan.previous.sha.slice(0, 7)})` : 'the first commit (no release yet)';
  const commits = plan.commitCount === 1 ? '1 commit' : `${plan.commitCount} commits`;
  const lines = [
    plan.version ? `Next release of ${repo}: ${plan.version} (tag ${plan.tag ?? '?'})` : `Nothing to release in ${repo}`,
    `  why   ${plan.reason}`,
    `  from  ${from} to ${plan.sha.slice(0, 7)}, ${commits}`,
  ];
  if (plan.commits.length > 0) {
    const rows = plan.commits.map((c) => [c.shortSha, c.type ?? '-', c.scope ?? '-', c.bump ?? '-', truncate(c.subject, MAX_SUBJECT), c.reason]);
    lines.push('', ...table(['COMMIT', 'TYPE', 'SCOPE', 'BUMP', 'SUBJECT', 'WHY'], rows).map((line) => `  ${line}`));
  }
  if (plan.changelogEntry) lines.push('', 'Changelog entry:', '', ...plan.changelogEntry.trimEnd().split('\n'));
  return shown(lines);
}

export function renderRuns(runs: RunSummary[]): string[] {
  if (runs.length === 0) return ['No runs.'];
  const rows = runs.map((run) => [
    run.workflowId,
    run.type.replace(/Workflow$/, ''),
    run.status,
    run.stage ?? '-',
    run.version ?? '-',
    run.outcome ?? '-',
    timestamp(run.startTime),
  ]);
  return table(['WORKFLOW ID', 'TYPE', 'STATUS', 'STAGE', 'VERSION', 'OUTCOME', 'STARTED'], rows);
}

export function renderReports(repo: string, reports: ReportView[], warnings: string[]): string[] {
  const rows = reports.map((r) => [
    r.name,
    r.outcome,
    r.commit.slice(0, 7),
    timestamp(r.created_at),
    r.tests.total === null ? '-' : `${r.tests.passed ?? 0}/${r.tests.total} passed${r.tests.failed ? `, ${r.tests.failed} failed` : ''}`,
    r.coverage.percent === null ? r.coverage.gate : `${formatPercent(r.coverage.percent)} ${r.coverage.gate}`,
    r.verified ? 'yes' : 'NO (foreign)',
  ]);
  const lines = reports.length === 0 ? [`No QA reports in ${repo}'s context/ yet.`] : table(['REPORT', 'OUTCOME', 'COMMIT', 'CREATED', 'TESTS', 'COVERAGE', 'SIGNED'], rows);
  return shown([...lines, ...warnings.map((warning) => `warning: ${warning}`)]);
}

export function renderDeployments(repo: string, ledger: DeploymentsView): string[] {
  if (ledger.environments.length === 0) return shown([`No deployments of ${repo} on record in its context/ yet.`, ...ledger.warnings.map((warning) => `warning: ${warning}`)]);
  const lines: string[] = [];
  for (const { environment, live, entries } of ledger.environments) {
    if (lines.length > 0) lines.push('');
    lines.push(live
      ? `${environment}: ${live.version} is live, verified healthy since ${timestamp(live.since)} (${live.report})`
      : `${environment}: nothing verified healthy on record, so no rollback target`);
    if (entries.length === 0) continue;
    lines.push(...table(
      ['VERSION', 'OUTCOME', 'LIVE AFTER', 'TRIGGER', 'REQUESTED BY', 'ENDED', 'REPORT'],
      entries.map((e) => [e.version, e.outcome, e.liveVersion ?? '-', e.trigger ?? '-', e.requestedBy ?? '-', timestamp(e.endedAt), e.report]),
    ));
  }
  return shown([...lines, ...ledger.warnings.map((warning) => `warning: ${warning}`)]);
}

export function renderRepositories(repositories: RepositoryView[]): string[] {
  if (repositories.length === 0) return ['No repositories are configured.'];
  const rows = repositories.map((r) => [
    r.id,
    r.source,
    r.branch,
    r.coverage ? `${r.coverage.format} ≥ ${r.coverage.threshold}%` : '-',
    r.deploy ? r.deploy.environment : '-',
    r.test.command.join(' '),
  ]);
  return table(['ID', 'SOURCE', 'BRANCH', 'COVERAGE', 'DEPLOYS TO', 'TEST COMMAND'], rows);
}

export function renderStarted(what: string, started: Started): string[] {
  const at = started.sha ? ` at ${started.sha.slice(0, 7)}` : '';
  return shown([`Started ${what}${at}: ${started.workflowId} (run ${started.runId})`, `Follow it with: shipgate status ${started.workflowId} --follow`]);
}

export function formatPercent(percent: number): string {
  return `${Number.isInteger(percent) ? percent : percent.toFixed(1)}%`;
}

export interface WatchView {
  repoId: string;
  scheduleId: string;
  paused: boolean;
  note: string | null;
  intervalMs: number;
  lastTick: { at: string; workflowId: string; sha: string | null; startedQa: boolean | null } | null;
  nextRuns: string[];
}

export function renderWatch(watch: WatchView): string[] {
  const tick = watch.lastTick;
  return shown([
    `Watch of ${watch.repoId} (schedule ${watch.scheduleId}, every ${Math.round(watch.intervalMs / 1000)}s): ${watch.paused ? 'PAUSED' : 'active'}${watch.note ? ` — ${watch.note}` : ''}`,
    tick
      ? `  last tick   ${tick.at}: ${tick.sha ? `saw ${tick.sha.slice(0, 7)}, ${tick.startedQa ? 'started QA' : 'nothing new'}` : 'still running'}`
      : '  last tick   none yet',
    `  next runs   ${watch.nextRuns.length ? watch.nextRuns.join(', ') : watch.paused ? 'none while paused' : 'none'}`,
  ]);
}
