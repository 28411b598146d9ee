export interface UtcCalendarTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond?: number;
}

/**
 * Epoch milliseconds of a UTC calendar time, or null when a part is out of range
 * (month 13, 31 April, 24:00, second 60). Date would silently roll such values over.
 */
export function utcCalendarMs(time: UtcCalendarTime): number | null {
  const millisecond = time.millisecond ?? 0;
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0–99 onto 1900–1999.
  date.setUTCFullYear(time.year, time.month - 1, time.day);
  date.setUTCHours(time.hour, time.minute, time.second, millisecond);
  const matches =
    date.getUTCFullYear() === time.year &&
    date.getUTCMonth() === time.month - 1 &&
    date.getUTCDate() === time.day &&
    date.getUTCHours() === time.hour &&
    date.getUTCMinutes() === time.minute &&
    date.getUTCSeconds() === time.second &&
    date.getUTCMilliseconds() === millisecond;
  return matches ? date.getTime() : null;
}

/**
 * `utcCalendarMs` of the digit groups a pattern captured, in the order year, month, day, hour,
 * minute, second and (optionally) milliseconds; a missing group is out of range.
 */
export function utcCalendarMsOfDigits(groups: readonly (string | undefined)[]): number | null {
  const [year, month, day, hour, minute, second, millisecond] = groups.map((group) => (group === undefined ? NaN : Number(group)));
  return utcCalendarMs({ year: year ?? NaN, month: month ?? NaN, day: day ?? NaN, hour: hour ?? NaN, minute: minute ?? NaN, second: second ?? NaN, millisecond: millisecond ?? 0 });
}

const ISO_UTC_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:Z|\+00:00)$/;

/** Epoch milliseconds of an ISO 8601 timestamp in UTC (`…Z` or `…+00:00`), or null. */
export function parseUtcTimestamp(text: string): number | null {
  const match = ISO_UTC_TIMESTAMP.exec(text);
  if (match === null) return null;
  const [, year, month, day, hour, minute, second, fraction] = match;
  return utcCalendarMsOfDigits([year, month, day, hour, minute, second, (fraction ?? '').padEnd(3, '0').slice(0, 3)]);
}

/** ISO 8601 form of an instant for messages; never throws, even for NaN. */
export function formatInstant(epochMs: number): string {
  const date = new Date(epochMs);
  return Number.isNaN(date.getTime()) ? 'an unknown time' : date.toISOString();
}
