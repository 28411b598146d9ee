/**
 * Everything the outside world exchanges with shipgate's workflows: inputs, results, live
 * state, queries, updates and signals. The API imports this file too, so it stays free of
 * anything but definitions.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Notification, NotifierState } from './notifications.js';

/*
 * The word lists below are the one place each union is spelled out: the types derive from them,
 * and the API builds its enums from them, so a new word reaches the OpenAPI description too.
 */

/** What started a run; the ShipgateTrigger search attribute holds the same words. */
export const TRIGGERS = ['manual', 'watch', 'webhook', 'auto', 'train'] as const;
export type Trigger = (typeof TRIGGERS)[number];

/**
 * Who a run names as having asked when no person did: the bot behind its trigger. A release
 * train runs on a schedule; an automatic release names the trigger of the QA pass it followed
 * where it knows it.
 */
export const TRIGGER_BOTS: Record<Exclude<Trigger, 'manual'>, string> = {
  watch: 'watch',
  webhook: 'webhook',
  train: 'schedule',
  auto: 'auto',
};

/** A QA run's verdict, which is also the kind of report it writes to context/. */
export const QA_OUTCOMES = ['test-pass', 'test-failures', 'test-gaps'] as const;
export type QaOutcome = (typeof QA_OUTCOMES)[number];

export interface StepRecord {
  name: string;
  startedAt: string;
  finishedAt: string | null;
  summary: string | null;
}

export interface QaInput {
  repoId: string;
  sha: string;
  /** The branch whose last release QA measures from (changed lines, approval); default the release branch. */
  branch?: string;
  trigger?: Trigger;
  /**
   * Who asked: the API caller's name, or the trigger's bot (`watch`, `webhook`); absent from runs
   * a parent started (the parent names it) and from runs recorded before names were kept.
   */
  requestedBy?: string;
  /** Set by a parent run: use its worker (and so its working copy) instead of pinning anew. */
  pinnedTaskQueue?: string;
  /**
   * How long the pin may wait on `pinnedTaskQueue` before the parent's worker counts as lost and
   * the run pins itself to any live worker (`lostWorkerAfterMs` of the parent's settings).
   */
  lostWorkerAfterMs?: number;
}

/**
 * One move of a run from a worker that was lost to a live one (`repin-on-lost-worker`): the
 * worker IDs, the step that was waiting on the lost worker, and when.
 */
export interface Repin {
  from: string;
  to: string;
  step: string;
  at: string;
}

/**
 * A run whose worker is lost but that cannot move (a `path` repository lives on that worker's
 * host): it waits for that worker to come back, and says so.
 */
export interface LostWorkerWait {
  workerId: string;
  step: string;
  since: string;
  reason: string;
}

export interface QaResult {
  repoId: string;
  sha: string;
  outcome: QaOutcome;
  report: string;
  reused: boolean;
  reason: string;
  /**
   * The worker whose working copy holds the report (its queue and ID). A release that started
   * the QA run goes on there when QA had to move to another worker; absent from older runs.
   */
  worker?: { taskQueue: string; workerId: string };
}

export interface QaState {
  kind: 'qa';
  repoId: string;
  sha: string;
  trigger: Trigger;
  /** Who asked for the run (`QaInput.requestedBy`); absent when the input names no one. */
  requestedBy?: string | null;
  stage: string;
  startedAt: string;
  steps: StepRecord[];
  outcome: QaOutcome | null;
  report: string | null;
  reused: boolean;
  reason: string | null;
  tests: { passed: number; failed: number; skipped: number; total: number } | null;
  coverage: { percent: number | null; threshold: number; gate: string } | null;
  lastOutput: string[];
  /** For triggered runs of a repository with `release.auto: on-qa-pass`: what followed the pass. */
  autoRelease: { started: boolean; workflowId: string | null; reason: string } | null;
  /** Every move to another worker after one was lost; absent from runs recorded before. */
  repins?: Repin[];
  /** Set while the run waits for a lost worker it cannot leave. */
  waitingForWorker?: LostWorkerWait | null;
}

export const qaStateQuery = defineQuery<QaState>('qaState');

/** `major`, `minor`, `patch` or an explicit version such as `2.0.0`. */
export type BumpOverride = string;

export interface ReleaseInput {
  repoId: string;
  /** A configured branch (`branches`); default the release branch. */
  branch?: string;
  bump?: BumpOverride;
  deploy?: boolean;
  trigger?: Trigger;
  /** Who asked: the API caller's name, or the trigger's bot (`watch`, `webhook`, `schedule`, `auto`); absent before names were kept. */
  requestedBy?: string;
}

