import { describe, expect, it } from 'vitest';
import type { FreezeWindow } from '../../../config/types.js';
import { comingFreezes, openFreeze, STRETCH_LIMIT_MS } from '../../../domain/freeze.js';

const at = (iso: string) => new Date(iso);

function once(from: string, to: string, reason: string | null = null): FreezeWindow {
  return { kind: 'once', from, to, reason };
}

function recurring(cron: string, hours: number, timezone = 'UTC', reason: string | null = null): FreezeWindow {
  return { kind: 'recurring', cron, durationMs: hours * 3_600_000, timezone, reason };
}

describe('openFreeze: a one-off window', () => {
  const holidays = [once('2026-12-24T00:00:00.000Z', '2026-12-27T00:00:00.000Z', 'holidays')];

  it('is open from its start, up to but not at its end', () => {
    expect(openFreeze(holidays, at('2026-12-24T00:00:00.000Z'))).toEqual({
      from: '2026-12-24T00:00:00.000Z',
      until: '2026-12-27T00:00:00.000Z',
      reason: 'holidays',
      window: 0,
    });
    expect(openFreeze(holidays, at('2026-12-26T23:59:59.999Z'))?.until).toBe('2026-12-27T00:00:00.000Z');
    expect(openFreeze(holidays, at('2026-12-27T00:00:00.000Z'))).toBeNull();
    expect(openFreeze(holidays, at('2026-12-23T23:59:59.999Z'))).toBeNull();
  });

  it('is never open without windows', () => {
    expect(openFreeze([], at('2026-12-25T00:00:00.000Z'))).toBeNull();
  });
});

describe('openFreeze: a recurring window', () => {
  // Every night from 22:00 UTC for 10 hours: the window opened on one day closes on the next.
  const nights = [recurring('0 22 * * *', 10, 'UTC', 'nightly batch')];

  it('stays open across midnight, from the last opening before the time', () => {
    expect(openFreeze(nights, at('2026-05-06T03:00:00.000Z'))).toEqual({
      from: '2026-05-05T22:00:00.000Z',
      until: '2026-05-06T08:00:00.000Z',
      reason: 'nightly batch',
      window: 0,
    });
    expect(openFreeze(nights, at('2026-05-05T22:00:00.000Z'))?.from).toBe('2026-05-05T22:00:00.000Z');
  });

  it('is closed from the end of the duration until the next opening', () => {
    expect(openFreeze(nights, at('2026-05-06T08:00:00.000Z'))).toBeNull();
    expect(openFreeze(nights, at('2026-05-06T21:59:59.999Z'))).toBeNull();
  });

  it('opens at the local time of its time zone on either side of a daylight saving change', () => {
    // Fridays 18:00 in Berlin for 64 hours. Berlin moves from CET (+01:00) to CEST (+02:00) on
    // Sunday 2026-03-29, so 18:00 is 17:00Z on the 20th and 27th of March and 16:00Z from 3 April.
    const weekends = [recurring('0 18 * * 5', 64, 'Europe/Berlin', 'weekend')];
    expect(openFreeze(weekends, at('2026-03-20T16:30:00.000Z'))).toBeNull();
    expect(openFreeze(weekends, at('2026-03-20T17:00:00.000Z'))?.from).toBe('2026-03-20T17:00:00.000Z');
    expect(openFreeze(weekends, at('2026-04-03T16:30:00.000Z'))).toMatchObject({
      from: '2026-04-03T16:00:00.000Z',
      until: '2026-04-06T08:00:00.000Z',
    });
    // The duration is elapsed time: the weekend that spans the change lasts 64 hours, so it ends at
    // 09:00Z, which is 11:00 in Berlin on the Monday, not 10:00.
    expect(openFreeze(weekends, at('2026-03-30T08:59:59.000Z'))).toMatchObject({
      from: '2026-03-27T17:00:00.000Z',
      until: '2026-03-30T09:00:00.000Z',
    });
    expect(openFreeze(weekends, at('2026-03-30T09:00:00.000Z'))).toBeNull();
  });
});

