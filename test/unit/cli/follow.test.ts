import { describe, expect, it } from 'vitest';
import type { RunView } from '../../../cli/api-types.js';
import { changeLine, follow, PlainDisplay, runFacts, TerminalDisplay, type Output } from '../../../cli/follow.js';
import { CliError } from '../../../cli/http.js';
import { awaitingDecision, deployState, qaPassed, qaRunning, releaseAt, releaseEnded } from './runs.js';

class Captured implements Output {
  chunks: string[] = [];
  constructor(
    readonly isTTY = false,
    readonly columns = 100,
    readonly rows = 40,
  ) {}
  write(chunk: string): boolean {
    this.chunks.push(chunk);
    return true;
  }
  get text(): string {
    return this.chunks.join('');
  }
}

/** A clock that reads 12:00:01, 12:00:02, … one second per call. */
function ticking(): () => Date {
  let second = 0;
  return () => new Date(2025, 9, 13, 12, 0, ++second);
}

/** Answers the states in order, then the last one for ever. */
function answering(...states: (RunView | Error)[]): () => Promise<RunView> {
  let i = 0;
  return async () => {
    const next = states[Math.min(i++, states.length - 1)]!;
    if (next instanceof Error) throw next;
    return next;
  };
}

describe('plain follow lines', () => {
  it('names only what changed since the last poll', () => {
    const first = runFacts(releaseAt('qa'));
    expect(changeLine('release:sample', null, first, new Date(2025, 9, 13, 12, 0, 1))).toBe(
      '12:00:01 release:sample  status=RUNNING stage=qa qa=running',
    );
    const second = runFacts(releaseAt('version'));
    expect(changeLine('release:sample', first, second, new Date(2025, 9, 13, 12, 0, 2))).toBe(
      '12:00:02 release:sample  stage=version qa=test-pass',
    );
    expect(changeLine('release:sample', second, runFacts(releaseAt('version')), new Date())).toBeNull();
  });

  it("quotes values with spaces and shows the deployment's stage, health and awaited decision", () => {
    const line = changeLine(
      'release:sample',
      null,
      runFacts(releaseAt('deploy', awaitingDecision())),
      new Date(2025, 9, 13, 12, 1, 0),
    );
    expect(line).toBe(
      '12:01:00 release:sample  status=RUNNING stage=deploy version=1.1.0 qa=test-pass deploy="awaiting decision" health="failing 500 1.1.0" decision=retry|rollback|abandon',
    );
  });

  it('shows test and coverage results of a QA run', () => {
    expect([...runFacts(qaPassed())]).toEqual([
      ['status', 'COMPLETED'],
      ['stage', 'done'],
      ['tests', '3/3 passed'],
      ['coverage', '100% passed'],
      ['outcome', 'test-pass'],
    ]);
  });
});

describe('follow', () => {
  it('prints one line per change and the verdict, and ends with the exit code of the outcome', async () => {
    const out = new Captured();
    const { verdict } = await follow({
      fetchRun: answering(
        releaseAt('qa'),
        releaseAt('qa'),
        releaseAt('push'),
        releaseAt('deploy', deployState()),
        releaseEnded('deployed', 'v1.1.0 is live'),
      ),
      intervalMs: 1,
      display: new PlainDisplay(out, ticking()),
    });
    expect(verdict.exitCode).toBe(0);
    expect(out.text.split('\n')).toEqual([
      '12:00:01 release:sample  status=RUNNING stage=qa qa=running',
      '12:00:03 release:sample  stage=push version=1.1.0 qa=test-pass',
      '12:00:04 release:sample  stage=deploy deploy="verify 1.1.0" health="ok 200 1.1.0"',
      '12:00:05 release:sample  status=COMPLETED stage=done deploy=done outcome=deployed',
      '✓ release:sample deployed 1.1.0: v1.1.0 is live',
      '',
    ]);
  });

  it('stops when the deployment awaits a decision, with exit code 3', async () => {
    const out = new Captured();
    const { verdict } = await follow({
      fetchRun: answering(releaseAt('deploy', awaitingDecision())),
      intervalMs: 1,
      display: new PlainDisplay(out, ticking()),
    });
    expect(verdict.exitCode).toBe(3);
    expect(out.text).toContain('    shipgate rollback release:sample\n');
  });

  it('rides out a moment of an unavailable API once the run has been seen', async () => {
    const unavailable = new CliError('the Temporal server cannot be reached (SHIPGATE_TEMPORAL_UNAVAILABLE)', {
      status: 503,
      transient: true,
    });
    const { verdict } = await follow({
      fetchRun: answering(qaRunning(), unavailable, unavailable, qaPassed()),
      intervalMs: 1,
      display: new PlainDisplay(new Captured()),
    });
    expect(verdict.exitCode).toBe(0);
  });

  it('fails at once when the first poll fails, or on an error that will not pass', async () => {
    const refused = new CliError('cannot reach the shipgate API at http://127.0.0.1:1', { transient: true });
    await expect(
      follow({ fetchRun: answering(refused), intervalMs: 1, display: new PlainDisplay(new Captured()) }),
    ).rejects.toBe(refused);
    const gone = new CliError('no QA run with ID "qa:x:y" (SHIPGATE_RUN_NOT_FOUND)', { status: 404 });
    await expect(
      follow({ fetchRun: answering(qaRunning(), gone), intervalMs: 1, display: new PlainDisplay(new Captured()) }),
    ).rejects.toBe(gone);
  });
});

