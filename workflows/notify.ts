import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  ParentClosePolicy,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import {
  endedNotification,
  eventMatches,
  type Notification,
  type NotificationFields,
  type NotifyEvent,
  type NotifyRoute,
} from '../domain/notification.js';
import { notificationSignal, notifierCloseSignal, notifierStateQuery } from '../vocabulary/messages.js';
import { notifierIdFor, type NotifierState } from '../vocabulary/notifications.js';
import { nowIso, viewPublisher } from './run-state.js';

/** Runs that notify: runs recorded before notifications existed send none, and replay alike. */
export const NOTIFY_PATCH = 'notifications';

export interface NotifierInput {
  repoId: string;
  run: { workflowId: string; runId: string };
  routes: NotifyRoute[];
  /** The run's first event, which started this notifier. */
  first: Notification;
  /** What to send when the run closes without sending its last event (a release: release.failed). */
  end?: RunEndEvent;
}

/** The event that says a run ended when the run could not: it was terminated, or timed out. */
export interface RunEndEvent {
  event: NotifyEvent;
  /** What the run is, for people: `release`, `deployment`. */
  kind: string;
}

/** New runs start their notifier so that it hears when they close (parent close policy REQUEST_CANCEL). */
export const NOTIFIER_HEARS_CLOSE_PATCH = 'notifier-hears-close';

const closeEvent = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '1s', maximumInterval: '30s' },
}).howRunEnded;

/**
 * One target's delivery: on the shared queue, so any worker sends it (the URL and secret are read
 * there, from its configuration). Retried with backoff, 1 s doubling to 5 min, for as long as the
 * target's giveUpAfter allows; each attempt is bounded by the target's timeout and a margin.
 */
function delivery(route: NotifyRoute) {
  return proxyActivities<Activities>({
    startToCloseTimeout: route.timeoutMs + 5_000,
    scheduleToCloseTimeout: route.giveUpAfterMs,
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '5m' },
  }).deliverNotification;
}

/**
 * The notifier of one run (`notify:<workflowId>:<runId>`), started by the run's first event and
 * abandoned by it: the run goes on at once, whatever its receivers do. Each target gets the run's
 * events in seq order, one at a time: an event waits for the one before it to be delivered, or
 * given up on, so a receiver that is down delays that target's events and no other's. The notifier
 * ends when the run said its last event and every target is through.
 */
export async function notifierWorkflow(input: NotifierInput): Promise<NotifierState> {
  const events = new Map<number, Notification>([[input.first.seq, input.first]]);
  let last: number | null = null;
  const state: NotifierState = {
    repoId: input.repoId,
    run: input.run,
    received: 1,
    closed: false,
    targets: input.routes.map((route) => ({ name: route.name, deliveries: [] })),
  };
  setHandler(notificationSignal, (notification) => {
    if (!events.has(notification.seq)) state.received += 1;
    events.set(notification.seq, notification);
  });
  setHandler(notifierCloseSignal, ({ last: final }) => {
    last = final;
    state.closed = true;
  });
  setHandler(notifierStateQuery, () => state);
  // In memo too, so the API reads it with a describe, without a worker (GET /releases/:id/notifications).
  const publish = viewPublisher(() => state);
  publish();

  const deliverTo = async (route: NotifyRoute, index: number): Promise<void> => {
    const record = state.targets[index]!;
    const deliver = delivery(route);
    let gone = false;
    for (let seq = 1; ; seq++) {
      // Signals from one run arrive in the order it sent them; the wait covers any that do not.
      await condition(() => events.has(seq) || (last !== null && seq > last));
      const notification = events.get(seq);
      if (!notification) return;
      if (!eventMatches(route.events, notification.event)) continue;
      if (gone) {
        record.deliveries.push({ seq, event: notification.event, status: 'skipped', attempts: 0, at: nowIso() });
        publish();
        continue;
      }
      try {
        const done = await deliver({ repoId: input.repoId, target: route.name, notification });
        gone = done.status === 'gone';
        record.deliveries.push({
          seq,
          event: notification.event,
          status: done.status,
          attempts: done.attempt,
          at: nowIso(),
        });
        publish();
      } catch (error) {
        if (isCancellation(error)) throw error;
        const cause = error instanceof ActivityFailure ? error.cause : error;
        const message = (cause as Error)?.message ?? String(cause);
        log.warn('a notification was given up on', { target: route.name, event: notification.event, error: message });
        record.deliveries.push({
          seq,
          event: notification.event,
          status: 'failed',
          attempts: cause instanceof ApplicationFailure && cause.nonRetryable ? 1 : 0,
          at: nowIso(),
          error: message.slice(0, 500),
        });
        publish();
      }
    }
  };

  // The deliveries go on whatever cancels this workflow: a run started since the patch asks that
  // when it closes (its parent close policy), after its last event as a rule. A person's cancel,
  // while the run goes on, cancels the deliveries alone (the scope inside).
  let deliveries: CancellationScope | undefined;
  const delivering = CancellationScope.nonCancellable(() => {
    deliveries = new CancellationScope();
    return deliveries.run(() => Promise.all(input.routes.map(deliverTo)));
  });
  void CancellationScope.current().cancelRequested.catch(async () => {
    if (last !== null) return;
    const ended = await CancellationScope.nonCancellable(() => closeEvent(input.run));
    if (last !== null) return;
    if (ended.status === 'running') {
      log.info('the notifier was cancelled while its run goes on: its deliveries stop');
      deliveries?.cancel();
      return;
    }
    // The run closed without its last event: terminated, timed out, or a failure it did not catch.
    const sent = [...events.values()].sort((a, b) => a.seq - b.seq);
    state.runEnded = ended;
    if (input.end) {
      const notification = endedNotification({ ...input.end, ended, sent, at: nowIso() });
      events.set(notification.seq, notification);
      state.received += 1;
    }
    last = Math.max(...events.keys());
    state.closed = true;
    log.info('the run closed without its last event', { ended: ended.status, reason: ended.reason });
    publish();
  });
  await delivering;
  publish();
  return state;
}

