/**
 * Live progress for `GET /events`: one follower per run reads the run's history with Temporal's
 * own long poll (`waitNewEvent`), so the server pushes each event the moment it is written and
 * no stage is too short to be seen. The follower turns the views a run keeps in its memo into
 * typed events and hands them to every subscriber of that run (fan-out), keeping the most recent
 * ones for late joiners and resumes.
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { viewChanges, type RunEventType, type ViewChange, type ViewLike } from '../domain/run-events.js';
import { ViewMemoKey } from '../vocabulary/messages.js';
import { RepoKey, StageKey } from '../vocabulary/search-attributes.js';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
type Payload = temporal.api.common.v1.IPayload;

/** The runs `?repo=` follows: what a person watches; the short reads and trigger ticks are left out. */
export const FOLLOWED_TYPES = ['qaWorkflow', 'releaseWorkflow', 'deployWorkflow'] as const;
/**
 * Events a follower keeps per run. A release with QA and a deployment makes about 60, so a
 * run's whole story fits and a late subscriber still sees it from its start; beyond this the
 * oldest go, and a resume from before them reads the history again.
 */
export const RUN_BUFFER_EVENTS = 500;
/** How long a follower with no subscriber is kept: a closed run for a resume, an open one for a reconnect. */
const LINGER_MS = 30_000;
/** After a failed long poll (the server restarting, say): wait, then ask again from the same page. */
const RETRY_MS = 1_000;
/**
 * Visibility has no push: while someone listens to a repository, the API asks it for the open
 * runs of that repository about once a second (one list call per repository, whatever the number
 * of subscribers). Each run found is then followed by the server-pushed long poll above.
 */
export const REPO_REFRESH_MS = 1_000;

export interface StreamEvent {
  /** `<runId>:<history event ID>`, with `.1`, `.2` … for the further events one history event makes. */
  id: string;
  type: RunEventType;
  /** The order in which this API process produced it, across all runs: replays merge on it. */
  seq: number;
  data: Record<string, unknown>;
}

interface Listener {
  event(event: StreamEvent): void;
  child(workflowId: string, runId: string): void;
}

let nextSeq = 1;

/** A position in one run's history: the history event ID, and which of its events. */
export interface EventPosition {
  runId: string;
  eventId: number;
  part: number;
}

/** `Last-Event-ID` as the stream writes it, or null for anything else. */
export function parseEventId(id: string | undefined): EventPosition | null {
  const match = /^([A-Za-z0-9-]{1,100}):(\d{1,15})(?:\.(\d{1,4}))?$/.exec(id ?? '');
  if (!match) return null;
  return { runId: match[1] ?? '', eventId: Number(match[2]), part: Number(match[3] ?? 0) };
}

function positionOf(id: string): EventPosition {
  return parseEventId(id) ?? { runId: '', eventId: 0, part: 0 };
}

function after(a: EventPosition, b: EventPosition): boolean {
  return a.eventId > b.eventId || (a.eventId === b.eventId && a.part > b.part);
}

/** Follows one run's history from its first event to its close and fans the events out. */
export class RunFollower {
  readonly buffer: StreamEvent[] = [];
  /** True once the oldest events have left the buffer. */
  truncated = false;
  closed = false;
  readonly children: { workflowId: string; runId: string }[] = [];
  private readonly listeners = new Set<Listener>();
  private readonly reader: HistoryReader;
  /** The long poll in flight; a signal per call, since the client leaves a listener on each signal it is given. */
  private call: AbortController | null = null;
  private linger: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly client: Client,
    private readonly namespace: string,
    readonly workflowId: string,
    readonly runId: string,
    /** Called once the follower ends; the hub forgets it. */
    private readonly onStop: (follower: RunFollower) => void,
    private readonly bufferLimit = RUN_BUFFER_EVENTS,
    private readonly lingerMs = LINGER_MS,
  ) {
    this.reader = new HistoryReader(workflowId, runId, (payload) =>
      client.options.loadedDataConverter.payloadConverter.fromPayload(payload),
    );
    void this.read();
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  /** Hands the listener everything buffered after `afterSeq` is the caller's job; this only joins. */
  listen(listener: Listener): () => void {
    this.listeners.add(listener);
    if (this.linger) clearTimeout(this.linger);
    this.linger = null;
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.scheduleStop();
    };
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.linger) clearTimeout(this.linger);
    this.call?.abort();
    this.onStop(this);
  }

  private scheduleStop(): void {
    if (this.linger || this.stopped) return;
    this.linger = setTimeout(() => {
      if (this.listeners.size === 0) this.stop();
    }, this.lingerMs);
    this.linger.unref();
  }

  private async read(): Promise<void> {
    let nextPageToken: Uint8Array | undefined;
    while (!this.stopped) {
      let response: temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryResponse;
      try {
        const call = new AbortController();
        this.call = call;
        response = await this.client.withAbortSignal(call.signal, () =>
          this.client.workflowService.getWorkflowExecutionHistory({
            namespace: this.namespace,
            execution: { workflowId: this.workflowId, runId: this.runId },
            nextPageToken,
            waitNewEvent: true,
          }),
        );
      } catch (error) {
        if (this.stopped) return;
        // A run that no longer exists (retention) has nothing more to tell.
        if ((error as { code?: number }).code === 5) break;
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        continue;
      }
      for (const event of response.history?.events ?? []) this.take(event);
      if (!response.nextPageToken || response.nextPageToken.length === 0) break;
      nextPageToken = response.nextPageToken;
    }
    this.closed = true;
    if (this.listeners.size === 0) this.scheduleStop();
  }

  private take(event: HistoryEvent): void {
    const child = event.childWorkflowExecutionStartedEventAttributes?.workflowExecution;
    if (child?.workflowId && child.runId) {
      const found = { workflowId: child.workflowId, runId: child.runId };
      this.children.push(found);
      for (const listener of [...this.listeners]) listener.child(found.workflowId, found.runId);
    }
    for (const made of this.reader.take(event)) {
      const streamed: StreamEvent = { ...made, seq: nextSeq++ };
      this.buffer.push(streamed);
      if (this.buffer.length > this.bufferLimit) {
        this.buffer.shift();
        this.truncated = true;
      }
      for (const listener of [...this.listeners]) listener.event(streamed);
    }
  }
}

