/**
 * What is due on a gate whose approval requests are out: a reminder `remindAfterDays` after the
 * request or the last reminder (at most `maxReminders` per round), and the escalation
 * `timeoutDays` after the request, each on its own deadline. The gate task times out at least
 * every few hours (statemachines/lifecycle.ts) and the remind step sends only what is due.
 */
import type { Gate } from './model.js';
import { DEFAULT_MAX_REMINDERS } from './spec/lifecycle.js';
import type { ResolvedGate } from './spec/schema.js';
import { days } from './time.js';

/** How early a deadline may be met (timers of an accelerated clock round to whole seconds). */
export const DEADLINE_TOLERANCE_MS = 60_000;

/** What is due on a gate whose requests are out, at `now`. */
export function gateDue(
  settings: Pick<ResolvedGate, 'remindAfterDays' | 'timeoutDays' | 'maxReminders'>,
  gate: Gate,
  now: Date,
): { remind: boolean; escalate: boolean; next: number } {
  const t = now.getTime() + DEADLINE_TOLERANCE_MS;
  const requested = Date.parse(gate.requestedAt ?? gate.openedAt);
  const lastNudge = Math.max(requested, gate.remindedAt ? Date.parse(gate.remindedAt) : 0);
  const maxReminders = settings.maxReminders ?? DEFAULT_MAX_REMINDERS;
  const nextRemind =
    gate.reminders < maxReminders ? lastNudge + days(settings.remindAfterDays) : Number.POSITIVE_INFINITY;
  const escalation = gate.escalatedAt ? Number.POSITIVE_INFINITY : requested + days(settings.timeoutDays);
  return { remind: t >= nextRemind, escalate: t >= escalation, next: Math.min(nextRemind, escalation) };
}
