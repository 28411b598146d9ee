/**
 * `--follow`: show a run's progress until it ends or waits for a person. The API pushes each
 * event as it happens (`GET /events`), so a step shorter than any polling interval is still
 * seen; against an older API without that route, the run is polled instead.
 */
import type { HealthSample, RunView } from './api-types.js';
import type { ServerEvent } from './event-stream.js';
import { CliError, type EventStream } from './http.js';
import { awaitedDecision, outcomeOf, verdictOf, type Verdict } from './outcome.js';
import { renderRun } from './render-run.js';
import { clock, shown, truncate } from './render.js';

/** A restarting API or Temporal server answers 503 for a moment; a follower should ride that out. */
const TRANSIENT_FAILURES_TOLERATED = 5;
const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const SPINNER_FRAME_MS = 100;

export interface Output {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
  rows?: number;
}

export interface Display {
  show(run: RunView): void;
  end(run: RunView, verdict: Verdict): void;
  /** Called between polls on a terminal, to keep the spinner turning. */
  tick?(): void;
  /** One event of the run's stream, as it arrives (before the run's state is read again). */
  event?(event: FollowEvent): void;
}

/** An event of `GET /events`: its type and its JSON data. */
export interface FollowEvent {
  type: string;
  workflowId: string;
  at: string | null;
  data: Record<string, unknown>;
}

export interface FollowOptions {
  fetchRun: () => Promise<RunView>;
  intervalMs: number;
  display: Display;
  /** Opens the stream of this run (its ID as first read) after `lastEventId`; null (or absent) means poll. */
  openEvents?: (lastEventId: string | null, runId: string) => Promise<EventStream | null>;
}

export const formatTime = (iso: string): string => clock(new Date(iso));

export async function follow(options: FollowOptions): Promise<{ run: RunView; verdict: Verdict }> {
  if (options.openEvents) {
    const streamed = await followEvents(options, options.openEvents);
    if (streamed) return streamed;
  }
  return poll(options);
}

/**
 * Reads the run once, then again after each event of its stream; null when the API has no
 * stream, so that the caller polls. A stream that breaks is opened again after the last event seen.
 */
async function followEvents(
  { fetchRun, intervalMs, display }: FollowOptions,
  openEvents: (lastEventId: string | null, runId: string) => Promise<EventStream | null>,
): Promise<{ run: RunView; verdict: Verdict } | null> {
  let run = await fetchRun();
  display.show(run);
  let verdict = verdictOf(run, formatTime);
  if (verdict) {
    display.end(run, verdict);
    return { run, verdict };
  }
  const ticker = display.tick ? setInterval(() => display.tick?.(), SPINNER_FRAME_MS) : null;
  let lastEventId: string | null = null;
  let failures = 0;
  try {
    for (;;) {
      let stream: EventStream | null;
      try {
        stream = await openEvents(lastEventId, run.runId);
      } catch (error) {
        const transient = error instanceof CliError && error.details.transient === true;
        if (!transient || ++failures > TRANSIENT_FAILURES_TOLERATED) throw error;
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
        continue;
      }
      // Only the first answer decides between stream and polling: a restarted, older API is not expected.
      if (stream === null) return lastEventId === null ? null : poll({ fetchRun, intervalMs, display });
      try {
        for await (const event of stream.events) {
          failures = 0;
          if (event.id !== null) lastEventId = event.id;
          const followed = followEventOf(event);
          if (followed) display.event?.(followed);
          run = await fetchRun();
          display.show(run);
          verdict = verdictOf(run, formatTime);
          if (verdict) {
            display.end(run, verdict);
            return { run, verdict };
          }
        }
      } catch (error) {
        // The API went away mid-stream (a restart): open it again, resuming after the last event.
        if (!(error instanceof Error) || ++failures > TRANSIENT_FAILURES_TOLERATED) throw error;
      } finally {
        stream.close();
      }
    }
  } finally {
    if (ticker) clearInterval(ticker);
  }
}

