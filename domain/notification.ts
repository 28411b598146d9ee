/**
 * Notifications: the events a run tells its `notify:` targets about, what one says, and how a
 * receiver's answer is read. Pure rules, shared by the workflows that emit events, the activity
 * that delivers them and the configuration that names them.
 */

import type { temporal } from '@temporalio/proto';
import { NOTIFY_EVENTS, type Notification, type NotifyEvent, type RunEnd } from '../vocabulary/notifications.js';

export { NOTIFY_EVENTS };
export type { Notification, NotificationFields, NotifyEvent, NotifyRoute } from '../vocabulary/notifications.js';

function globPattern(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\-]/g, '\\$&').replace(/\*/g, '[a-z.-]*');
  return new RegExp(`^${escaped}$`);
}

/** True when one of the globs (`*`, `deploy.*`, `*.failed`, or a name) names the event. */
export function eventMatches(globs: readonly string[], event: string): boolean {
  return globs.some((glob) => globPattern(glob).test(event));
}

/**
 * How a delivery went, by the receiver's status: 2xx delivered; 410 Gone says the receiver wants
 * no more of this run's events; 408, 425, 429 and 5xx are worth another attempt; a redirect or any
 * other 4xx is the receiver refusing this body, which another attempt would not change.
 */
export function deliveryVerdict(status: number): 'delivered' | 'gone' | 'retry' | 'refused' {
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 410) return 'gone';
  // A redirect is not followed (the body is signed for one URL): the target's URL is to be fixed.
  if (status < 400) return 'refused';
  if (status >= 400 && status < 500 && ![408, 425, 429].includes(status)) return 'refused';
  return 'retry';
}

const SLACK_MARK: Partial<Record<NotifyEvent, string>> = {
  'release.blocked': ':no_entry:',
  'release.released': ':package:',
  'release.failed': ':x:',
  'deploy.deployed': ':rocket:',
  'deploy.failed': ':x:',
  'deploy.rolled-back': ':rewind:',
  'decision.awaiting': ':raising_hand:',
  'approval.awaiting': ':raising_hand:',
};

/** The body of a `slack` target: the summary as an incoming webhook's `text`, the reason below it. */
export function slackBody(notification: Notification): { text: string } {
  const mark = SLACK_MARK[notification.event] ?? ':information_source:';
  const lines = [`${mark} *${notification.repo}* ${notification.summary}`];
  if (notification.reason && notification.reason !== notification.summary) lines.push(`> ${notification.reason}`);
  lines.push(`\`${notification.event}\` · ${notification.workflowId}`);
  return { text: lines.join('\n') };
}

/** What the signature covers: the timestamp header and the body, so a replayed old body fails a freshness check. */
export function signedText(timestamp: string, body: string): string {
  return `${timestamp}.${body}`;
}

/** How a run ended, by its close event (none: it is still running). */
export function runEndOf(event: temporal.api.history.v1.IHistoryEvent | null | undefined): RunEnd {
  const end = (status: RunEnd['status'], reason?: string | null, by?: string | null): RunEnd => ({
    status,
    reason: reason || null,
    by: by || null,
  });
  if (!event) return end('running');
  if (event.workflowExecutionTerminatedEventAttributes) {
    const { reason, identity } = event.workflowExecutionTerminatedEventAttributes;
    return end('terminated', reason, identity);
  }
  if (event.workflowExecutionTimedOutEventAttributes) return end('timed out');
  if (event.workflowExecutionFailedEventAttributes)
    return end('failed', event.workflowExecutionFailedEventAttributes.failure?.message);
  if (event.workflowExecutionCanceledEventAttributes) return end('cancelled');
  if (event.workflowExecutionContinuedAsNewEventAttributes) return end('continued as new');
  return end('completed');
}

const ENDED_HOW: Record<RunEnd['status'], string> = {
  running: 'is still running',
  completed: 'ended',
  failed: 'failed',
  cancelled: 'was cancelled',
  terminated: 'was terminated',
  'timed out': 'timed out',
  'continued as new': 'continued as a new run',
};

/** How a run ended, in words, with who and why when its close event says: `was terminated by ops: stuck`. */
export function endedHow(ended: RunEnd): string {
  return `${ENDED_HOW[ended.status]}${ended.by ? ` by ${ended.by}` : ''}${ended.reason ? `: ${ended.reason}` : ''}`;
}

/**
 * The last event of a run that closed without sending one (terminated, timed out…), as its
 * notifier sends it: the next seq, the version, tag and environment its earlier events named, the
 * outcome and reason from its close event.
 */
export function endedNotification(input: {
  event: NotifyEvent;
  /** What the run is, for people: `release`, `deployment`. */
  kind: string;
  ended: RunEnd;
  /** The events the run sent, in seq order (at least its first). */
  sent: readonly Notification[];
  at: string;
}): Notification {
  const { ended, sent } = input;
  const first = sent[0]!;
  const known = <K extends 'version' | 'tag' | 'environment'>(key: K) =>
    sent.findLast((n) => n[key] !== null)?.[key] ?? null;
  const seq = sent[sent.length - 1]!.seq + 1;
  const version = known('version');
  const environment = known('environment');
  const subject = `${input.kind}${version ? ` of ${version}` : ''}${environment ? ` to ${environment}` : ''}`;
  return {
    id: `${first.workflowId}/${first.runId}/${seq}`,
    event: input.event,
    seq,
    at: input.at,
    repo: first.repo,
    workflowId: first.workflowId,
    runId: first.runId,
    version,
    tag: known('tag'),
    environment,
    outcome: ended.status.replace(/ /g, '-'),
    reason: ended.reason?.slice(0, 2000) ?? null,
    summary: `${subject} ${endedHow(ended)}`.slice(0, 500),
    details: { closed: ended.status, by: ended.by },
  };
}
