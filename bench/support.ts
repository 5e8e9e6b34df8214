/** What the bench sections share: order statistics and an in-memory document store. */
import type { DocumentStore } from '../functions/core/ports.js';

/** The median of the values. */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** The value at quantile q (0..1) of the values, nearest rank (NaN for none). */
export function percentile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? Number.NaN;
}

/** Documents kept in memory. */
export class MemoryDocuments implements DocumentStore {
  private readonly docs = new Map<string, Uint8Array>();
  async put(key: string, body: Uint8Array) {
    this.docs.set(key, body);
    // Unversioned: readers then get the key's latest bytes, all a benchmark needs.
    return {};
  }
  async get(key: string) {
    return this.docs.get(key);
  }
  /** The size of each stored document. */
  sizes(): number[] {
    return [...this.docs.values()].map((d) => d.byteLength);
  }
}
