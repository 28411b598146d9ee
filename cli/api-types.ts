/**
 * What the shipgate API answers, as the CLI reads it: the types come from the API's response
 * schemas (type-only imports, so the CLI's runtime stays free of the API and the workflows).
 */
import type { Static } from 'typebox';
import type { BranchView as BranchAnswer } from '../api/schemas/branches.js';
import type { MetricsAnswer } from '../api/schemas/metrics.js';
import type { PlanAnswer } from '../api/schemas/plan.js';
import type { ApprovalPage, DecisionAnswer as GateDecisionAnswer } from '../api/schemas/approvals.js';
import type {
  EnvironmentsAnswer,
  EnvironmentStateAnswer,
  PromoteAnswer,
  PromotionRunAnswer,
} from '../api/schemas/environments.js';
import type {
  DeployRun as DeployRunAnswer,
  DeployState as DeployStateAnswer,
  HealthSample as HealthSampleAnswer,
  QaRun as QaRunAnswer,
  ReleaseRun as ReleaseRunAnswer,
  RunNotifications as RunNotificationsAnswer,
  RunSummary as RunSummaryAnswer,
  Step,
} from '../api/state-schemas.js';
import type { DeployLedger, EnvironmentLedger, LedgerEntry } from '../context/ledger.js';

export type DeployState = Static<typeof DeployStateAnswer>;
export type HealthSample = Static<typeof HealthSampleAnswer>;
export type StepRecord = Static<typeof Step>;
/** A configured branch: what it releases, on which channel, whether it deploys. */
export type BranchView = Static<typeof BranchAnswer>;
/** A plan; APIs from before release channels send no `branch`. */
export type PlanView = Omit<PlanAnswer, 'branch'> & { branch?: BranchView };

export type RunKind = 'qa' | 'release' | 'deploy';

/** `GET /releases/:id/notifications`, `GET /deployments/:id/notifications`. */
export type RunNotificationsView = Static<typeof RunNotificationsAnswer>;

/** `GET /repos/:id/environments`: each environment in promotion order. */
export type EnvironmentsView = EnvironmentsAnswer;
export type EnvironmentView = EnvironmentsAnswer['environments'][number];
/** `GET /repos/:id/metrics`: delivery metrics per environment and for the repository. */
export type MetricsView = MetricsAnswer;
/** What pin and unpin answer: the environment's state. */
export type EnvironmentStateView = Static<typeof EnvironmentStateAnswer>;
/** `POST …/environments/:env/promotions`: where the request stands. */
export type PromoteView = PromoteAnswer;
/** A release's promotion through the environments, as its view shows it. */
export type PromotionView = PromotionRunAnswer;
/** What an approval, denial or override answers: where the version's step stands now. */
export type DecisionView = GateDecisionAnswer;
/** `GET …/environments/:env/approvals/:version`: what to read before approving. */
export type ApprovalPageView = ApprovalPage;

/**
 * A run as the CLI renders it: the run's fields with its state beside them (absent when the run
 * answered without one), and the kind its ID names.
 */
type Flat<Answer extends { state: object | null }, Kind extends RunKind> = Omit<Answer, 'state'> &
  Omit<Partial<NonNullable<Answer['state']>>, 'kind'> & { kind: Kind };

export type QaRun = Flat<Static<typeof QaRunAnswer>, 'qa'>;
/** The promotion beside a release's fields is its view from the API, not the state's bare `{ workflowId }`. */
export type ReleaseRun = Omit<Flat<Static<typeof ReleaseRunAnswer>, 'release'>, 'promotion'> & {
  promotion?: PromotionRunAnswer | null;
};
export type DeployRun = Flat<Static<typeof DeployRunAnswer>, 'deploy'>;
export type RunView = QaRun | ReleaseRun | DeployRun;
/** The Temporal execution status name: RUNNING, COMPLETED, FAILED, … */
export type RunStatus = RunView['status'];

/** The kind a workflow ID names (`qa:…`, `release:…`, `deploy:…`), or null for anything else. */
export function runKindOf(workflowId: string): RunKind | null {
  const prefix = workflowId.slice(0, workflowId.indexOf(':'));
  return prefix === 'qa' || prefix === 'release' || prefix === 'deploy' ? prefix : null;
}

/**
 * The API nests every run's state under `state` (null when an old run did not answer its state
 * query); the CLI renders it beside the run's fields, and the ID still says what kind of run it is.
 */
export function asRunView(kind: RunKind, body: object): RunView {
  const { state, ...run } = body as { state?: unknown };
  const live = typeof state === 'object' && state !== null ? { ...state } : {};
  // A release's state names its promotion by ID only; its view, when the API sent one, is beside the state.
  if (kind === 'release') delete (live as { promotion?: unknown }).promotion;
  return { ...live, ...run, kind } as RunView;
}

export interface Started {
  workflowId: string;
  runId: string;
  sha?: string;
}

/** A run as visibility lists it; `branch` is absent from APIs before release channels. */
export type RunSummary = Omit<Static<typeof RunSummaryAnswer>, 'branch'> & { branch?: string | null };

export interface DecisionAnswer {
  accepted: string;
  stage: string;
  deployWorkflowId?: string;
  /** The publish step the decision went to, when the release waited on one. */
  publishStep?: string;
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
  /** Every configured branch, the release branch first; absent from APIs before release channels. */
  branches?: BranchView[];
  remote: string;
  test: { command: string[] };
  coverage: { format: string; threshold: number } | null;
  deploy: { environment: string } | null;
  health: { url: string } | null;
}
