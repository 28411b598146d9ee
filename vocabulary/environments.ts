import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Identity, Role } from './identity.js';
import type { DeployOutcome, Trigger } from './messages.js';

/*
 * The messages of environments and promotions, defined once: the workflows set their handlers
 * with these, and the API, the CLI and the activities send them.
 *
 * An environment is a long-lived workflow, `environment:<repo>:<name>`, that owns it: it runs one
 * deployment to it at a time (a child `deploy:<repo>:<name>`), keeps what is live there, the last
 * version verified healthy and a ledger of every request, and carries all that across
 * continue-as-new. A promotion run, `promotion:<repo>:<version>`, takes one released version
 * through the environments: it asks the first to deploy it, waits for the soak of each next one
 * and asks that one in turn, until the last or until it stops (superseded, rolled back, refused).
 */

/**
 * Who asks an environment to deploy a version:
 * - `release`: a release hands its version to the first environment (through its promotion run);
 * - `promotion`: a version healthy in the environment before (`from`), automatically or on request;
 * - `manual`: an operator deploys a version by hand (`POST /repos/:id/deployments`).
 */
export const ENVIRONMENT_REQUEST_KINDS = ['release', 'promotion', 'manual'] as const;
export type EnvironmentRequestKind = (typeof ENVIRONMENT_REQUEST_KINDS)[number];

export interface EnvironmentRequest {
  /** Names the request once: the same ID sent twice (a retried activity, a repeated API call) is one request. */
  requestId: string;
  version: string;
  kind: EnvironmentRequestKind;
  trigger: Trigger;
  /** Who or what asked, for the ledger: a run ID, `api`, later a person. */
  requestedBy: string;
  /** For a promotion: the environment the version comes from. */
  from: string | null;
  /** The workflow told of every change of this request (`environmentEventSignal`), or null. */
  replyTo: string | null;
  /**
   * True for an automatic request (a release's handover, an automatic promotion): while the
   * environment is pinned it waits, `held`, until someone unpins it. False for a person's request,
   * which a pinned environment refuses at once (SHIPGATE_ENVIRONMENT_PINNED).
   */
  waitIfPinned: boolean;
  /**
   * When the oldest commit of the release was made (ISO 8601), for the lead time of the delivery
   * metrics; null or absent when not known (a request made before it was recorded).
   */
  firstCommitAt?: string | null;
  /** Who approved the version into the environment (names), when its approval was required. */
  approvedBy?: string[];
}

/**
 * Where a request stands:
 * - `queued`: waits for the deployment in progress; a newer version arriving supersedes it;
 * - `held`: the environment is pinned; an automatic request waits there until it is unpinned;
 * - `deploying`: its deployment runs (`deployment` names it);
 * - `superseded`: a newer version was asked for (or is live) before it deployed: never deployed over the newer;
 * - `refused`: it could not deploy (not a release, not promotable); `reason` says why;
 * - the deployment's outcomes: `deployed`, `rolled-back`, `abandoned`, `failed`;
 * - `replaced`: it was live, and another version is now (sent to the request that made it live).
 */
export const ENVIRONMENT_REQUEST_STATUSES = [
  'queued',
  'held',
  'deploying',
  'superseded',
  'refused',
  'deployed',
  'rolled-back',
  'abandoned',
  'failed',
  'replaced',
] as const;
export type EnvironmentRequestStatus = (typeof ENVIRONMENT_REQUEST_STATUSES)[number];

/** The statuses of a request that has not ended; after any other it changes no more (until `replaced`). */
export const PENDING_REQUEST_STATUSES = ['queued', 'held', 'deploying'] as const;
/** The statuses after which a request changes no more (`replaced` comes once, after `deployed`). */
export const FINAL_REQUEST_STATUSES: readonly EnvironmentRequestStatus[] = ENVIRONMENT_REQUEST_STATUSES.filter(
  (status) => !(PENDING_REQUEST_STATUSES as readonly string[]).includes(status),
);

/** A request the environment has not finished: waiting, held, or deploying. */
export interface PendingRequest extends EnvironmentRequest {
  status: (typeof PENDING_REQUEST_STATUSES)[number];
  requestedAt: string;
  /** While deploying: the deployment's workflow ID. */
  deployment: string | null;
}

/** What the `requestDeployment` update answers at once. */
export interface EnvironmentRequestAnswer {
  requestId: string;
  environment: string;
  version: string;
  status: EnvironmentRequestStatus;
  reason: string;
  /** The request IDs this one superseded. */
  superseded: string[];
}

