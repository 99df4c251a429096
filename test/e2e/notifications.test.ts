import { startApiHost, type ApiHost } from '../support/api-host';
import { buildHireJson } from '../support/factories';
import { eventually } from '../support/http-client';
import { movableClock } from '../support/movable-clock';

interface OnboardingBody {
  id: string;
  employeeId: string;
  status: string;
}
interface Card {
  at: string;
  posted: boolean;
  error?: string;
  message: {
    type: string;
    attachments: { contentType: string; content: { type: string; body: unknown[]; actions: { url: string }[] } }[];
  };
}

let host: ApiHost['host'];
let api: ApiHost['api'];
let chef: string;
let hired: ApiHost['hired'];

// The service's clock: the test moves it on to the next digest window or past a reminder's deadline.
const time = movableClock(Date.now());

// The DSI's Teams channel is the simulated tenant's Workflows webhook; its cards are read back from it.
beforeAll(async () => {
  ({ host, api, chef, hired } = await startApiHost('notify', {
    clock: time.clock,
    laptopStock: 20,
    env: {
      ...process.env,
      Notifications__digestSeconds: '5',
      Approval__reminderAfter: 'PT4S',
      Approval__expiresAfter: 'P10D',
      Provisioning__retryBaseSeconds: '0.2',
      Notifications__retryBaseSeconds: '1',
    },
  }));
  time.onMove(() => host.bus.clockChanged());
});
afterAll(() => host.stop());

const now = () => time.clock.now().getTime();

const cards = () => host.tenant.teamsCards as readonly Card[];
const textOf = (card: Card) => JSON.stringify(card.message.attachments[0]?.content);
const cardsAbout = (needle: string) => cards().filter((c) => textOf(c).includes(needle));

const hire = (overrides: Parameters<typeof buildHireJson>[0] = {}) => hired<OnboardingBody>(buildHireJson(overrides));

const approve = async (id: string) =>
  expect((await api.post(`/api/onboardings/${id}/decision`, { decision: 'approve' }, chef)).status).toBe(200);

describe('Teams notifications of the DSI channel', () => {
  it('when many hires arrive within the digest window, then one card lists them all, each linking to the console', async () => {
    const before = cards().length;
    // At the start of a 5-second window (a minute in production), so that the 12 hires all fall in it; then
    // on to its end, when the digest goes.
    const windowStart = Math.ceil(now() / 5000) * 5000;
    time.moveTo(windowStart + 20);
    const hires = await Promise.all(Array.from({ length: 12 }, () => hire()));
    expect(now()).toBeLessThan(windowStart + 5000);
    time.moveTo(windowStart + 5000);
    const digests = await eventually(
      () =>
        Promise.resolve(
          cards()
            .slice(before)
            .filter((c) => textOf(c).includes('attendent une approbation')),
        ),
      (found) => found.length > 0 && hires.every((h) => found.some((c) => textOf(c).includes(h.employeeId))),
      15_000,
    );
    expect(digests).toHaveLength(1);
    for (const card of digests) {
      expect(card.posted).toBe(true);
      expect(card.message.type).toBe('message');
      expect(card.message.attachments[0]?.contentType).toBe('application/vnd.microsoft.card.adaptive');
    }
    const text = digests.map(textOf).join('');
    for (const h of hires) expect(text).toContain(`${host.url}/#/onboardings/${h.id}`);
    // Ids and facts only: the agent's name and upn stay in the console, behind sign-in.
    expect(text).not.toMatch(/Camille|Martin|@example\.org/);
  }, 30_000);

  it('when an onboarding waits for approval past reminderAfter, then a reminder card; a decided one gets none', async () => {
    const forgotten = await hire();
    const decided = await hire();
    await approve(decided.id);
    time.moveTo(now() + 4100); // past reminderAfter (4 s)
    const [reminder] = await eventually(
      () => Promise.resolve(cardsAbout(`#/onboardings/${forgotten.id}`).filter((c) => textOf(c).includes('Rappel'))),
      (found) => found.length > 0,
      15_000,
    );
    expect(reminder?.posted).toBe(true);
    time.moveTo(now() + 5000); // well past the decided one's reminder deadline
    await host.whenIdle();
    expect(cardsAbout(`#/onboardings/${decided.id}`).filter((c) => textOf(c).includes('Rappel'))).toEqual([]);
  }, 30_000);

  it("when a step fails for good, then a needs-attention card with Graph's reason", async () => {
    host.tenant.injectFault('assignLicense', {
      status: 403,
      code: 'Authorization_RequestDenied',
      message: 'Insufficient privileges to complete the operation.',
    });
    try {
      const o = await hire();
      await approve(o.id);
      const [card] = await eventually(
        () => Promise.resolve(cardsAbout(`#/onboardings/${o.id}`).filter((c) => textOf(c).includes('Intervention'))),
        (found) => found.length > 0,
        15_000,
      );
      expect(textOf(card!)).toContain('licence Microsoft 365');
      expect(textOf(card!)).toContain('Authorization\\\\_RequestDenied: Insufficient privileges');
    } finally {
      host.tenant.injectFault('assignLicense', null);
    }
  }, 30_000);

  it('when a continuity agent is equipped while the webhook fails for a while, then the card comes after retries, and the steps never waited for it', async () => {
    host.tenant.teams.failNext(2, 503, 1);
    const o = await hire({ employee: { priority: 'continuity' } });
    await approve(o.id);
    const completed = await eventually(
      () => api.get<OnboardingBody>(`/api/onboardings/${o.id}`, chef),
      (res) => res.body.status === 'completed',
      15_000,
    );
    expect(completed.body.status).toBe('completed');
    const [card] = await eventually(
      () => Promise.resolve(cardsAbout(`#/onboardings/${o.id}`).filter((c) => textOf(c).includes('Agent PCA équipé'))),
      (found) => found.length > 0,
      30_000,
    );
    expect(card?.posted).toBe(true);
    // Refused twice (503, Retry-After: 1), then taken: and the onboarding had completed before that.
    expect(host.tenant.teams.answeredWith[503]).toBe(2);
    expect(Date.parse(card!.at)).toBeGreaterThan(Date.parse(completed.headers.get('date') ?? '') - 1000);
  }, 45_000);
});
