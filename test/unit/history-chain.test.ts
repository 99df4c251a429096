import { createHash } from 'node:crypto';
import { canonicalJson, GENESIS, sealHistory, verifyChain } from '../../shared/audit/history-chain';
import type { HistoryEntry } from '../../shared/schemas/onboarding';

// The tamper-evident history (contract: `GET /api/onboardings/{id}/history?verify=true`): each entry's hash is
// SHA-256 over the previous entry's hash and its own content.

const entry = (i: number, details: Record<string, unknown> = {}): HistoryEntry => ({
  at: `2026-11-30T09:00:0${i}.000Z`,
  type: `step.${i}`,
  actor: 'system',
  details: { i, ...details },
});

describe('the history chain', () => {
  it('when entries are sealed, then each hash is SHA-256 of the previous hash and the canonical entry', () => {
    const [a, b] = sealHistory([entry(0), entry(1)]);
    const expected = (e: HistoryEntry, previous: string) =>
      createHash('sha256')
        .update(`${previous}\n${canonicalJson({ ...e, hash: undefined })}`)
        .digest('hex');
    expect(a!.hash).toBe(expected(entry(0), GENESIS));
    expect(b!.hash).toBe(expected(entry(1), a!.hash!));
    expect(verifyChain([a!, b!])).toEqual({ intact: true, brokenAt: null });
    expect(verifyChain([])).toEqual({ intact: true, brokenAt: null });
  });

  it('when the store gives keys back in another order, then the chain still holds', () => {
    const [sealed] = sealHistory([entry(0, { z: 1, a: { y: 2, b: [3, { d: 4, c: 5 }] } })]);
    const reordered = JSON.parse(
      JSON.stringify({
        hash: sealed!.hash,
        details: { a: { b: [3, { c: 5, d: 4 }], y: 2 }, z: 1, i: 0 },
        type: sealed!.type,
        actor: 'system',
        at: sealed!.at,
      }),
    ) as HistoryEntry;
    expect(verifyChain([reordered])).toEqual({ intact: true, brokenAt: null });
  });

  it('when an entry is appended, then only it is sealed, chained from the last; sealed entries are never re-sealed', () => {
    const first = sealHistory([entry(0), entry(1)]);
    const tampered = [{ ...first[0]!, actor: 'x' }, first[1]!];
    const next = sealHistory([...tampered, entry(2)]);
    expect(next.slice(0, 2)).toEqual(tampered);
    expect(verifyChain(next)).toEqual({ intact: false, brokenAt: 0 });
    expect(verifyChain(sealHistory([...first, entry(2)]))).toEqual({ intact: true, brokenAt: null });
  });

  it('when a history was written before the chain (no hash), then its next write seals it whole', () => {
    const legacy = [entry(0), entry(1)];
    expect(verifyChain(legacy)).toEqual({ intact: false, brokenAt: 0 });
    expect(verifyChain(sealHistory([...legacy, entry(2)]))).toEqual({ intact: true, brokenAt: null });
  });

  it('when an entry is changed, removed, inserted or moved, then the chain breaks there', () => {
    const h = sealHistory([entry(0), entry(1), entry(2), entry(3)]);
    expect(verifyChain([h[0]!, { ...h[1]!, details: { i: 9 } }, h[2]!, h[3]!]).brokenAt).toBe(1);
    expect(verifyChain([h[0]!, h[2]!, h[3]!]).brokenAt).toBe(1);
    expect(verifyChain([h[0]!, h[1]!, { ...entry(7), hash: h[2]!.hash }, h[2]!, h[3]!]).brokenAt).toBe(2);
    expect(verifyChain([h[1]!, h[0]!, h[2]!, h[3]!]).brokenAt).toBe(0);
  });
});
