import { createHash } from 'node:crypto';
import type { HistoryEntry } from '../schemas/onboarding';

// The history is the audit trail, append-only and tamper-evident. The store seals each entry as it writes it
// (the domain stays pure and never sees a hash): each entry carries `hash`, the SHA-256 (hex)
// of its content and the previous entry's hash, so that an entry changed, removed or inserted afterwards
// breaks the chain from there on. The content is hashed in a canonical form (keys sorted, no whitespace), so
// that the order in which a store gives back an object's keys does not matter.

/** The "previous hash" of the first entry. */
export const GENESIS = '0'.repeat(64);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** JSON with object keys sorted at every depth (undefined values left out, as JSON.stringify does). */
export function canonicalJson(value: unknown): string {
  const sort = (v: unknown): Json => {
    if (Array.isArray(v)) return v.map((item) => (item === undefined ? null : sort(item)));
    if (v !== null && typeof v === 'object') {
      const out: Record<string, Json> = {};
      for (const key of Object.keys(v).sort()) {
        const child = (v as Record<string, unknown>)[key];
        if (child !== undefined) out[key] = sort(child);
      }
      return out;
    }
    return v as Json;
  };
  return JSON.stringify(sort(value));
}

/** The hash of one entry given the previous entry's hash. */
export function entryHash(entry: Omit<HistoryEntry, 'hash'> & { hash?: string }, previous: string): string {
  const { hash: _hash, ...content } = entry;
  return createHash('sha256').update(previous).update('\n').update(canonicalJson(content)).digest('hex');
}

/**
 * Seals what was appended to a history since it was last stored: the entries after the last sealed one each
 * get their hash, chained from it. Sealed entries are left as they are (an entry altered in the store stays
 * broken). A history written before the chain existed (no entry sealed) is sealed whole on its next write:
 * the chain vouches for it from then on.
 */
export function sealHistory(history: readonly HistoryEntry[]): HistoryEntry[] {
  let lastSealed = -1;
  for (let i = history.length - 1; i >= 0; i--) {
    if (history[i]?.hash !== undefined) {
      lastSealed = i;
      break;
    }
  }
  let previous = lastSealed >= 0 ? (history[lastSealed]?.hash ?? GENESIS) : GENESIS;
  return history.map((entry, i) => {
    if (i <= lastSealed) return entry;
    const hash = entryHash(entry, previous);
    previous = hash;
    return { ...entry, hash };
  });
}

/** The whole history sealed anew from the first entry (after a documented change such as pseudonymisation). */
export function resealHistory(history: readonly HistoryEntry[]): HistoryEntry[] {
  return sealHistory(history.map(({ hash: _hash, ...entry }) => entry));
}

/** Whether the chain holds, and the index of the first entry that does not match (null when it holds). */
export function verifyChain(history: readonly HistoryEntry[]): { intact: boolean; brokenAt: number | null } {
  let previous = GENESIS;
  for (const [index, entry] of history.entries()) {
    if (entry.hash === undefined || entry.hash !== entryHash(entry, previous))
      return { intact: false, brokenAt: index };
    previous = entry.hash;
  }
  return { intact: true, brokenAt: null };
}