/** A version in an environment: live (the deployment ended with it in place) and, separately, last verified healthy. */
export interface EnvironmentVersion {
  version: string;
  tag: string;
  since: string;
  /** The deploy report that records it (`context/deploy-…md`), null when none was written. */
  report: string | null;
  /**
   * False when the version is in place but was not verified healthy (its deployment failed or was
   * abandoned after the deploy command succeeded); `lastGood` holds only verified versions.
   */
  verified: boolean;
  /**
   * The request that made it live there, told `replaced` when another version is; null or absent
   * for a version known only from the deploy reports.
   */
  by?: { requestId: string; replyTo: string | null } | null;
}

/** One line of an environment's ledger: every request, with how it ended. */
export interface LedgerEntry extends Pick<
  EnvironmentRequest,
  'requestId' | 'version' | 'kind' | 'trigger' | 'requestedBy' | 'from' | 'firstCommitAt' | 'approvedBy'
> {
  requestedAt: string;
  /** When its deployment started; null when it never deployed (superseded, refused). */
  startedAt: string | null;
  endedAt: string;
  outcome: DeployOutcome | 'superseded' | 'refused';
  reason: string;
  /** The deploy report of its deployment. */
  report: string | null;
  /** `deploy:<repo>:<env>` and the run ID of its deployment, when one ran. */
  deployment: { workflowId: string; runId: string } | null;
}

export interface EnvironmentPin {
  by: string;
  reason: string;
  at: string;
  /** The version live when it was pinned. */
  version: string | null;
  /** True when a rollback pinned it; false when a person did. */
  automatic: boolean;
}

/** The state (query `environmentState`, memo `view`) of an environment's workflow. */
export interface EnvironmentState {
  kind: 'environment';
  repoId: string;
  environment: string;
  /** What runs there now: the version the last deployment left in place. */
  live: EnvironmentVersion | null;
  /** The version last verified healthy there: the rollback target and `SHIPGATE_PREVIOUS_VERSION`. */
  lastGood: EnvironmentVersion | null;
  pinned: EnvironmentPin | null;
  /** Queued, held and deploying requests, in the order they will run. */
  pending: PendingRequest[];
  /** The newest entries last; at most `LEDGER_KEPT` (the deploy reports in context/ keep everything). */
  ledger: LedgerEntry[];
  /** How many entries the ledger has had in all, across continue-as-new. */
  ledgerTotal: number;
  /** Every pin, newest last, with its unpin once there is one (at most 50). */
  pinHistory: (EnvironmentPin & { unpinnedAt: string | null; unpinnedBy: string | null; unpinReason: string | null })[];
  /** How many times the workflow continued as new. */
  generation: number;
  updatedAt: string;
}

/** How many ledger entries an environment's workflow keeps in its state and view. */
export const LEDGER_KEPT = 100;

export interface EnvironmentInput {
  repoId: string;
  environment: string;
  /** The state carried across continue-as-new; absent on the first start. */
  carried?: EnvironmentState;
  /** Continue as new once the history is this long (and nothing deploys); tests set it low. Default 2,000 events. */
  continueAsNewAfter?: number;
}

export interface PinRequest {
  by: string;
  reason: string;
}

export const requestDeploymentUpdate = defineUpdate<EnvironmentRequestAnswer, [EnvironmentRequest]>(
  'requestDeployment',
);
export const pinUpdate = defineUpdate<EnvironmentState, [PinRequest]>('pin');
export const unpinUpdate = defineUpdate<EnvironmentState, [PinRequest]>('unpin');
export const environmentStateQuery = defineQuery<EnvironmentState>('environmentState');

/** What an environment tells a request's `replyTo` workflow each time the request changes. */
export interface EnvironmentEvent {
  environment: string;
  requestId: string;
  version: string;
  status: EnvironmentRequestStatus;
  reason: string;
  at: string;
  deployment: string | null;
  report: string | null;
}
export const environmentEventSignal = defineSignal<[EnvironmentEvent]>('environmentEvent');

/** Where a version is in one environment, as its promotion run sees it. */
export const PROMOTION_STEP_STATUSES = [
  'waiting',
  'soaking',
  'awaiting promotion',
  'awaiting approval',
  'frozen',
  'queued',
  'held',
  'deploying',
  'deployed',
  'superseded',
  'refused',
  'rolled-back',
  'abandoned',
  'failed',
  'denied',
  'expired',
  'not reached',
] as const;
export type PromotionStepStatus = (typeof PROMOTION_STEP_STATUSES)[number];

