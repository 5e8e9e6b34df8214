/**
 * Time in one place: the length of a day, calendar dates (YYYY-MM-DD) and wall-clock time in the
 * customer's IANA time zone. Projects live in their customer's zone: "today", due dates and
 * schedules are read there, never in the zone of the machine that runs the code.
 *
 * Calendar arithmetic works on "wall-clock ms": a local date and time written as if it were UTC
 * (`Date.UTC(y, m, d, h, min)`), so whole days are exactly {@link DAY_MS} apart whatever the
 * daylight-saving changes in between.
 */

/** Milliseconds in a day (24 h). */
export const DAY_MS = 86_400_000;
/** Seconds in a day (24 h): DynamoDB TTLs and Step Functions timeouts count seconds. */
export const DAY_SECONDS = 86_400;
/** Milliseconds in a week. */
export const WEEK_MS = 7 * DAY_MS;

/** Milliseconds in `n` days. */
export function days(n: number): number {
  return n * DAY_MS;
}

// Zones found valid; asking Intl again costs about 0.1 ms (a stored spec is checked on every read).
const knownTimeZones = new Set<string>();

/** Whether `timeZone` is a time zone this runtime knows (IANA name such as `Europe/London`, or `UTC`). */
export function isKnownTimeZone(timeZone: string): boolean {
  if (knownTimeZones.has(timeZone)) return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    return false;
  }
  knownTimeZones.add(timeZone);
  return true;
}

// Building a DateTimeFormat costs far more than using one: keep one per zone.
const wallClockFormats = new Map<string, Intl.DateTimeFormat>();

function wallClockFormat(timeZone: string): Intl.DateTimeFormat {
  let format = wallClockFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    wallClockFormats.set(timeZone, format);
  }
  return format;
}

/**
 * The wall-clock time at `now` in `timeZone`, as if it were UTC (so it compares with `Date.UTC`
 * of dates). An unknown zone reads as UTC.
 */
export function localWallClockMs(now: Date, timeZone: string): number {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = wallClockFormat(timeZone).formatToParts(now);
  } catch {
    return now.getTime();
  }
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
}

/** Today's date (YYYY-MM-DD) at `now` in a time zone. */
export function localDate(now: Date, timeZone: string): string {
  return new Date(localWallClockMs(now, timeZone)).toISOString().slice(0, 10);
}

/** The local date and time `YYYY-MM-DD HH:MM` at `now` in a time zone. */
export function localDateTime(now: Date, timeZone: string): string {
  return new Date(localWallClockMs(now, timeZone)).toISOString().slice(0, 16).replace('T', ' ');
}

/** Start of a calendar date (YYYY-MM-DD, or an ISO time whose date part is used) in wall-clock ms. */
export function dayStart(date: string): number {
  return Date.parse(`${date.slice(0, 10)}T00:00:00Z`);
}

/** The calendar date `n` days after `date` (YYYY-MM-DD; n may be negative). */
export function addDays(date: string, n: number): string {
  return new Date(dayStart(date) + n * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (both YYYY-MM-DD). */
export function daysBetween(from: string, to: string): number {
  return Math.round((dayStart(to) - dayStart(from)) / DAY_MS);
}

/** Monday of the ISO week of a date (YYYY-MM-DD), in wall-clock ms. */
export function isoWeekMonday(date: string): number {
  const start = dayStart(date);
  const weekday = (new Date(start).getUTCDay() + 6) % 7; // Monday = 0
  return start - weekday * DAY_MS;
}

/**
 * A point in time as people read it in a time zone, with the zone named:
 * `4 Dec 2026, 14:05 (Europe/London)`. Emails, approval pages and documents use this one format;
 * an unknown zone falls back to UTC (specs are validated, so only a hand-edited record has one).
 */
export function formatLocalTime(iso: string, timeZone: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const zone = isKnownTimeZone(timeZone) ? timeZone : 'UTC';
  const text = new Intl.DateTimeFormat('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone: zone,
  }).format(date);
  return `${text} (${zone})`;
}