/**
 * Turns one run's history, event by event, into the events `GET /events` streams. It keeps only
 * the run's last view (to diff the next one against), so a follower holds one view per run.
 */
export class HistoryReader {
  private view: ViewLike | null = null;
  private stage: string | null = null;
  private kind: string | null;

  constructor(
    private readonly workflowId: string,
    private readonly runId: string,
    private readonly decodePayload: (payload: Payload) => unknown,
  ) {
    this.kind = workflowId.slice(0, workflowId.indexOf(':')) || null;
  }

  take(event: HistoryEvent): Omit<StreamEvent, 'seq'>[] {
    const eventId = Number(event.eventId ?? 0);
    const at = timeOf(event);
    const made: { type: RunEventType; data: Record<string, unknown> }[] = [];
    const fromView = (view: ViewLike & { kind?: string }) => {
      if (typeof view.kind === 'string') this.kind = view.kind;
      for (const change of viewChanges(this.view, view)) made.push(eventOf(change));
      this.view = view;
      if (view.stage !== undefined) this.stage = view.stage;
    };
    const started = event.workflowExecutionStartedEventAttributes;
    if (started) {
      made.push({ type: 'run', data: { state: 'started', workflowType: started.workflowType?.name ?? null } });
      const view = this.decode(started.memo?.fields?.[ViewMemoKey]);
      if (isRecord(view)) fromView(view);
    }
    const modified = event.workflowPropertiesModifiedEventAttributes;
    if (modified) {
      const view = this.decode(modified.upsertedMemo?.fields?.[ViewMemoKey]);
      if (isRecord(view)) fromView(view);
    }
    const upserted = event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields;
    // Runs recorded before views were kept in memo still say their stage through this attribute.
    const stage = this.view === null ? keyword(this.decode(upserted?.[StageKey.name])) : null;
    if (stage !== null && stage !== this.stage) {
      made.push({ type: 'stage', data: { stage, previous: this.stage } });
      this.stage = stage;
    }
    const closed = this.closeOf(event);
    if (closed) made.push({ type: 'run', data: { state: 'closed', ...closed } });
    return made.map((item, part) => ({
      id: `${this.runId}:${eventId}${part > 0 ? `.${part}` : ''}`,
      type: item.type,
      data: { workflowId: this.workflowId, runId: this.runId, kind: this.kind, at, ...item.data },
    }));
  }

  private closeOf(event: HistoryEvent): Record<string, unknown> | null {
    const completed = event.workflowExecutionCompletedEventAttributes;
    if (completed) {
      const result = this.decode(completed.result?.payloads?.[0]);
      const outcome = isRecord(result) && typeof result.outcome === 'string' ? result.outcome : null;
      return { status: 'COMPLETED', outcome, reason: isRecord(result) ? (result.reason ?? null) : null };
    }
    const failed = event.workflowExecutionFailedEventAttributes;
    if (failed) return { status: 'FAILED', outcome: null, reason: innermost(failed.failure) };
    if (event.workflowExecutionCanceledEventAttributes) return { status: 'CANCELLED', outcome: null, reason: null };
    const terminated = event.workflowExecutionTerminatedEventAttributes;
    if (terminated) return { status: 'TERMINATED', outcome: null, reason: terminated.reason ?? null };
    if (event.workflowExecutionTimedOutEventAttributes) return { status: 'TIMED_OUT', outcome: null, reason: null };
    const continued = event.workflowExecutionContinuedAsNewEventAttributes;
    if (continued) return { status: 'CONTINUED_AS_NEW', outcome: null, reason: continued.newExecutionRunId ?? null };
    return null;
  }