describe('openFreeze: windows that overlap or follow one another', () => {
  it('runs until the end of the whole frozen stretch, with every reason in it', () => {
    const windows = [
      once('2026-06-01T10:00:00.000Z', '2026-06-01T12:00:00.000Z', 'migration'),
      once('2026-06-01T11:00:00.000Z', '2026-06-01T14:00:00.000Z', 'audit'),
      // Opens as the audit ends: still frozen, so the stretch goes on to 15:00.
      once('2026-06-01T14:00:00.000Z', '2026-06-01T15:00:00.000Z', 'audit'),
    ];
    expect(openFreeze(windows, at('2026-06-01T10:30:00.000Z'))).toEqual({
      from: '2026-06-01T10:00:00.000Z',
      until: '2026-06-01T15:00:00.000Z',
      reason: 'migration; audit',
      window: 0,
    });
    // At 11:30 both are open: it is frozen since the earlier opened.
    expect(openFreeze(windows, at('2026-06-01T11:30:00.000Z'))?.from).toBe('2026-06-01T10:00:00.000Z');
    expect(openFreeze(windows, at('2026-06-01T14:30:00.000Z'))).toMatchObject({
      from: '2026-06-01T14:00:00.000Z',
      until: '2026-06-01T15:00:00.000Z',
      window: 2,
    });
  });

  it('follows a one-off window into a recurring one that opens as it ends', () => {
    const windows = [
      recurring('0 10 * * *', 1, 'UTC', 'daily sync'),
      once('2026-06-01T09:00:00.000Z', '2026-06-01T10:00:00.000Z', null),
    ];
    expect(openFreeze(windows, at('2026-06-01T09:30:00.000Z'))).toEqual({
      from: '2026-06-01T09:00:00.000Z',
      until: '2026-06-01T11:00:00.000Z',
      reason: 'daily sync',
      window: 1,
    });
  });

  it('gives up after a month when the windows never leave a gap', () => {
    const always = [recurring('0 * * * *', 2)];
    const open = openFreeze(always, at('2026-01-01T00:30:00.000Z'));
    expect(open?.from).toBe('2026-01-01T00:00:00.000Z');
    const followed = Date.parse(open!.until) - Date.parse('2026-01-01T00:30:00.000Z');
    expect(followed).toBeGreaterThan(STRETCH_LIMIT_MS);
    expect(followed).toBeLessThan(STRETCH_LIMIT_MS + 3 * 3_600_000);
  });
});

describe('comingFreezes', () => {
  const windows = [
    recurring('0 18 * * 5', 64, 'Europe/Berlin', 'weekend'),
    once('2026-03-28T08:00:00.000Z', '2026-03-28T09:00:00.000Z', 'inside the weekend'),
    once('2026-03-01T00:00:00.000Z', '2026-03-02T00:00:00.000Z', 'long over'),
    once('2026-04-01T00:00:00.000Z', '2026-04-02T00:00:00.000Z', 'quarter end'),
  ];

  it('lists the windows that open after the time, soonest first, each with its end and reason', () => {
    expect(comingFreezes(windows, at('2026-03-25T00:00:00.000Z'), 4)).toEqual([
      { from: '2026-03-27T17:00:00.000Z', until: '2026-03-30T09:00:00.000Z', reason: 'weekend', window: 0 },
      { from: '2026-03-28T08:00:00.000Z', until: '2026-03-28T09:00:00.000Z', reason: 'inside the weekend', window: 1 },
      { from: '2026-04-01T00:00:00.000Z', until: '2026-04-02T00:00:00.000Z', reason: 'quarter end', window: 3 },
      { from: '2026-04-03T16:00:00.000Z', until: '2026-04-06T08:00:00.000Z', reason: 'weekend', window: 0 },
    ]);
  });

  it('leaves out the window open at the time and stops at the limit', () => {
    expect(comingFreezes(windows, at('2026-03-27T18:00:00.000Z'), 2).map((w) => w.from)).toEqual([
      '2026-03-28T08:00:00.000Z',
      '2026-04-01T00:00:00.000Z',
    ]);
    expect(comingFreezes(windows, at('2026-03-27T18:00:00.000Z'), 0)).toEqual([]);
    expect(comingFreezes([], at('2026-03-27T18:00:00.000Z'), 3)).toEqual([]);
  });
});