export const RELEASE_OUTCOMES = [
  'released',
  'deployed',
  'nothing-to-release',
  'blocked-by-qa',
  'deploy-failed',
  'rolled-back',
  'abandoned',
  'cancelled',
  /** A publish step failed and a person (or the decision timeout) gave up: the tag stays pushed, nothing deployed. */
  'publish-abandoned',
] as const;
export type ReleaseOutcome = (typeof RELEASE_OUTCOMES)[number];

export interface ReleaseResult {
  repoId: string;
  outcome: ReleaseOutcome;
  version: string | null;
  tag: string | null;
  releaseCommit: string | null;
  reason: string;
  qaReport: string | null;
  /** The promotion run the release handed its version to (`promotion:<repo>:<version>`), when it did. */
  promotion?: string | null;
  /** Every publish step and what became of it; absent when the repository configures none. */
  published?: { name: string; artifact: string; status: PublishStatus }[];
}

/** What became of one publish step of a release. */
export const PUBLISH_STATUSES = [
  'pending',
  'running',
  'published',
  'already-published',
  'skipped',
  'failed',
  'abandoned',
] as const;
export type PublishStatus = (typeof PUBLISH_STATUSES)[number];

/** One publish step of a release, as its state and its result record it. */
export interface PublishRecord {
  name: string;
  /** What it publishes, placeholders substituted ("sample-app@1.2.0"). */
  artifact: string;
  status: PublishStatus;
  /** Activity attempts so far, over every retry decision. */
  attempts: number;
  /** When it reached its status. */
  at?: string;
  /** Who skipped or abandoned it (`timeout` when no decision came in time). */
  by?: string;
  reason?: string;
  logFile?: string;
}

/** A publish step that failed after its retries and waits for a person: retry, skip or abandon. */
export interface PublishAwaiting {
  step: string;
  error: string;
  tail: string[];
  since: string;
  deadline: string;
  allowed: PublishDecision[];
}

export interface PublishState {
  steps: PublishRecord[];
  awaiting: PublishAwaiting | null;
}

/** What a person may answer a publish step that failed after its retries. */
export const PUBLISH_DECISIONS = ['retry', 'skip', 'abandon'] as const;
export type PublishDecision = (typeof PUBLISH_DECISIONS)[number];

/** A publish decision as the update carries it: `step` (when given) must name the step that waits. */
export interface PublishDecisionInput {
  decision: PublishDecision;
  step?: string;
  /** Who decided: the API caller's name; absent from the Temporal UI. */
  by?: string;
  /** Required for `skip`: recorded with the release. */
  reason?: string;
}

/** What `POST /releases/:id/:decision` takes: a deployment's decisions, and `skip` for a publish step. */
export const RELEASE_DECISIONS = ['retry', 'rollback', 'abandon', 'skip'] as const;
export type ReleaseDecision = (typeof RELEASE_DECISIONS)[number];

export interface PublishDecisionResult {
  accepted: PublishDecision;
  step: string;
}

/**
 * The API's answer to a publish step that waits: an update, so a refusal (nothing waits, a skip
 * without a reason, another step named) is answered at once and never enters the run's history.
 */
export const publishDecisionUpdate = defineUpdate<PublishDecisionResult, [PublishDecisionInput]>('publishDecision');

/** The environment of a repository whose deploy settings name none (`deploy:<repo>:production`). */
export const DEFAULT_ENVIRONMENT = 'production';

/** What an operator may answer a deployment that awaits a decision. */
export const DEPLOY_DECISIONS = ['retry', 'rollback', 'abandon'] as const;
export type DeployDecision = (typeof DEPLOY_DECISIONS)[number];

export const DEPLOY_OUTCOMES = ['deployed', 'rolled-back', 'abandoned', 'failed'] as const;
export type DeployOutcome = (typeof DEPLOY_OUTCOMES)[number];

/**
 * The decision a value names, read the way a person types it in the Temporal UI: any case, with
 * spaces, hyphens or underscores (`"Retry"`, `"roll back"`, `"Roll-Back"`). Null for anything
 * else, a value that is not a string among them.
 */
export function parseDecision(value: unknown): DeployDecision | null {
  if (typeof value !== 'string') return null;
  const word = value.toLowerCase().replace(/[\s_-]+/g, '');
  return DEPLOY_DECISIONS.find((d) => d === word) ?? null;
}

/** A `decide` signal the run did not act on, kept so that the sender can see why. */
export interface IgnoredSignal {
  /** What was sent, as JSON when it was not a string. */
  value: string;
  at: string;
  /** The decisions the run would have taken at that moment. */
  expected: DeployDecision[];
  reason: string;
}