describe('follow with live events', () => {
  const event = (id: string, type: string, data: object) => ({
    id,
    event: type,
    data: JSON.stringify({ workflowId: 'release:sample', runId: 'r1', at: '2025-10-13T10:00:00.000Z', ...data }),
  });

  it('prints a line for each stage and step as it streams in, then the verdict', async () => {
    const out = new Captured();
    const opened: (string | null)[] = [];
    const { verdict } = await follow({
      fetchRun: answering(
        releaseAt('qa'),
        releaseAt('qa'),
        releaseAt('qa'),
        releaseEnded('deployed', 'v1.1.0 is live'),
      ),
      intervalMs: 1,
      display: new PlainDisplay(out, ticking()),
      openEvents: async (lastEventId) => {
        opened.push(lastEventId);
        return {
          events: (async function* () {
            yield event('r1:7', 'stage', { stage: 'version' });
            yield event('r1:8', 'step', { step: 'version', state: 'finished', summary: 'minor: 1.0.0 → 1.1.0' });
            yield event('r1:9', 'run', { state: 'closed', status: 'COMPLETED' });
          })(),
          close: () => undefined,
        };
      },
    });
    expect(verdict.exitCode).toBe(0);
    expect(opened).toEqual([null]);
    const lines = out.text.split('\n');
    expect(out.text).toMatch(/^\d\d:\d\d:\d\d release:sample {2}stage=version$/m);
    expect(out.text).toMatch(/release:sample {2}step=version done: minor: 1\.0\.0 → 1\.1\.0\n/);
    expect(lines.at(-2)).toBe('✓ release:sample deployed 1.1.0: v1.1.0 is live');
  });

  it('polls when the API has no event stream', async () => {
    const { verdict } = await follow({
      fetchRun: answering(releaseAt('qa'), releaseEnded('deployed', 'v1.1.0 is live')),
      intervalMs: 1,
      display: new PlainDisplay(new Captured()),
      openEvents: async () => null,
    });
    expect(verdict.exitCode).toBe(0);
  });
});

describe('TerminalDisplay', () => {
  it('redraws the run in place, with a spinner on the step in progress', () => {
    const out = new Captured(true, 60);
    const display = new TerminalDisplay(out);
    display.show(qaRunning());
    const firstDraw = out.chunks[0]!.split('\n').length - 1;
    expect(out.chunks[0]).toContain('    ⠋ test');
    display.tick();
    expect(out.chunks[1]!.startsWith(`\x1b[${firstDraw}F\x1b[0J`)).toBe(true);
    expect(out.chunks[1]).toContain('    ⠙ test');
  });

  it('cuts lines to the width of the terminal so that redrawing stays in place', () => {
    const out = new Captured(true, 30);
    new TerminalDisplay(out).show(qaRunning());
    for (const line of out.text.split('\n')) expect(line.length).toBeLessThan(30);
    expect(out.text).toContain('qa:sample:abc1234def5678abc1…');
  });

  it('ends with the final state and the verdict below it', async () => {
    const out = new Captured(true);
    await follow({ fetchRun: answering(qaRunning(), qaPassed()), intervalMs: 1, display: new TerminalDisplay(out) });
    expect(out.text).toMatch(
      /✓ report\s+test-pass-20251013-100005\.md\n[\s\S]*✓ qa:sample:\w+ test-pass: all 3 tests passed/,
    );
  });
});
