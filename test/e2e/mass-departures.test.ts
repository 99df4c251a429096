import { startApiHost, type ApiHost } from '../support/api-host';
import { buildHireJson } from '../support/factories';
import { eventually } from '../support/http-client';

// The guard against mass departures (contract, "A guard against mass changes"): more than
// Safety__maxDeparturesPerHour employee.left applied within an hour hold the ones past it, nothing is removed
// for them, one Teams card and one history entry say so, until a person confirms them.

interface OnboardingBody {
  id: string;
  employeeId: string;
  userPrincipalName: string;
  status: string;
  departure: { lastDay: string; held?: true } | null;
}
interface Card {
  message: { attachments: { content: unknown }[] };
}

const THRESHOLD = 25;
const LEAVERS = 30;
const vpnOnly = { laptop: false, vpn: true, officeLicense: false };

let h: ApiHost;
beforeAll(async () => {
  h = await startApiHost('mass-departures', {
    laptopStock: 0,
    env: {
      ...process.env,
      Safety__maxDeparturesPerHour: String(THRESHOLD),
      Notifications__digestSeconds: '1',
      Provisioning__retryBaseSeconds: '0.2',
    },
  });
}, 30_000);
afterAll(() => h.host.stop());

const read = async (id: string) => (await h.api.get<OnboardingBody>(`/api/onboardings/${id}`, h.chef)).body;
const left = (employeeId: string, eventId = `left-${employeeId}`) => ({
  eventId,
  type: 'employee.left',
  occurredAt: '2026-12-01T08:00:00Z',
  // A last day already past: access is removed at once, unless the departure is held.
  employee: { employeeId, lastDay: '2026-11-30' },
});

describe('a night of mass departures', () => {
  it(`when ${LEAVERS} leavers come within an hour with the threshold at ${THRESHOLD}, then ${LEAVERS - THRESHOLD} are held with nothing removed and one card, until a person confirms them`, async () => {
    const agents: OnboardingBody[] = [];
    for (let i = 0; i < LEAVERS; i++) {
      const o = await h.hired<OnboardingBody>(buildHireJson({ employee: { employeeId: `MASS${i}` }, needs: vpnOnly }));
      expect((await h.api.post(`/api/onboardings/${o.id}/decision`, { decision: 'approve' }, h.chef)).status).toBe(200);
      agents.push(o);
    }
    for (const o of agents)
      await eventually(
        () => read(o.id),
        (x) => x.status === 'completed',
      );
    const cardsBefore = h.host.tenant.teamsCards.length;

    for (const o of agents) expect((await h.api.post('/api/hr-events', left(o.employeeId), h.hr)).status).toBe(202);
    await h.host.whenIdle();
    const after = await Promise.all(agents.map((o) => read(o.id)));
    const held = after.filter((o) => o.departure?.held);
    expect(held).toHaveLength(LEAVERS - THRESHOLD);
    expect(after.filter((o) => o.status === 'left')).toHaveLength(THRESHOLD);
    for (const o of held) {
      expect(o.status).toBe('leaving');
      expect(h.host.tenant.isVpnMember(o.userPrincipalName)).toBe(true);
      const history = await h.api.get<{ items: { type: string }[] }>(`/api/onboardings/${o.id}/history`, h.chef);
      expect(history.body.items.filter((e) => e.type === 'departure.held')).toHaveLength(1);
    }
    const cards = await eventually(
      () => Promise.resolve((h.host.tenant.teamsCards as readonly Card[]).slice(cardsBefore)),
      (found) => found.some((c) => JSON.stringify(c.message.attachments[0]?.content).includes('départs retenus')),
    );
    const heldCards = cards.filter((c) => JSON.stringify(c.message.attachments[0]?.content).includes('retenu'));
    expect(heldCards).toHaveLength(1);
    for (const o of held) expect(JSON.stringify(heldCards[0])).toContain(o.employeeId);

    // An application cannot confirm; a person can, and then their access goes as any leaver's.
    const app = await h.host.appToken('sirh', ['Onboarding.Approve']);
    expect((await h.api.post('/api/departures/confirm', { onboardingIds: [held[0]!.id] }, app)).status).toBe(403);
    const confirmed = await h.api.post<{ results: { onboardingId: string; status: number }[] }>(
      '/api/departures/confirm',
      { onboardingIds: [...held.map((o) => o.id), agents[0]!.id] },
      h.chef,
    );
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.results.map((r) => r.status)).toEqual([...held.map(() => 200), 409]);
    for (const o of held) {
      await eventually(
        () => read(o.id),
        (x) => x.status === 'left',
      );
      expect(h.host.tenant.isVpnMember(o.userPrincipalName)).toBe(false);
    }
  }, 120_000);
});
