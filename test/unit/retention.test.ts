import { createRetention, pseudonymise } from '../../shared/app/operations/retention';
import { verifyChain, resealHistory } from '../../shared/audit/history-chain';
import { decide } from '../../shared/domain/decide';
import { ConcurrencyConflict, type OnboardingStore } from '../../shared/ports/onboarding-store';
import type { Onboarding } from '../../shared/schemas/onboarding';
import { APPROVER, buildOnboarding } from '../support/factories';

// Pseudonymisation past retention, on one onboarding (pure but for the random pseudonyms) and in batches.

function finished(upn = 'camille.martin@example.org'): Onboarding {
  const o = buildOnboarding({ employee: { userPrincipalName: upn, givenName: 'Camille', surname: 'Martin' } });
  const rejected = decide(o, {
    type: 'decided',
    at: '2026-11-30T09:00:00.000Z',
    by: APPROVER,
    decision: 'reject',
    comment: `pas de poste pour Camille Martin (${upn}), voir CHEF.DSI@example.org`,
  }).state;
  return { ...rejected, history: resealHistory(rejected.history) };
}

describe('pseudonymise', () => {
  it('when an onboarding is pseudonymised, then no name or upn is left anywhere, its audit facts are kept and its chain holds with a re-seal entry', () => {
    const o = finished();
    const p = pseudonymise(o, '2031-12-01T00:00:00.000Z', 'P5Y');
    const text = JSON.stringify(p);
    for (const name of ['Camille', 'Martin', 'camille.martin', 'chef.dsi', 'CHEF.DSI'])
      expect(text).not.toContain(name);
    expect(p.displayName).toMatch(/^agent-[0-9a-f]{12}$/);
    expect(p.userPrincipalName).toBe(`${p.displayName}@pseudonymised.invalid`);
    expect(p.decision?.by).toMatch(/^person-[0-9a-f]{12}@pseudonymised\.invalid$/);
    expect(p.decision?.comment).toBe(
      `pas de poste pour ${p.displayName} (${p.userPrincipalName}), voir ${p.decision?.by}`,
    );
    expect(p).toMatchObject({
      id: o.id,
      employeeId: o.employeeId,
      status: 'rejected',
      createdAt: o.createdAt,
      pseudonymisedAt: '2031-12-01T00:00:00.000Z',
      updatedAt: '2031-12-01T00:00:00.000Z',
      decision: { decision: 'reject', byId: APPROVER.id, at: '2026-11-30T09:00:00.000Z' },
    });
    expect(p.history.at(-1)).toMatchObject({
      type: 'onboarding.pseudonymised',
      actor: 'system',
      details: { retention: 'P5Y', previousHead: o.history.at(-1)?.hash },
    });
    expect(p.history.map((h) => h.type)).toEqual([...o.history.map((h) => h.type), 'onboarding.pseudonymised']);
    expect(verifyChain(p.history)).toEqual({ intact: true, brokenAt: null });
  });

  it('when the same approver acted on two onboardings, then the same pseudonym in both (from the object id, not the name)', () => {
    const a = pseudonymise(finished('a.agent@example.org'), '2031-12-01T00:00:00.000Z', 'P5Y');
    const b = pseudonymise(finished('b.agent@example.org'), '2031-12-01T00:00:00.000Z', 'P5Y');
    expect(a.decision?.by).toBe(b.decision?.by);
    expect(a.displayName).not.toBe(b.displayName);
  });
});

describe('the retention run', () => {
  function storeOf(due: Onboarding[], options: { conflictOn?: string; failOn?: string } = {}) {
    let left = [...due];
    const asked: [string, number][] = [];
    const replaced: string[] = [];
    const store = {
      finishedBefore: (cutoff: string, limit: number) => {
        asked.push([cutoff, limit]);
        return Promise.resolve(left.slice(0, limit).map((value) => ({ value, etag: 'e' })));
      },
      replace: (o: Onboarding) => {
        if (o.id === options.conflictOn) return Promise.reject(new ConcurrencyConflict('changed'));
        if (o.id === options.failOn) return Promise.reject(new Error('Cosmos DB is unreachable'));
        replaced.push(o.id);
        left = left.filter((x) => x.id !== o.id);
        return Promise.resolve({ value: o, etag: 'f' });
      },
    } as unknown as OnboardingStore;
    return { store, asked, replaced };
  }
  const clock = { now: () => new Date('2031-12-01T00:00:00.000Z') };

  it('when finished onboardings are past retention, then each is pseudonymised, a hundred at a time, until none is left', async () => {
    const due = Array.from({ length: 150 }, (_, i) => ({ ...finished(), id: `E${i}.1` }));
    const s = storeOf(due);
    expect(await createRetention({ store: s.store, clock, retention: 'P5Y' }).run()).toBe(150);
    expect(s.asked).toEqual([
      ['2026-12-01T00:00:00.000Z', 100],
      ['2026-12-01T00:00:00.000Z', 100],
    ]);
    expect(s.replaced).toHaveLength(150);
  });

  it('when one changed meanwhile, then the others are done and it waits for the next run; another fault is thrown', async () => {
    const s = storeOf(
      [
        { ...finished(), id: 'E1.1' },
        { ...finished(), id: 'E2.1' },
      ],
      { conflictOn: 'E1.1' },
    );
    expect(await createRetention({ store: s.store, clock, retention: 'P18M' }).run()).toBe(1);
    expect(s.asked[0]).toEqual(['2030-06-01T00:00:00.000Z', 100]);
    expect(s.replaced).toEqual(['E2.1']);
    const failing = storeOf([{ ...finished(), id: 'E1.1' }], { failOn: 'E1.1' });
    await expect(createRetention({ store: failing.store, clock, retention: 'P5Y' }).run()).rejects.toThrow(
      'Cosmos DB is unreachable',
    );
  });
});
