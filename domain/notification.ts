/**
 * Notifications: the events a run tells its `notify:` targets about, what one says, and how a
 * receiver's answer is read. Pure rules, shared by the workflows that emit events, the activity
 * that delivers them and the configuration that names them.
 */

import { NOTIFY_EVENTS, type Notification, type NotifyEvent } from '../vocabulary/notifications.js';

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
