import { Cron } from 'croner';

/*
 * Freeze windows: the times when nothing is promoted into an environment. Pure, so the loader can
 * check a window when the file is read and an activity can tell a promotion when one ends.
 */

/**
 * One of an environment's `freeze` windows, as the configuration resolves it. A recurring window
 * opens at each time of `cron` in `timezone` and stays open `durationMs` (elapsed time, so a
 * window that spans a daylight saving change ends an hour earlier or later by the clock on the
 * wall); a one-off window is open from `from` up to `to` (ISO 8601, UTC).
 */
export type FreezeWindow =
  | { kind: 'recurring'; cron: string; durationMs: number; timezone: string; reason: string | null }
  | { kind: 'once'; from: string; to: string; reason: string | null };

/** Why a cron expression in a time zone cannot open a freeze window, or null when it can. */
export function cronProblem(cron: string, timezone: string): string | null {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    return `the time zone "${timezone}" is not an IANA time zone`;
  }
  if (cron.trim().split(/\s+/).length !== 5) return 'write five fields: minute hour day-of-month month day-of-week';
  try {
    new Cron(cron, { timezone, paused: true });
    return null;
  } catch (error) {
    return (error as Error).message.replace(/^CronPattern: /, '');
  }
}

/** A freeze window open at some time: from when, until when, and why. */
export interface OpenFreeze {
  from: string;
  until: string;
  reason: string | null;
  /** The index of the window in the environment's `freeze`. */
  window: number;
}

/** A window that opens after some time: for `shipgate envs` and the environments' API. */
export interface ComingFreeze {
  from: string;
  until: string;
  reason: string | null;
  /** The index of the window in the environment's `freeze`. */
  window: number;
}

const SECOND = 1_000;
/**
 * How far a frozen stretch is followed: windows that never leave a gap are shown ending about a
 * month on (a promotion then asks again), which bounds the cron look-ups of one question.
 */
export const STRETCH_LIMIT_MS = 31 * 86_400_000;

/** One opening of a window: [from, to) in epoch milliseconds. */
interface Opening {
  from: number;
  to: number;
  window: number;
  reason: string | null;
}

/** Each recurring window's schedule, made once per question (a stretch asks each many times). */
function schedules(windows: readonly FreezeWindow[]): (Cron | null)[] {
  return windows.map((w) => (w.kind === 'recurring' ? new Cron(w.cron, { timezone: w.timezone, paused: true }) : null));
}

/**
 * The opening of each window that is open at `t`. A recurring window is open when its latest
 * cron time at or before `t` is less than its duration ago; croner counts previous runs strictly
 * before a time stripped of its milliseconds, and cron times fall on whole seconds, so looking
 * back from one second on finds a run at `t` itself.
 */
function openingsAt(windows: readonly FreezeWindow[], crons: (Cron | null)[], t: number): Opening[] {
  const open: Opening[] = [];
  windows.forEach((window, index) => {
    if (window.kind === 'once') {
      const from = Date.parse(window.from);
      const to = Date.parse(window.to);
      if (from <= t && t < to) open.push({ from, to, window: index, reason: window.reason });
      return;
    }
    const [last] = crons[index]!.previousRuns(1, new Date(t + SECOND));
    if (!last) return;
    const from = last.getTime();
    if (from <= t && t < from + window.durationMs)
      open.push({ from, to: from + window.durationMs, window: index, reason: window.reason });
  });
  return open;
}

/**
 * The freeze open at `at`, or null. `from` is when the earliest of the windows open then opened
 * (for a recurring window, its latest opening); `until` is the end of the whole frozen stretch:
 * while a window is open at the end of the one before (overlapping, or opening just as it ends),
 * the stretch goes on to its end. `reason` gathers the reasons of every window in the stretch.
 */
export function openFreeze(windows: readonly FreezeWindow[], at: Date): OpenFreeze | null {
  const t = at.getTime();
  const crons = schedules(windows);
  const open = openingsAt(windows, crons, t);
  if (!open.length) return null;
  const first = open.reduce((a, b) => (b.from < a.from ? b : a));
  const reasons = open.map((o) => o.reason);
  let until = Math.max(...open.map((o) => o.to));
  while (until - t <= STRETCH_LIMIT_MS) {
    const next = openingsAt(windows, crons, until);
    if (!next.length) break;
    reasons.push(...next.map((o) => o.reason));
    until = Math.max(...next.map((o) => o.to));
  }
  const named = [...new Set(reasons.filter((r): r is string => r !== null))];
  return {
    from: new Date(first.from).toISOString(),
    until: new Date(until).toISOString(),
    reason: named.length ? named.join('; ') : null,
    window: first.window,
  };
}

/**
 * The next `limit` openings of the windows after `at`, soonest first (a window open at `at`
 * opened before it and is not among them): a one-off window once, a recurring one at each of its
 * cron times.
 */
export function comingFreezes(windows: readonly FreezeWindow[], at: Date, limit: number): ComingFreeze[] {
  if (limit <= 0) return [];
  const t = at.getTime();
  const coming: Opening[] = [];
  const crons = schedules(windows);
  windows.forEach((window, index) => {
    if (window.kind === 'once') {
      const from = Date.parse(window.from);
      if (from > t) coming.push({ from, to: Date.parse(window.to), window: index, reason: window.reason });
      return;
    }
    for (const run of crons[index]!.nextRuns(limit, at)) {
      const from = run.getTime();
      if (from > t) coming.push({ from, to: from + window.durationMs, window: index, reason: window.reason });
    }
  });
  return coming
    .sort((a, b) => a.from - b.from || a.window - b.window)
    .slice(0, limit)
    .map((o) => ({
      from: new Date(o.from).toISOString(),
      until: new Date(o.to).toISOString(),
      reason: o.reason,
      window: o.window,
    }));
}
