import { QUEUES } from '../../shared/app/queues';
import { startApiHost, type ApiHost } from '../support/api-host';
import { buildHireJson } from '../support/factories';
import { eventually } from '../support/http-client';

interface HistoryItem {
  at: string;
  type: string;
  actor: string;
  details: Record<string, unknown>;
}
interface OnboardingBody {
  id: string;
  status: string;
  createdAt: string;
  decision: { decision: string; by: string; comment?: string } | null;
}

let host: ApiHost['host'];
let api: ApiHost['api'];
let chef: string;
let hired: ApiHost['hired'];

// Settings are ISO 8601 durations: seconds here, days in production (P2D, P10D).
beforeAll(async () => {
  ({ host, api, chef, hired } = await startApiHost('deadlines', {
    env: { ...process.env, Approval__reminderAfter: 'PT2S', Approval__expiresAfter: 'PT4S' },
  }));
});
afterAll(() => host.stop());

/** The approval-deadline messages not yet settled (scheduled, or due), as the bus holds them. */
const waitingDeadlines = () => host.bus.snapshot().queues[QUEUES.approvalDeadlines]?.messages ?? [];

const historyOf = async (id: string) =>
  (await api.get<{ items: HistoryItem[] }>(`/api/onboardings/${id}/history`, chef)).body.items;
const secondsBetween = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 1000;

describe('approval deadlines, as scheduled messages set at creation', () => {
  it('when nobody decides, then one reminder after reminderAfter, and a rejection by system after expiresAfter; a decided one gets neither', async () => {
    const forgotten = await hired<OnboardingBody>(buildHireJson());
    const decided = await hired<OnboardingBody>(buildHireJson());
    // Scheduled at creation, not found by polling: both deadlines of each are on the bus already.
    const scheduled = waitingDeadlines().map((m) => m.messageId);
    expect(scheduled).toEqual(
      expect.arrayContaining([`deadline/${forgotten.id}/reminder`, `deadline/${forgotten.id}/expiry`]),
    );
    expect((await api.post(`/api/onboardings/${decided.id}/decision`, { decision: 'approve' }, chef)).status).toBe(200);

    const expired = await eventually(
      () => api.get<OnboardingBody>(`/api/onboardings/${forgotten.id}`, chef),
      (res) => res.body.status === 'rejected',
      15_000,
    );
    expect(expired.body.decision).toMatchObject({ decision: 'reject', by: 'system', comment: 'approval expired' });
    const history = await historyOf(forgotten.id);
    expect(history.map((h) => [h.type, h.actor])).toEqual([
      ['onboarding.created', 'hr'],
      ['onboarding.reminder-sent', 'system'],
      ['onboarding.rejected', 'system'],
    ]);
    expect(secondsBetween(forgotten.createdAt, history[1]!.at)).toBeGreaterThanOrEqual(2);
    expect(secondsBetween(forgotten.createdAt, history[2]!.at)).toBeGreaterThanOrEqual(4);

    // Both deadlines of the decided one have come and gone too: nothing changed it.
    await eventually(
      () => Promise.resolve(waitingDeadlines()),
      (left) => left.length === 0,
      5_000,
    );
    await host.whenIdle();
    const other = await historyOf(decided.id);
    expect(other.map((h) => h.type)).not.toContain('onboarding.reminder-sent');
    expect(other.filter((h) => h.type === 'onboarding.rejected')).toEqual([]);
    expect((await api.get<OnboardingBody>(`/api/onboardings/${decided.id}`, chef)).body.decision).toMatchObject({
      by: 'chef.dsi@example.org',
    });
  }, 30_000);
});