  private decode(payload: Payload | null | undefined): unknown {
    if (!payload) return undefined;
    try {
      return this.decodePayload(payload);
    } catch {
      return undefined;
    }
  }
}

function eventOf(change: ViewChange): { type: RunEventType; data: Record<string, unknown> } {
  const { type, ...data } = change;
  return { type, data };
}

function timeOf(event: HistoryEvent): string | null {
  const time = event.eventTime;
  if (!time) return null;
  return new Date(Number(time.seconds ?? 0) * 1000 + Math.floor((time.nanos ?? 0) / 1e6)).toISOString();
}

function innermost(failure: temporal.api.failure.v1.IFailure | null | undefined): string | null {
  let message: string | null = null;
  for (let cause = failure; cause; cause = cause.cause) if (cause.message) message = cause.message;
  return message;
}

function keyword(value: unknown): string | null {
  if (typeof value === 'string') return value;
  return Array.isArray(value) && typeof value[0] === 'string' ? value[0] : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Finds the open runs of one repository through visibility while anyone listens to it. */
class RepoWatcher {
  readonly known = new Map<string, string>();
  private readonly listeners = new Set<(workflowId: string, runId: string) => void>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly client: Client,
    readonly repoId: string,
    private readonly onStop: (watcher: RepoWatcher) => void,
  ) {
    void this.refresh();
  }

  listen(listener: (workflowId: string, runId: string) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.onStop(this);
  }

  private async refresh(): Promise<void> {
    const types = FOLLOWED_TYPES.map((type) => `'${type}'`).join(', ');
    // Repository IDs are validated ([a-z0-9._-]), so they cannot break out of the quotes.
    const query = `${RepoKey.name} = '${this.repoId}' AND ExecutionStatus = 'Running' AND WorkflowType IN (${types})`;
    try {
      const open = new Map<string, string>();
      for await (const run of this.client.workflow.list({ query })) open.set(run.workflowId, run.runId);
      if (this.stopped) return;
      const fresh = [...open].filter(([workflowId, runId]) => this.known.get(workflowId) !== runId);
      // A run that closed is no longer listed; its subscribers keep following it to its close event.
      this.known.clear();
      for (const [workflowId, runId] of open) this.known.set(workflowId, runId);
      for (const [workflowId, runId] of fresh) for (const listener of [...this.listeners]) listener(workflowId, runId);
    } catch {
      // Visibility unavailable for a moment: the next refresh asks again.
    }
    if (!this.stopped) {
      this.timer = setTimeout(() => void this.refresh(), REPO_REFRESH_MS);
      this.timer.unref();
    }
  }
}

/** What one subscriber follows, and where it resumes. */
export type Topic = { repo: string } | { run: { workflowId: string; runId: string } };

export interface SubscriberSink {
  /** Writes one event; false when the subscriber cannot keep up and must be dropped. */
  send(event: StreamEvent): boolean;
  /** Ends the stream (the subscriber is too slow, or the API is closing). */
  end(): void;
}

/** All followers and repository watchers of one API process. */
export class RunEventHub {
  private readonly followers = new Map<string, RunFollower>();
  private readonly watchers = new Map<string, RepoWatcher>();
  private readonly sinks = new Set<SubscriberSink>();

  constructor(
    private readonly client: Client,
    private readonly namespace: string,
  ) {}

  /** How many followers, repository watchers and subscribers there are now (for tests and benchmarks). */
  stats(): { followers: number; watchers: number; subscribers: number } {
    return { followers: this.followers.size, watchers: this.watchers.size, subscribers: this.sinks.size };
  }

  follower(workflowId: string, runId: string): RunFollower {
    const key = `${workflowId}/${runId}`;
    let follower = this.followers.get(key);
    if (!follower) {
      follower = new RunFollower(this.client, this.namespace, workflowId, runId, (stopped) => {
        if (this.followers.get(key) === stopped) this.followers.delete(key);
      });
      this.followers.set(key, follower);
    }
    return follower;
  }

