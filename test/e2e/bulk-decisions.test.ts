import { emptyCosmosStats } from '../../local/embedded-cosmos';
import { Roles } from '../../shared/domain/roles';
import { startApiHost, type ApiHost } from '../support/api-host';
import { buildHireJson } from '../support/factories';

interface Result {
  onboardingId: string;
  status: number;
  onboarding?: { id: string; status: string; decision: { by: string; comment?: string } | null };
  problem?: { status: number; code?: string };
}

let host: ApiHost['host'];
let api: ApiHost['api'];
let hr: string;
let chef: string;

beforeAll(async () => {
  ({ host, api, hr, chef } = await startApiHost('bulk', { laptopStock: 200 }));
});
afterAll(() => host.stop());

/** Hires each (through the API, as the HR system does) and answers their onboarding ids in the same order. */
async function hire(hires: Record<string, unknown>[]): Promise<string[]> {
  for (const json of hires) expect((await api.post('/api/hr-events', json, hr)).status).toBe(202);
  await host.whenIdle();
  return Promise.all(
    hires.map(async (json) => {
      const employeeId = (json.employee as { employeeId: string }).employeeId;
      const page = await api.get<{ items: { id: string }[] }>(`/api/onboardings?employeeId=${employeeId}`, chef);
      return page.body.items[0]!.id;
    }),
  );
}

describe('POST /api/decisions', () => {
  it('when 150 decisions mix valid, already decided, self-approval, unknown and repeated ids, then each gets its own result in request order, and the store sees no conflict storm', async () => {
    const ids = await hire([
      ...Array.from({ length: 140 }, () => buildHireJson()),
      // The approver's own onboarding: four-eyes refuses it, by object id (the directory's account).
      buildHireJson({ employee: { userPrincipalName: 'chef.dsi@example.org' } }),
    ]);
    const own = ids[140]!;
    const decidedBefore = ids.slice(0, 5);
    for (const id of decidedBefore) {
      expect((await api.post(`/api/onboardings/${id}/decision`, { decision: 'reject' }, chef)).status).toBe(200);
    }
    const fresh = ids.slice(5, 140);
    const decisions = [
      ...fresh.map((onboardingId, i) => ({
        onboardingId,
        decision: i % 10 === 0 ? 'reject' : 'approve',
        ...(i % 10 === 0 ? { comment: 'poste gelé' } : {}),
      })),
      ...decidedBefore.map((onboardingId) => ({ onboardingId, decision: 'approve' })),
      { onboardingId: own, decision: 'approve' },
      { onboardingId: fresh[0]!, decision: 'approve' }, // the same onboarding again: decided once
      ...['unknown-1', 'unknown-2', 'unknown-3', 'unknown-4', 'unknown-5', 'unknown-6', 'unknown-7', 'unknown-8'].map(
        (onboardingId) => ({ onboardingId, decision: 'approve' }),
      ),
    ];
    expect(decisions).toHaveLength(150);

    host.cosmos.stats = emptyCosmosStats();
    const res = await api.post<{ results: Result[] }>('/api/decisions', { decisions }, chef);
    const stats = host.cosmos.stats;
    host.cosmos.stats = undefined;

    expect(res.status).toBe(200);
    const results = res.body.results;
    expect(results.map((r) => r.onboardingId)).toEqual(decisions.map((d) => d.onboardingId));
    expect(results.map((r) => r.status)).toEqual([
      ...fresh.map(() => 200),
      ...decidedBefore.map(() => 409),
      403,
      409,
      ...Array.from({ length: 8 }, () => 404),
    ]);
    results.slice(0, fresh.length).forEach((r, i) => {
      expect(r.onboarding).toMatchObject({
        id: fresh[i],
        status: i % 10 === 0 ? 'rejected' : 'provisioning',
        decision: { by: 'chef.dsi@example.org', ...(i % 10 === 0 ? { comment: 'poste gelé' } : {}) },
      });
    });
    expect(results[fresh.length]!.problem).toMatchObject({ status: 409, code: 'ONBOARDING.ALREADY_DECIDED' });
    expect(results[140]!.problem).toMatchObject({ status: 403, code: 'ONBOARDING.SELF_APPROVAL' });
    expect(results[141]!.problem).toMatchObject({ status: 409, code: 'ONBOARDING.ALREADY_DECIDED' });
    expect(results[142]!.problem).toMatchObject({ status: 404, code: 'ONBOARDING.NOT_FOUND' });

    // Each decision writes its own onboarding: no conflict storm. The steps of the approved ones start
    // meanwhile and write the same documents, so a few of their writes meet a changed etag (1 to 3 in 390
    // here) and are taken again on a fresh read; a storm would be one or more per decision.
    const writes = stats.byKind['onboardings replace']?.count ?? 0;
    const refused = stats.byKind['onboardings replace refused (412)']?.count ?? 0;
    expect(writes).toBeGreaterThanOrEqual(fresh.length);
    expect(refused).toBeLessThanOrEqual(writes / 50);
    const stored = await Promise.all(ids.map((id) => host.ports.store.get(id)));
    expect(stored.map((s) => s?.value.history.filter((h) => h.type.startsWith('onboarding.approved')).length)).toEqual(
      ids.map((_, i) => (i >= 5 && i < 140 && (i - 5) % 10 !== 0 ? 1 : 0)),
    );
    expect(stored[140]?.value.status).toBe('awaiting-approval');
    await host.whenIdle();
  }, 120_000);

  it('when the body has no decision or more than 200, or an application calls, then nothing is decided', async () => {
    const [id] = await hire([buildHireJson()]);
    expect((await api.post('/api/decisions', { decisions: [] }, chef)).status).toBe(400);
    const tooMany = Array.from({ length: 201 }, () => ({ onboardingId: id!, decision: 'approve' }));
    const refused = await api.post<{ detail: string }>('/api/decisions', { decisions: tooMany }, chef);
    expect(refused.status).toBe(400);
    expect(refused.body.detail).toMatch(/decisions/);
    const app = await host.appToken('console-batch', [Roles.onboardingApprove]);
    const byApp = await api.post('/api/decisions', { decisions: [{ onboardingId: id, decision: 'approve' }] }, app);
    expect(byApp.status).toBe(403);
    expect(byApp.body).toMatchObject({ code: 'PERSON_REQUIRED' });
    expect((await host.ports.store.get(id!))?.value.status).toBe('awaiting-approval');
  });
});