function followEventOf(event: ServerEvent): FollowEvent | null {
  let data: unknown;
  try {
    data = JSON.parse(event.data);
  } catch {
    return null;
  }
  if (typeof data !== 'object' || data === null) return null;
  const fields = data as Record<string, unknown>;
  return {
    type: event.event,
    workflowId: typeof fields.workflowId === 'string' ? fields.workflowId : '',
    at: typeof fields.at === 'string' ? fields.at : null,
    data: fields,
  };
}

/** The fallback: the run's state every `intervalMs`. */
async function poll({ fetchRun, intervalMs, display }: FollowOptions): Promise<{ run: RunView; verdict: Verdict }> {
  let seen = false;
  let failures = 0;
  for (;;) {
    let run: RunView;
    try {
      run = await fetchRun();
    } catch (error) {
      // The first poll fails at once: a wrong ID or an API that is not there is no blip.
      const transient = error instanceof CliError && error.details.transient === true;
      if (!seen || !transient || ++failures > TRANSIENT_FAILURES_TOLERATED) throw error;
      await pause(intervalMs, display);
      continue;
    }
    seen = true;
    failures = 0;
    display.show(run);
    const verdict = verdictOf(run, formatTime);
    if (verdict) {
      display.end(run, verdict);
      return { run, verdict };
    }
    await pause(intervalMs, display);
  }
}

/** What a person watching a plain log wants to know about a run, by name; a line is printed when any of it changes. */
export function runFacts(run: RunView): Map<string, string> {
  const facts: [string, string | null | undefined][] = [
    ['status', run.status],
    ['stage', run.stage],
  ];
  if (run.kind === 'qa') {
    const tests = run.tests;
    facts.push([
      'tests',
      tests &&
        (tests.failed > 0 ? `${tests.failed} failed of ${tests.total}` : `${tests.passed}/${tests.total} passed`),
    ]);
    facts.push([
      'coverage',
      run.coverage &&
        (run.coverage.percent === null ? run.coverage.gate : `${run.coverage.percent}% ${run.coverage.gate}`),
    ]);
  } else if (run.kind === 'release') {
    facts.push(['version', run.version], ['qa', run.qa && (run.qa.outcome ?? 'running')]);
    const deploy = run.deploy?.state;
    facts.push(['deploy', deploy?.stage], ['health', shortSample(deploy?.samples?.at(-1))]);
  } else {
    facts.push(
      ['attempts', run.attempts ? String(run.attempts) : null],
      ['deploying', run.deploying],
      ['health', shortSample(run.samples?.at(-1))],
    );
  }
  facts.push(['decision', awaitedDecision(run)?.allowed.join('|')], ['outcome', outcomeOf(run)]);
  return new Map(facts.filter((fact): fact is [string, string] => typeof fact[1] === 'string' && fact[1] !== ''));
}

/** `12:00:01 release:sample  stage=qa`, naming only what changed; null when nothing did. */
export function changeLine(
  workflowId: string,
  previous: Map<string, string> | null,
  current: Map<string, string>,
  at: Date,
): string | null {
  const changed = [...current].filter(([key, value]) => previous?.get(key) !== value);
  if (changed.length === 0) return null;
  const pairs = changed.map(([key, value]) => `${key}=${quoted(value)}`);
  return `${clock(at)} ${workflowId}  ${pairs.join(' ')}`;
}

/** For logs and pipes: one line per change, then the verdict. */
export class PlainDisplay implements Display {
  private facts: Map<string, string> | null = null;