/**
 * What a run uses to notify: `emit` never waits for a receiver (it queues the event for the run's
 * notifier and returns), and `close` waits only until the notifier holds every event. A run whose
 * pinned settings name no target, or one recorded before notifications, emits nothing.
 */
export class Notifier {
  private seq = 0;
  private enabled: boolean | undefined;
  private started = false;
  private chain: Promise<void> = Promise.resolve();
  private readonly info = workflowInfo();

  constructor(
    private readonly repoId: string,
    private routes: NotifyRoute[] | undefined = undefined,
    /** What the notifier says for this run when it closes without its last event. */
    private readonly end: RunEndEvent | undefined = undefined,
  ) {}

  /** The targets, once the run is pinned and knows its settings; the first pin's stay. */
  route(routes: NotifyRoute[] | undefined): void {
    this.routes ??= routes;
  }

  private get notifierId(): string {
    return notifierIdFor(this.info.workflowId, this.info.runId);
  }

  emit(event: NotifyEvent, fields: NotificationFields): void {
    const routes = this.routes;
    if (!routes?.length || !routes.some((r) => eventMatches(r.events, event))) return;
    this.enabled ??= patched(NOTIFY_PATCH);
    if (!this.enabled) return;
    const seq = ++this.seq;
    const notification: Notification = {
      id: `${this.info.workflowId}/${this.info.runId}/${seq}`,
      event,
      seq,
      at: nowIso(),
      repo: this.repoId,
      workflowId: this.info.workflowId,
      runId: this.info.runId,
      version: fields.version ?? null,
      tag: fields.tag ?? null,
      environment: fields.environment ?? null,
      outcome: fields.outcome ?? null,
      reason: fields.reason ? fields.reason.slice(0, 2000) : null,
      summary: fields.summary.slice(0, 500),
      details: fields.details ?? {},
    };
    this.then(() => this.send(notification, routes));
  }

  /** Waits until the notifier holds every event emitted, then tells it there are no more. */
  async close(): Promise<void> {
    if (this.seq === 0) return;
    const last = this.seq;
    this.then(() => getExternalWorkflowHandle(this.notifierId).signal(notifierCloseSignal, { last }));
    await this.chain;
  }

  /** In order, and outside any cancellation: a cancelled run still tells its receivers how it ended. */
  private then(step: () => Promise<unknown>): void {
    this.chain = this.chain
      .then(() => CancellationScope.nonCancellable(step))
      .then(
        () => undefined,
        (error: unknown) => {
          log.warn('a notification could not be handed to the notifier', { error: (error as Error)?.message });
        },
      );
  }

  private async send(notification: Notification, routes: NotifyRoute[]): Promise<void> {
    if (!this.started) {
      this.started = true;
      try {
        await startChild(notifierWorkflow, {
          workflowId: this.notifierId,
          taskQueue: this.info.taskQueue,
          args: [
            {
              repoId: this.repoId,
              run: { workflowId: this.info.workflowId, runId: this.info.runId },
              routes,
              first: notification,
              ...(this.end ? { end: this.end } : {}),
            },
          ],
          // Told when this run closes, however it closes: a run terminated or timed out cannot say so
          // itself. Older runs left their notifier to itself.
          parentClosePolicy: patched(NOTIFIER_HEARS_CLOSE_PATCH)
            ? ParentClosePolicy.REQUEST_CANCEL
            : ParentClosePolicy.ABANDON,
          staticSummary: `Notifications of ${this.info.workflowId}`,
        });
        return;
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      }
    }
    await getExternalWorkflowHandle(this.notifierId).signal(notificationSignal, notification);
  }
}
