import { createHmac } from 'node:crypto';
import { Context } from '@temporalio/activity';
import type { NotifyTargetConfig } from '../config/types.js';
import { deliveryVerdict, signedText, slackBody, type Notification } from '../domain/notification.js';
import type { ResolvedDeps } from './deps.js';
import { activityFailure } from './failure.js';

export interface DeliverNotificationInput {
  repoId: string;
  /** The target's name; its URL, format and secret come from this worker's configuration alone. */
  target: string;
  notification: Notification;
}

export interface DeliverNotificationResult {
  /** `gone`: the receiver answered 410, and is sent no more of this run's events. */
  status: 'delivered' | 'gone';
  httpStatus: number;
  attempt: number;
}

/** The signature header's value: `sha256=` and the hex HMAC-SHA256 of `<timestamp>.<body>`. */
export function notificationSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(signedText(timestamp, body)).digest('hex')}`;
}

function targetOrFail(deps: ResolvedDeps, repoId: string, name: string): NotifyTargetConfig {
  const repo = deps.config.repositories.find((r) => r.id === repoId);
  const target = repo?.notify.find((t) => t.name === name);
  if (!target)
    throw activityFailure(
      'SHIPGATE_NOTIFY_REFUSED',
      `repository "${repoId}" has no notify target "${name}" in this worker's configuration`,
    );
  return target;
}

/** Reads a variable the target names; a missing one is a configuration fault, reported, not retried. */
function fromEnv(name: string, what: string, target: string): string {
  const value = process.env[name];
  if (!value)
    throw activityFailure(
      'SHIPGATE_NOTIFY_REFUSED',
      `notify target "${target}": the environment variable ${name} (its ${what}) is not set on this worker`,
    );
  return value;
}

export function createNotifyActivities(deps: ResolvedDeps) {
  return {
    /**
     * One POST of one event to one target. Retried by Temporal with backoff (SHIPGATE_NOTIFY_FAILED)
     * while the receiver is down, answers 408/425/429/5xx or cannot be reached, until the target's
     * giveUpAfter; a 410 answers `gone`; any other 4xx is refused for good. Every attempt carries
     * the same X-Shipgate-Delivery (the event's id), so a receiver can drop a repeat, and a fresh
     * timestamp with the signature over it.
     */
    async deliverNotification(input: DeliverNotificationInput): Promise<DeliverNotificationResult> {
      const target = targetOrFail(deps, input.repoId, input.target);
      const url = target.url ?? fromEnv(target.urlEnv!, 'URL', target.name);
      const secret = target.secretEnv ? fromEnv(target.secretEnv, 'secret', target.name) : null;
      const body = JSON.stringify(target.format === 'slack' ? slackBody(input.notification) : input.notification);
      const timestamp = String(Math.floor(deps.now().getTime() / 1000));
      const attempt = Context.current().info.attempt;
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'user-agent': 'shipgate-notify',
        'x-shipgate-event': input.notification.event,
        'x-shipgate-delivery': input.notification.id,
        'x-shipgate-timestamp': timestamp,
        'x-shipgate-attempt': String(attempt),
      };
      if (secret) headers['x-shipgate-signature'] = notificationSignature(secret, timestamp, body);
      let status: number;
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers,
          body,
          redirect: 'manual',
          signal: AbortSignal.any([AbortSignal.timeout(target.timeoutMs), Context.current().cancellationSignal]),
        });
        status = response.status;
        // Read and dropped: a receiver's body is not shipgate's to keep, only its status.
        await response.body?.cancel().catch(() => undefined);
      } catch (error) {
        const what =
          (error as Error).name === 'TimeoutError'
            ? `did not answer within ${target.timeoutMs} ms`
            : `could not be reached (${(error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message})`;
        throw activityFailure(
          'SHIPGATE_NOTIFY_FAILED',
          `notify target "${target.name}" ${what}; attempt ${attempt} of ${input.notification.event}`,
        );
      }
      const verdict = deliveryVerdict(status);
      if (verdict === 'delivered' || verdict === 'gone') return { status: verdict, httpStatus: status, attempt };
      throw activityFailure(
        verdict === 'refused' ? 'SHIPGATE_NOTIFY_REFUSED' : 'SHIPGATE_NOTIFY_FAILED',
        `notify target "${target.name}" answered ${status} to ${input.notification.event} (attempt ${attempt})`,
      );
    },
  };
}