export interface PromotionStep {
  environment: string;
  /** The environment it is promoted from; null for the first. */
  after: string | null;
  status: PromotionStepStatus;
  reason: string | null;
  since: string | null;
  /** While soaking: when the soak ends. */
  soakEndsAt: string | null;
  /** Its deployment's workflow ID, once it deploys. */
  deployment: string | null;
  report: string | null;
  /** Its approvals, once the promotion waits for them (an environment with `approval`); absent otherwise. */
  approval?: ApprovalProgress;
  /** While frozen: the open window it waits out; absent otherwise. */
  freeze?: { from: string; until: string; reason: string | null } | null;
  /** A freeze an admin overrode for this version, with who and why. */
  freezeOverride?: GateDecision | null;
}

/** One person's word on a gate of a promotion: an approval, a denial or an override. */
export interface GateDecision {
  by: string;
  role: Role;
  reason: string | null;
  at: string;
  /** How it arrived: the API (and CLI), or a Signal sent from the Temporal UI. */
  via: 'api' | 'signal';
}

/** Where the approvals of a version into an environment stand. */
export interface ApprovalProgress {
  required: number;
  /** Who may approve: token names or roles. */
  from: string[];
  notAuthor: boolean;
  /** When the wait ends as expired. */
  expiresAt: string;
  approvals: GateDecision[];
  denial: GateDecision | null;
  /** An admin's override (a Signal from the Temporal UI, or the API): the gate passed without the approvals. */
  override: GateDecision | null;
}

/**
 * How a promotion run ended:
 * - `promoted`: the version reached every environment it could (live and healthy in each);
 * - `superseded`: a newer version took its place before it got to the end;
 * - `stopped`: it stopped before the end: a deployment rolled back, was abandoned or failed, a
 *   request was refused; `reason` says where and why;
 * - `denied`: someone allowed to approve denied it entry into an environment (`reason` says who and why);
 * - `expired`: the approvals it needed did not all arrive in time;
 * - `cancelled`: cancelled through Temporal or the API.
 */
export const PROMOTION_OUTCOMES = ['promoted', 'superseded', 'stopped', 'denied', 'expired', 'cancelled'] as const;
export type PromotionOutcome = (typeof PROMOTION_OUTCOMES)[number];

export interface PromotionInput {
  repoId: string;
  version: string;
  trigger: Trigger;
  requestedBy: string;
  /** The release that handed the version over, when one did. */
  release: { workflowId: string; runId: string } | null;
  /**
   * Who started the release (a person's name or a bot's: `watch`, `webhook`, `schedule`): never
   * one of its approvers when `notAuthor` is set. Absent in runs started before it was recorded.
   */
  startedBy?: string;
  /** The author names and emails of the release's commits (for `notAuthor`). */
  authors?: string[];
  /** When the oldest commit of the release was made, for the lead time (ISO 8601). */
  firstCommitAt?: string | null;
}

export interface PromotionState {
  kind: 'promotion';
  repoId: string;
  version: string;
  stage: string;
  startedAt: string;
  /** One per environment, in promotion order. */
  steps: PromotionStep[];
  /** The environments where the version is live and healthy, in the order it reached them. */
  reached: string[];
  outcome: PromotionOutcome | null;
  reason: string | null;
}

export interface PromotionResult {
  repoId: string;
  version: string;
  outcome: PromotionOutcome;
  reached: string[];
  reason: string;
}

/** Asks a promotion that awaits it (an environment with `autoPromote: false`) to go on into `environment`. */
export interface PromoteRequest {
  environment: string;
  by: string;
}
export const promoteUpdate = defineUpdate<PromotionState, [PromoteRequest]>('promote');

/**
 * An approval or denial of the version into an environment: an update, so that its validator can
 * refuse at once, with the reason, someone who may not approve (not in `from`, already approved,
 * an author of the release, or who started it) before anything is written to the history.
 */
export interface ApprovalRequest {
  environment: string;
  by: Identity;
  reason: string | null;
}
export const approveUpdate = defineUpdate<PromotionState, [ApprovalRequest]>('approve');
export const denyUpdate = defineUpdate<PromotionState, [ApprovalRequest]>('deny');

/** What an admin overrides: an approval gate, or an open freeze window. */
export const GATES = ['approval', 'freeze'] as const;
export type Gate = (typeof GATES)[number];

export interface OverrideRequest {
  environment: string;
  gate: Gate;
  by: string;
  reason: string;
}
/** An admin's override through the API: the update's validator refuses a gate that does not wait. */
export const overrideUpdate = defineUpdate<PromotionState, [OverrideRequest & { role: Role }]>('override');
/**
 * The same from the Temporal UI, for an admin (whoever may signal in the namespace): recorded as
 * an override sent by signal, under the name it gives. A signal that names no waiting gate is
 * recorded in the step's reason and otherwise ignored.
 */
export const adminOverrideSignal = defineSignal<[OverrideRequest]>('adminOverride');
export const promotionStateQuery = defineQuery<PromotionState>('promotionState');