export interface DeployInput {
  repoId: string;
  version: string;
  trigger?: Trigger;
  /** Who asked, for the deploy ledger; a deployment a release starts names the release run. */
  requestedBy?: string;
  pinnedTaskQueue?: string;
  /** How long the pin may wait on `pinnedTaskQueue` before pinning to any live worker (see `QaInput`). */
  lostWorkerAfterMs?: number;
  /**
   * Known to a parent release; a standalone re-deploy looks it up from the tag. `previous` is the
   * release before in history, which only runs started before the deploy ledger roll back to.
   */
  release?: { tag: string; sha: string; previous: { version: string; tag: string } | null };
  /**
   * The environment deployed to, started by its environment's workflow; absent: the first (or
   * only) environment, as runs started before environments did.
   */
  environment?: string;
  /**
   * What the environment's ledger says was last verified healthy there: the rollback target and
   * `SHIPGATE_PREVIOUS_VERSION`. Given by the environment's workflow, which holds the ledger; absent,
   * the run reads the signed deploy reports as before.
   */
  lastGood?: { version: string; tag: string; since: string; report: string | null } | null;
}

export interface DeployResult {
  repoId: string;
  environment: string;
  version: string;
  outcome: DeployOutcome;
  reason: string;
  attempts: number;
  report: string | null;
}

export interface HealthSample {
  at: string;
  status: number | null;
  latencyMs: number;
  version: string | null;
  ok: boolean;
  error: string | null;
}

export interface DeployState {
  kind: 'deploy';
  repoId: string;
  environment: string;
  version: string;
  tag: string;
  /** What was live and verified healthy before this run (`SHIPGATE_PREVIOUS_VERSION`), from the deploy ledger. */
  previousVersion: string | null;
  /** The version a rollback goes back to; null when rollback is not offered. */
  rollbackTarget?: string | null;
  /** Where the rollback target comes from, or why there is none. */
  rollbackNote?: string | null;
  stage: string;
  startedAt: string;
  attempts: number;
  /** The version currently being deployed: the release, or the previous one during a rollback. */
  deploying: string | null;
  awaitingDecision: boolean;
  /** What the operator may choose now. */
  decisionsAllowed: DeployDecision[];
  decisionDeadline: string | null;
  /** While a decision is awaited: the attempt that failed last, in words ("the rollback to 1.2.1 failed: …"). */
  failedAttempt?: string | null;
  /** While a decision is awaited: what each allowed decision would do ("deploy 1.3.0 again"). */
  decisionEffects?: Partial<Record<DeployDecision, string>> | null;
  /** `by`: who decided, when the decision came through the API (absent from signals and older runs). */
  decisions: { decision: DeployDecision; at: string; by?: string }[];
  lastError: string | null;
  lastOutput: string[];
  samples: HealthSample[];
  outcome: DeployOutcome | null;
  reason: string | null;
  report: string | null;
  /** Absent in runs recorded before workers could be lost. */
  repins?: Repin[];
  ignoredSignals?: IgnoredSignal[];
  cancellation?: Cancellation | null;
}

export interface ReleaseState {
  kind: 'release';
  repoId: string;
  /** The branch released and its channel; absent from runs recorded before release channels. */
  branch?: string;
  channel?: string;
  trigger: Trigger;
  /** Who started the release (`ReleaseInput.requestedBy`); absent when the input names no one. */
  requestedBy?: string | null;
  stage: string;
  startedAt: string;
  version: string | null;
  previousVersion: string | null;
  tag: string | null;
  sourceSha: string | null;
  releaseCommit: string | null;
  /** `workflowId` is null when a fresh earlier pass was reused and no QA run was started. */
  qa: { workflowId: string | null; outcome: QaOutcome | null; report: string | null; reused: boolean } | null;
  steps: StepRecord[];
  plan: { bump: string | null; reason: string; commits: number } | null;
  deploy: { workflowId: string; state: DeployState | null } | null;
  /**
   * The promotion run the release handed its version to, for a repository with `environments`:
   * the release ends there, and the promotion deploys it. Absent from runs recorded before.
   */
  promotion?: { workflowId: string } | null;
  /** The publish steps and the decision one waits for; absent when the repository configures none. */
  publish?: PublishState;
  outcome: ReleaseOutcome | null;
  reason: string | null;
  /** `decide` signals the release did not pass on to a deployment. */
  ignoredSignals?: IgnoredSignal[];
  cancellation?: Cancellation | null;
  /** Every move to another worker after one was lost; absent from runs recorded before. */
  repins?: Repin[];
  /** Set while the run waits for a lost worker it cannot leave. */
  waitingForWorker?: LostWorkerWait | null;
}

export const releaseStateQuery = defineQuery<ReleaseState>('releaseState');
export const deployStateQuery = defineQuery<DeployState>('deployState');

/**
 * The memo key under which every release, deployment and QA run keeps its current view: the
 * object its state query answers (bounded, see `publishView`). The API reads it with one
 * describe, so a read needs no worker and a finished run answers as well as an open one.
 */
