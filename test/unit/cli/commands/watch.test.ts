import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../../cli/command.js';
import { parse, renderWatch, type WatchView } from '../../../../cli/commands/watch.js';
import { parseInput } from './parse-input.js';

describe('watch', () => {
  it('shows without an action, pauses with the rest of the line as its note, resumes', () => {
    expect(parse(parseInput(['webshop']))).toEqual({ name: 'watch', repo: 'webshop', action: 'show', note: null });
    expect(parse(parseInput(['webshop', 'pause', 'release', 'freeze']))).toEqual({
      name: 'watch',
      repo: 'webshop',
      action: 'pause',
      note: 'release freeze',
    });
    expect(parse(parseInput(['webshop', 'resume']))).toEqual({
      name: 'watch',
      repo: 'webshop',
      action: 'resume',
      note: null,
    });
  });

  it('refuses a pause without a note, words after resume, and other actions', () => {
    expect(() => parse(parseInput(['webshop', 'pause']))).toThrow(
      '"shipgate watch <repo> pause" needs a note saying why, e.g. "release freeze"',
    );
    expect(() => parse(parseInput(['webshop', 'resume', 'now']))).toThrow(
      '"shipgate watch" takes pause <note> or resume after the repository, got "resume now"',
    );
    expect(() => parse(parseInput(['webshop', 'stop']))).toThrow(UsageError);
  });

  it('shows the last tick as it stands: what it saw, still running, or how it ended and why', () => {
    const watch = (lastTick: WatchView['lastTick'], paused = false): WatchView => ({
      repoId: 'webshop',
      scheduleId: 'watch:webshop',
      paused,
      note: paused ? 'release freeze' : null,
      intervalMs: 300_000,
      lastTick,
      nextRuns: paused ? [] : ['2026-12-03T08:00:00.000Z'],
    });
    const tick = { at: '2026-12-03T07:55:00.000Z', workflowId: 'watch-tick:webshop-1', sha: null, startedQa: null };
    expect(renderWatch(watch({ ...tick, status: 'completed', sha: 'abcdef0123', startedQa: true }))).toEqual([
      'Watch of webshop (schedule watch:webshop, every 300s): active',
      '  last tick   2026-12-03T07:55:00.000Z: saw abcdef0, started QA',
      '  next runs   2026-12-03T08:00:00.000Z',
    ]);
    expect(renderWatch(watch({ ...tick, status: 'running' }, true))).toEqual([
      'Watch of webshop (schedule watch:webshop, every 300s): PAUSED — release freeze',
      '  last tick   2026-12-03T07:55:00.000Z: still running (watch-tick:webshop-1)',
      '  next runs   none while paused',
    ]);
    expect(renderWatch(watch({ ...tick, status: 'terminated', reason: 'stopped by an operator' }))[1]).toBe(
      '  last tick   2026-12-03T07:55:00.000Z: terminated: stopped by an operator (watch-tick:webshop-1)',
    );
    // An API older than the tick's status said nothing of how a tick without a commit stands.
    expect(renderWatch(watch(tick))[1]).toBe(
      '  last tick   2026-12-03T07:55:00.000Z: still running (watch-tick:webshop-1)',
    );
    expect(renderWatch(watch(null))[1]).toBe('  last tick   none yet');
  });
});
