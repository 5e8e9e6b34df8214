/**
 * Words every channel shows the same way: the subject line, a gate rule, a calendar date and a
 * point in time in the customer's time zone.
 */
import type { GateRule } from '../spec/lifecycle.js';
import { formatLocalTime } from '../time.js';
import type { NotificationContext } from './notification.js';

/** A subject line: one line, no control characters, prefixed with the MSP name. */
export function subject(ctx: NotificationContext, text: string): string {
  const oneLine = Array.from(`[${ctx.mspName}] ${text}`, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x20 || code === 0x7f ? ' ' : c;
  }).join('');
  return oneLine.replace(/ {2,}/g, ' ').slice(0, 250);
}

/** A gate rule in words, for `count` approvers. */
export function ruleInWords(rule: GateRule, count: number): string {
  if (rule === 'auto') return 'passes automatically when the exit criteria hold';
  if (rule === 'any') return count > 1 ? `one approval of the ${count} approvers is enough` : 'your approval';
  if (rule === 'all') {
    return count > 1 ? `all ${count} approvers must approve` : 'your approval is the only one needed';
  }
  return `${rule.quorum} of the ${count} approvers must approve`;
}

/** A calendar date (YYYY-MM-DD) in words, e.g. `Fri 4 Dec 2026`. */
export function formatDay(day: string | undefined): string | undefined {
  if (!day) return undefined;
  const d = new Date(`${day.slice(0, 10)}T12:00:00Z`);
  if (Number.isNaN(d.getTime())) return day;
  return new Intl.DateTimeFormat('en-GB', {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(d);
}

/** A point in time in the customer's time zone, e.g. `4 Dec 2026, 14:05 (Europe/London)`. */
export function formatTime(iso: string | undefined, timezone: string): string | undefined {
  return iso ? formatLocalTime(iso, timezone) : undefined;
}
