/**
 * The waiting-on-client clock: how long a gate has waited on the customer's decision, from each
 * round's approval request to its decision (or withdrawal, or a new round), summed over the rounds.
 * Rounds that are over are kept on the gate (`customerWaitMs`); the open round counts up to now.
 * The project's total is the sum over its gates; the forecast end date moves by it (health.ts).
 */
import type { Gate, Project } from './model.js';
import { DAY_MS } from './time.js';

/** One gate's clock as staff and reports see it. */
export interface GateWait {
  /** True while the gate's approval requests are out and undecided. */
  waiting: boolean;
  /** When the open round's requests went out (only while waiting). */
  since?: string;
  /** Milliseconds waited on the customer over every round, the open one counted up to now. */
  totalMs: number;
}

/** A project's clock: the total over its gates, and since when it waits now (if it does). */
export interface ProjectWait {
  /** When the project's waiting gate asked the customer (only while one waits). */
  waitingSince?: string;
  /** Milliseconds waited on the customer over every gate and round. */
  totalMs: number;
}

/** The gate's `customerWaitMs` once the open round (if any) ends at `at`. */
export function closeWaitRound(gate: Gate, at: string): number {
  const total = gate.customerWaitMs ?? 0;
  if (gate.status !== 'pending_approval' || !gate.requestedAt) return total;
  return total + Math.max(0, Date.parse(at) - Date.parse(gate.requestedAt));
}

/** Milliseconds the gate has waited on the customer, the open round counted up to `now`. */
export function gateWaitMs(gate: Gate, now: Date): number {
  return closeWaitRound(gate, now.toISOString());
}

/** Milliseconds a project has waited on its customer, over every gate. */
export function projectWaitMs(gates: Gate[], now: Date): number {
  return gates.reduce((sum, g) => sum + gateWaitMs(g, now), 0);
}

/** Since when the gate has waited on the customer in its open round (undefined when it does not). */
export function waitingSince(gate: Gate): string | undefined {
  return gate.status === 'pending_approval' ? gate.requestedAt : undefined;
}

/**
 * Until when a project's open rounds count: now while it runs; an archived project's links are
 * neutral, so its customer stopped being asked when it was archived.
 */
export function waitClockEnd(project: Pick<Project, 'status' | 'archivedAt'>, now: Date): Date {
  return project.status === 'archived' && project.archivedAt ? new Date(project.archivedAt) : now;
}

/** The gate's clock at `now` (`active`: whether its project still asks the customer). */
export function gateWait(gate: Gate, now: Date, active = true): GateWait {
  const since = active ? waitingSince(gate) : undefined;
  return { waiting: since !== undefined, ...(since ? { since } : {}), totalMs: gateWaitMs(gate, now) };
}

/** The project's clock at `now`: the earliest open request among its gates, and the total. */
export function projectWait(gates: Gate[], now: Date, active = true): ProjectWait {
  const open = (active ? gates : [])
    .map(waitingSince)
    .filter((s): s is string => s !== undefined)
    .sort();
  return { ...(open[0] ? { waitingSince: open[0] } : {}), totalMs: projectWaitMs(gates, now) };
}

/**
 * Whole days the schedule moves by a wait: half a day or more counts as a day (a customer who
 * answers within hours does not move the end date; one who takes 2.5 days moves it by 3).
 */
export function waitDays(ms: number): number {
  return Math.round(ms / DAY_MS);
}

/** A waiting time in words: `8 days`, `8 days 3 hours`, `5 hours`, `less than an hour`. */
export function formatWaited(ms: number): string {
  const hours = Math.floor(ms / 3_600_000);
  const d = Math.floor(hours / 24);
  const h = hours % 24;
  const part = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (d === 0) return h === 0 ? 'less than an hour' : part(h, 'hour');
  return h === 0 ? part(d, 'day') : `${part(d, 'day')} ${part(h, 'hour')}`;
}

/** A project's or gate's total wait in words, `none so far` when it never waited. */
export function formatWaitTotal(ms: number): string {
  return ms > 0 ? `${formatWaited(ms)} in total` : 'none so far';
}
