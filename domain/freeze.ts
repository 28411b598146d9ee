import { Cron } from 'croner';

/*
 * Freeze windows: the times when nothing is promoted into an environment. Pure, so the loader can
 * check a window when the file is read and an activity can tell a promotion when one ends.
 */

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