export const ViewMemoKey = 'view';
/** The memo key of a run's result, written with the last view just before the run returns. */
export const ResultMemoKey = 'result';

export interface DecisionResult {
  accepted: DeployDecision;
  stage: string;
}

/** The API sends decisions as an update (answered synchronously); the UI and CLI can signal. */
export const decisionUpdate = defineUpdate<DecisionResult, [DeployDecision, DecisionBy?]>('decide');
/** Who sent a decision through the API; an update from older clients or the UI carries none. */
export interface DecisionBy {
  by: string;
}
/** Typed as what it should carry; the handlers read whatever arrives with `parseDecision`. */
export const decisionSignal = defineSignal<[DeployDecision]>('decide');
/** Who asked to cancel a run, and why: the API signals it just before it cancels the run. */
export interface CancelRequest {
  by: string;
  reason: string;
}

/** A run cancelled through Temporal: who asked, why, and what it undid of its local state. */
export interface Cancellation extends CancelRequest {
  at: string;
  /** One line per thing undone or ended; empty when the run had nothing to undo. */
  undone: string[];
}

export const cancelRequestSignal = defineSignal<[CancelRequest]>('cancelRequest');

/** A deployment tells the release that started it each stage it enters. */
export const deployStageSignal = defineSignal<[string]>('deployStage');

/** One event for a run's notifier (`notify:<workflowId>:<runId>`), sent by the run in `seq` order. */
export const notificationSignal = defineSignal<[Notification]>('notification');
/** The run has sent its last event: the notifier ends once it delivered (or gave up on) events 1…`last`. */
export const notifierCloseSignal = defineSignal<[{ last: number }]>('closeNotifier');

export const notifierStateQuery = defineQuery<NotifierState>('notifierState');

/** Every kind of run shipgate starts, by the first part of its workflow ID. */
export type WorkflowKind =
  | 'qa'
  | 'release'
  | 'deploy'
  | 'environment'
  | 'promotion'
  | 'delivery'
  | 'watch-tick'
  | 'release-train-run'
  | ReadKind;
/** The reads of a working copy that the API asks a worker for. */
export type ReadKind = 'plan' | 'release-check' | 'approval-page' | 'reports' | 'ledger' | 'head' | 'remote-url';

export function workflowIdFor(kind: 'qa', repoId: string, sha: string): string;
export function workflowIdFor(kind: 'release', repoId: string): string;
export function workflowIdFor(kind: 'deploy', repoId: string, environment: string): string;
/** The long-lived workflow that owns one environment (see vocabulary/environments.ts). */
export function workflowIdFor(kind: 'environment', repoId: string, environment: string): string;
/** The run that takes one released version through the environments. */
export function workflowIdFor(kind: 'promotion', repoId: string, version: string): string;
/** One push webhook delivery, named by the forge's delivery ID: a second start of it is refused. */
export function workflowIdFor(kind: 'delivery', repoId: string, deliveryId: string): string;
/** The runs a repository's schedules start; the schedule appends the time of each run to the ID. */
export function workflowIdFor(kind: 'watch-tick' | 'release-train-run', repoId: string): string;
/**
 * The short reads the API asks a worker for (see workflows/reads.ts). A plan with a version
 * override names it (`plan:<repo>:<bump>`), a release check names the version: equal reads share
 * one run while it runs, and a finished one is never answered again.
 */
export function workflowIdFor(kind: 'plan', repoId: string, override?: string): string;
export function workflowIdFor(kind: 'release-check' | 'approval-page', repoId: string, version: string): string;
/** The head commit of a branch other than the release branch (`head:<repo>:<branch>`). */
export function workflowIdFor(kind: 'head', repoId: string, branch?: string): string;
export function workflowIdFor(kind: 'reports' | 'ledger' | 'head' | 'remote-url', repoId: string): string;
export function workflowIdFor(kind: WorkflowKind, repoId: string, extra?: string): string {
  return extra === undefined ? `${kind}:${repoId}` : `${kind}:${repoId}:${extra}`;
}

/** The schedules a repository can have: its branch watch and its release train. */
export const SCHEDULE_KINDS = ['watch', 'release-train'] as const;
export type ScheduleKind = (typeof SCHEDULE_KINDS)[number];

/** `watch:<repo>`, `release-train:<repo>`: one schedule of each kind per repository. */
export function scheduleIdFor(kind: ScheduleKind, repoId: string): string {
  return `${kind}:${repoId}`;
}

/** Whether shipgate named this schedule; other schedules on the namespace are not its to delete. */
export function isShipgateScheduleId(scheduleId: string): boolean {
  return SCHEDULE_KINDS.some((kind) => scheduleId.startsWith(scheduleIdFor(kind, '')));
}
