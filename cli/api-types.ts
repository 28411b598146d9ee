/**
 * What the shipgate API answers, as the CLI reads it. Type-only imports keep the CLI's runtime
 * free of the workflow and activity code these shapes come from.
 */
import type { PlanAnswer } from '../api/schemas/plan.js';
import type { DeployLedger, EnvironmentLedger, LedgerEntry } from '../context/ledger.js';
import type {
  DeployResult,
  DeployState,
  QaResult,
  QaState,
  ReleaseResult,
  ReleaseState,
} from '../vocabulary/messages.js';

export type { DeployState, HealthSample, StepRecord } from '../vocabulary/messages.js';
export type PlanView = PlanAnswer;

export type RunKind = 'qa' | 'release' | 'deploy';

/** A run's live state is absent when the workflow did not answer its state query. */
interface RunFields<Result> {
  workflowId: string;
  runId: string;
  /** The Temporal execution status name: RUNNING, COMPLETED, FAILED, … */
  status: string;
  result?: Result;
  failure?: string;
}

export type QaRun = Omit<Partial<QaState>, 'kind'> & RunFields<QaResult> & { kind: 'qa' };
export type ReleaseRun = Omit<Partial<ReleaseState>, 'kind'> & RunFields<ReleaseResult> & { kind: 'release' };
export type DeployRun = Omit<Partial<DeployState>, 'kind'> & RunFields<DeployResult> & { kind: 'deploy' };
export type RunView = QaRun | ReleaseRun | DeployRun;

/** The kind a workflow ID names (`qa:…`, `release:…`, `deploy:…`), or null for anything else. */
export function runKindOf(workflowId: string): RunKind | null {
  const prefix = workflowId.slice(0, workflowId.indexOf(':'));
  return prefix === 'qa' || prefix === 'release' || prefix === 'deploy' ? prefix : null;
}

/**
 * One shape for every kind of run. The QA route spreads the live state beside the status while
 * the release and deployment routes nest it under `state`; either way it is null or absent when
 * the run did not answer its state query, and then the ID still says what kind of run it is.
 */
export function asRunView(kind: RunKind, body: object): RunView {
  const { state, ...run } = body as { state?: unknown };
  const live = typeof state === 'object' && state !== null ? state : {};
  return { ...live, ...run, kind } as RunView;
}

export interface Started {
  workflowId: string;
  runId: string;
  sha?: string;
}

export interface RunSummary {
  workflowId: string;
  runId: string;
  type: string;
  status: string;
  startTime: string;
  closeTime: string | null;
  repo: string | null;
  stage: string | null;
  version: string | null;
  outcome: string | null;
}

export interface DecisionAnswer {
  accepted: string;
  stage: string;
  deployWorkflowId?: string;
}

type Count = number | null;

export interface ReportView {
  name: string;
  outcome: string;
  commit: string;
  created_at: string;
  tests: { total: Count; passed: Count; failed: Count; skipped: Count };
  coverage: { changed_lines: number; covered_lines: number; percent: number | null; threshold: number; gate: string };
  /** Whether its signature verifies: an unsigned report never approves a release. */
  verified: boolean;
  verification: string;
}

/** `GET /repos/:id/deployments`: the deploy ledger, each entry without the environment it is listed under. */
export interface DeploymentsView {
  environments: (Omit<EnvironmentLedger, 'entries'> & { entries: Omit<LedgerEntry, 'environment'>[] })[];
  warnings: DeployLedger['warnings'];
}

export interface RepositoryView {
  id: string;
  source: 'path' | 'url';
  branch: string;
  remote: string;
  test: { command: string[] };
  coverage: { format: string; threshold: number } | null;
  deploy: { environment: string } | null;
  health: { url: string } | null;
}
