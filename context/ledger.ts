import { describeProblem, mapping, nonEmptyString, nullable, oneOf, utcTimestamp, type FieldCheck } from './field-checks.js';
import { baseFileName, compareReportNames, parseReportFileName } from './names.js';
import type { ContextFile } from './recency.js';
import { parseReport, type DeployOutcome } from './report.js';

export const DEPLOY_OUTCOMES = ['deployed', 'rolled-back', 'abandoned', 'failed'] as const satisfies readonly DeployOutcome[];

/**
 * Whether a report may be believed: the file name and its full text. The deploy ledger decides
 * what a rollback goes back to, so a report that fails this is left out of it, with a warning.
 */
export type ReportTrust = (name: string, text: string) => boolean;

export const TRUST_ALL: ReportTrust = () => true;

/** One run of a deployment, as its deploy report records it. */
export interface LedgerEntry {
  /** The deploy report's file name in context/. */
  report: string;
  environment: string;
  /** The version the run was asked to deploy. */
  version: string;
  outcome: DeployOutcome;
  /** What was live and verified healthy when the run ended; null when nothing was verified. */
  liveVersion: string | null;
  trigger: string | null;
  requestedBy: string | null;
  startedAt: string | null;
  endedAt: string;
  workflowId: string | null;
  runId: string | null;
}

export interface LiveVersion {
  version: string;
  /** When this version went live: the end of the earliest run in the unbroken line of healthy runs that left it live. */
  since: string;
  /** The newest report that verified it healthy. */
  report: string;
}

export interface EnvironmentLedger {
  environment: string;
  live: LiveVersion | null;
  /** Newest first. */
  entries: LedgerEntry[];
}

export interface DeployLedger {
  /** Sorted by environment name. */
  environments: EnvironmentLedger[];
  /** One line per deploy report that was left out. */
  warnings: string[];
}

const optionalString = nullable(nonEmptyString);

const deployFrontMatterShape = mapping(
  {
    outcome: oneOf(DEPLOY_OUTCOMES),
    environment: nonEmptyString,
    version: nonEmptyString,
    created_at: utcTimestamp,
  },
  {
    live_version: optionalString,
    previous_version: optionalString,
    trigger: optionalString,
    requested_by: optionalString,
    started_at: nullable(utcTimestamp),
    workflow_id: optionalString,
    run_id: optionalString,
  } satisfies Record<string, FieldCheck>,
);

/**
 * The deploy ledger: every deploy report in context/, per environment, newest first. It lives in
 * the repository, so it outlasts worker restarts and Temporal's retention of the runs that wrote it.
 */
export function readDeployLedger(files: readonly ContextFile[], trust: ReportTrust = TRUST_ALL): DeployLedger {
  const warnings: string[] = [];
  const entries: LedgerEntry[] = [];
  for (const file of files) {
    const name = baseFileName(file.name);
    if (parseReportFileName(name)?.kind !== 'deploy') continue;
    const entry = ledgerEntry(name, file.content, trust);
    if (typeof entry === 'string') warnings.push(`skipped ${name}: ${entry}`);
    else entries.push(entry);
  }
  entries.sort((a, b) => compareReportNames(b.report, a.report));
  const byEnvironment = new Map<string, LedgerEntry[]>();
  for (const entry of entries) byEnvironment.set(entry.environment, [...(byEnvironment.get(entry.environment) ?? []), entry]);
  const environments = [...byEnvironment.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([environment, list]) => ({ environment, live: liveVersion(list), entries: list }));
  return { environments, warnings };
}

/** The environment's ledger, or an empty one when nothing was ever deployed there. */
export function environmentLedger(ledger: DeployLedger, environment: string): EnvironmentLedger {
  return ledger.environments.find((e) => e.environment === environment) ?? { environment, live: null, entries: [] };
}

/**
 * What the newest run that ended verified healthy left live. An abandoned or failed run verified
 * nothing, so it does not change what was last known good.
 */
export function liveVersion(newestFirst: readonly LedgerEntry[]): LiveVersion | null {
  const index = newestFirst.findIndex((e) => e.liveVersion !== null);
  const newest = newestFirst[index];
  if (newest?.liveVersion == null) return null;
  let since = newest.endedAt;
  for (const older of newestFirst.slice(index + 1)) {
    if (older.liveVersion === null) continue;
    if (older.liveVersion !== newest.liveVersion) break;
    since = older.endedAt;
  }
  return { version: newest.liveVersion, since, report: newest.report };
}

function ledgerEntry(name: string, text: string, trust: ReportTrust): LedgerEntry | string {
  const parsed = parseReport(text, name);
  if (!parsed.ok) return parsed.reason;
  const problem = deployFrontMatterShape(parsed.frontMatter, '');
  if (problem !== null) return describeProblem(problem);
  if (!trust(name, text)) return 'not a report shipgate wrote (its signature does not verify)';
  const fm = parsed.frontMatter;
  const field = (key: string): string | null => (typeof fm[key] === 'string' ? fm[key] : null);
  const outcome = fm.outcome as DeployOutcome;
  const version = fm.version as string;
  return {
    report: name,
    environment: fm.environment as string,
    version,
    outcome,
    liveVersion: Object.hasOwn(fm, 'live_version') ? field('live_version') : impliedLiveVersion(outcome, version, field('previous_version')),
    trigger: field('trigger'),
    requestedBy: field('requested_by'),
    startedAt: field('started_at'),
    endedAt: fm.created_at as string,
    workflowId: field('workflow_id'),
    runId: field('run_id'),
  };
}

/** Reports written before `live_version` was recorded: a rollback went to the previous version it names. */
function impliedLiveVersion(outcome: DeployOutcome, version: string, previous: string | null): string | null {
  if (outcome === 'deployed') return version;
  if (outcome === 'rolled-back') return previous;
  return null;
}