  /**
   * Streams a topic to `sink` until `unsubscribe` is called. With `resume`, events up to that one
   * are left out: exactly when this process still buffers it, else by its place in its own run.
   */
  subscribe(topic: Topic, sink: SubscriberSink, resume: EventPosition | null): () => void {
    const detach: (() => void)[] = [];
    const attached = new Set<string>();
    this.sinks.add(sink);
    // Declared first: a subscriber too slow for the replay itself is dropped before this returns.
    const unsubscribe = () => {
      this.sinks.delete(sink);
      for (const leave of detach.splice(0)) leave();
    };
    let cutoff = 0;
    let dropped = false;
    /**
     * When this process no longer holds the resumed event (it restarted, or the run's buffer moved
     * on), the run it names is skipped by position, and the stream's other runs by time: their
     * events wait until the named one is read again, and those from after it go out.
     */
    let resumeAt: string | null = null;
    let pending: StreamEvent[] | null = null;
    let lastSkippedAt: string | null = null;
    const send = (event: StreamEvent) => {
      if (dropped) return;
      if (!sink.send(event)) {
        dropped = true;
        unsubscribe();
        sink.end();
      }
    };
    const deliver = (event: StreamEvent) => {
      if (dropped || event.seq <= cutoff) return;
      const position = positionOf(event.id);
      if (resume && position.runId === resume.runId) {
        const at = typeof event.data.at === 'string' ? event.data.at : '';
        const past = after(position, resume);
        if (pending && (past || !after(resume, position))) {
          resumeAt = past ? (lastSkippedAt ?? at) : at;
          const waiting = pending;
          pending = null;
          waiting.filter((other) => String(other.data.at) > (resumeAt ?? '')).forEach(send);
        }
        if (past) send(event);
        else lastSkippedAt = at;
        return;
      }
      if (pending) {
        pending.push(event);
        // A resume ID of no run in this stream: give up waiting rather than hold events without bound.
        if (pending.length > RUN_BUFFER_EVENTS) {
          const waiting = pending;
          pending = null;
          waiting.forEach(send);
        }
      } else if (resumeAt === null || String(event.data.at) > resumeAt) send(event);
    };
    const attach = (workflowId: string, runId: string, replay: StreamEvent[]) => {
      const key = `${workflowId}/${runId}`;
      if (attached.has(key) || dropped) return;
      attached.add(key);
      const shared = this.follower(workflowId, runId);
      // A resume from before what the shared follower still holds reads the history again, for this subscriber alone.
      const first = shared.buffer[0];
      const evicted = resume?.runId === runId && shared.truncated && (!first || after(positionOf(first.id), resume));
      const follower = evicted ? this.privateFollower(workflowId, runId) : shared;
      if (evicted) detach.push(() => follower.stop());
      replay.push(...follower.buffer);
      detach.push(
        follower.listen({
          event: deliver,
          child: (childId, childRunId) => attachNow(childId, childRunId),
        }),
      );
      for (const child of follower.children) attach(child.workflowId, child.runId, replay);
    };
    const attachNow = (workflowId: string, runId: string) => {
      const replay: StreamEvent[] = [];
      attach(workflowId, runId, replay);
      replay.sort((a, b) => a.seq - b.seq).forEach(deliver);
    };

    // The replay and the joining happen in one turn of the event loop, so no event falls between.
    const replay: StreamEvent[] = [];
    if ('run' in topic) attach(topic.run.workflowId, topic.run.runId, replay);
    else {
      const watcher = this.watcher(topic.repo);
      for (const [workflowId, runId] of watcher.known) attach(workflowId, runId, replay);
      if (!dropped) detach.push(watcher.listen((workflowId, runId) => attachNow(workflowId, runId)));
    }
    const resumedAt = resume
      ? replay.find((event) => event.id === `${resume.runId}:${resume.eventId}${resume.part ? `.${resume.part}` : ''}`)
      : undefined;
    if (resumedAt) cutoff = resumedAt.seq;
    else if (resume) pending = [];
    replay.sort((a, b) => a.seq - b.seq).forEach(deliver);

    return unsubscribe;
  }

  /** Ends every stream and follower; the API calls it before it closes. */
  close(): void {
    for (const sink of [...this.sinks]) sink.end();
    this.sinks.clear();
    for (const watcher of [...this.watchers.values()]) watcher.stop();
    for (const follower of [...this.followers.values()]) follower.stop();
  }

  private privateFollower(workflowId: string, runId: string): RunFollower {
    return new RunFollower(this.client, this.namespace, workflowId, runId, () => undefined, 0, 0);
  }

  private watcher(repoId: string): RepoWatcher {
    let watcher = this.watchers.get(repoId);
    if (!watcher) {
      watcher = new RepoWatcher(this.client, repoId, (stopped) => {
        if (this.watchers.get(repoId) === stopped) this.watchers.delete(repoId);
      });
      this.watchers.set(repoId, watcher);
    }
    return watcher;
  }
}
