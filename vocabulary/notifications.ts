/**
 * The events a run tells its `notify:` targets about, and what one says: the shapes the workflows
 * emit, the notifier carries and the activity sends (the rules are in domain/notification.ts).
 */

/** Every event shipgate sends, in the order a release usually meets them. */
export const NOTIFY_EVENTS = [
  'release.started',
  'release.blocked',
  'release.released',
  'release.failed',
  'release.finished',
  'deploy.started',
  'deploy.deployed',
  'deploy.failed',
  'deploy.rolled-back',
  'decision.awaiting',
  'approval.awaiting',
] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

/** What a run knows of one target: its name and the events it takes, never its URL or secret. */
export interface NotifyRoute {
  name: string;
  events: string[];
  timeoutMs: number;
  giveUpAfterMs: number;
}

/** One event of one run, as every target receives it (the JSON body of a `json` target). */
export interface Notification {
  /** `<workflowId>/<runId>/<seq>`: the same on every attempt, so a receiver can drop a repeat. */
  id: string;
  event: NotifyEvent;
  /** 1, 2, 3… per run: a receiver can tell the order, and a gap. */
  seq: number;
  at: string;
  repo: string;
  workflowId: string;
  runId: string;
  version: string | null;
  tag: string | null;
  environment: string | null;
  /** The run's outcome, for the events that end it. */
  outcome: string | null;
  reason: string | null;
  /** One line for people: what a chat message says. */
  summary: string;
  /** What the event adds: the decisions allowed and their deadline, the approvals wanted… */
  details: Record<string, unknown>;
}

/** The event's own fields; the rest (id, seq, run) the emitting run fills in. */
export type NotificationFields = Pick<Notification, 'summary'> &
  Partial<Pick<Notification, 'version' | 'tag' | 'environment' | 'outcome' | 'reason' | 'details'>>;

/**
 * How one event went to one target: delivered (2xx), gone (the receiver answered 410: this and the
 * run's later events are not sent to it), failed (refused for good, or given up on after
 * giveUpAfter), skipped (after a gone).
 */
export const DELIVERY_STATUSES = ['delivered', 'gone', 'failed', 'skipped'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** How a run can have ended, as its close event says (`running`: it has not). */
export const RUN_END_STATUSES = [
  'running',
  'completed',
  'failed',
  'cancelled',
  'terminated',
  'timed out',
  'continued as new',
] as const;

/**
 * How a run ended, from its close event: what its notifier records, and tells the targets, when the
 * run closed without saying so (terminated, timed out, a workflow failure it did not catch).
 */
export interface RunEnd {
  status: (typeof RUN_END_STATUSES)[number];
  /** A termination's reason, a failure's message. */
  reason: string | null;
  /** Who terminated it (the identity of the client that asked), when the close event says. */
  by: string | null;
}

/** How each of a run's events went, per target. */
export interface NotifierState {
  repoId: string;
  run: { workflowId: string; runId: string };
  /** Events received so far, by seq. */
  received: number;
  closed: boolean;
  /** Set when the run closed without sending its last event: how it ended. */
  runEnded?: RunEnd;
  targets: {
    name: string;
    deliveries: {
      seq: number;
      event: string;
      status: DeliveryStatus;
      attempts: number;
      at: string;
      error?: string;
    }[];
  }[];
}

/** The notifier of one run: `notify:<workflowId>:<runId>`, started by its first event. */
export function notifierIdFor(workflowId: string, runId: string): string {
  return `notify:${workflowId}:${runId}`;
}