  constructor(
    private readonly out: Output,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Stages and steps straight from the stream, so that one over before the state is read again
   * still gets its line; a stage said here is not said again by the next change line.
   */
  event(event: FollowEvent): void {
    const at = event.at ? new Date(event.at) : this.now();
    const { data } = event;
    let words: string | null = null;
    this.streaming = true;
    if (event.type === 'stage' && typeof data.stage === 'string') {
      const ours = this.facts !== null && this.runId === data.runId;
      // The stream begins with the run's first event: a stage the first read already said is not said twice.
      if (ours && this.facts?.get('stage') === data.stage) return;
      words = `stage=${quoted(data.stage)}`;
      if (ours) this.facts?.set('stage', data.stage);
    } else if (event.type === 'step' && typeof data.step === 'string') {
      const summary = typeof data.summary === 'string' && data.summary !== '' ? `: ${data.summary}` : '';
      words = `step=${quoted(data.step)} ${data.state === 'finished' ? `done${summary}` : 'started'}`;
    }
    if (words !== null) this.out.write(`${shown([`${clock(at)} ${event.workflowId}  ${words}`]).join('')}\n`);
  }

  private runId: string | null = null;
  /** Once events arrive, they alone say the stage: a read between them would say it out of order. */
  private streaming = false;

  show(run: RunView): void {
    this.runId = run.runId;
    const facts = runFacts(run);
    const said = this.facts?.get('stage');
    if (this.streaming && said !== undefined) facts.set('stage', said);
    const line = changeLine(run.workflowId, this.facts, facts, this.now());
    this.facts = facts;
    if (line !== null) this.out.write(`${shown([line]).join('')}\n`);
  }

  end(_run: RunView, verdict: Verdict): void {
    this.out.write(`${shown(verdict.lines).join('\n')}\n`);
  }
}

/** For a terminal: the run's state, redrawn in place with a spinner on the step in progress. */
export class TerminalDisplay implements Display {
  private run: RunView | null = null;
  private drawnLines = 0;
  private frame = 0;

  constructor(private readonly out: Output) {}

  show(run: RunView): void {
    this.run = run;
    this.draw(SPINNER[this.frame % SPINNER.length] ?? '*');
  }

  tick(): void {
    this.frame += 1;
    if (this.run) this.draw(SPINNER[this.frame % SPINNER.length] ?? '*');
  }

  end(_run: RunView, verdict: Verdict): void {
    // Only a run stopped for a decision still has a step in progress, and it is not spinning now.
    this.draw('…');
    this.out.write(`${shown(verdict.lines).join('\n')}\n`);
  }

  private draw(running: string): void {
    if (!this.run) return;
    // A pseudo-terminal without a size reports 0 columns and rows.
    const columns = this.out.columns || 80;
    const rows = this.out.rows || 24;
    let lines = renderRun(this.run, { running, formatTime }).map((line) => truncate(line, columns - 1));
    // Lines scrolled off the top of the screen cannot be redrawn; keep the header and the newest.
    if (lines.length > rows - 1) lines = [lines[0] ?? '', ...lines.slice(lines.length - (rows - 2))];
    const rewind = this.drawnLines > 0 ? `\x1b[${this.drawnLines}F\x1b[0J` : '';
    this.out.write(`${rewind}${lines.join('\n')}\n`);
    this.drawnLines = lines.length;
  }
}

/** For --json: nothing until the final state. */
export class SilentDisplay implements Display {
  show(): void {}
  end(): void {}
}

function quoted(value: string): string {
  return /[\s"=]/.test(value) ? JSON.stringify(value) : value;
}

function shortSample(sample: HealthSample | undefined): string | null {
  if (!sample) return null;
  return [sample.ok ? 'ok' : 'failing', sample.status ?? 'no-answer', sample.version]
    .filter((part) => part !== null)
    .join(' ');
}

async function pause(ms: number, display: Display): Promise<void> {
  const ticker = display.tick ? setInterval(() => display.tick?.(), SPINNER_FRAME_MS) : null;
  try {
    await new Promise((resolve) => setTimeout(resolve, ms));
  } finally {
    if (ticker) clearInterval(ticker);
  }
}
