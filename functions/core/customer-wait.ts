/**
 * The waiting-on-client clock: how long a gate has waited on the customer's decision, from each
 * round's approval request to its decision (or withdrawal), summed over the rounds. Rounds that
 * are over are kept on the gate (`customerWaitMs`); the open round counts up to now.
 */
import type { Gate } from './model.js';

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
