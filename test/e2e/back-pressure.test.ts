import type { Ports } from '../../shared/app/services';
import { startApiHost, type ApiHost } from '../support/api-host';
import { buildHireJson } from '../support/factories';

// Bounded work in flight: past Http__maxRequestsInFlight an API request is refused at once with 503,
// problem+json and Retry-After (openapi.yaml, "Limits"), never left waiting behind the others; a client that
// comes back after Retry-After is served, and nothing is lost or doubled.

const LIMIT = 4;
const CLIENTS = 24;

let h: ApiHost;
beforeAll(async () => {
  h = await startApiHost('back-pressure', {
    env: { ...process.env, Http__maxRequestsInFlight: String(LIMIT) },
    // Each queued hire takes 150 ms to reach the bus: requests overlap for sure.
    wrapPorts: (ports: Ports): Ports => ({
      ...ports,
      bus: {
        send: async (queue, messages) => {
          await new Promise((r) => setTimeout(r, 150));
          return ports.bus.send(queue, messages);
        },
      },
    }),
  });
});
afterAll(() => h.host.stop());

describe('a flood of clients', () => {
  it(`when ${CLIENTS} clients post at once against a limit of ${LIMIT}, then those past it get 503 with Retry-After at once, and each served after it comes back: every hire once`, async () => {
    const hires = Array.from({ length: CLIENTS }, (_, i) =>
      buildHireJson({ eventId: `flood-${i}`, employee: { employeeId: `FLOOD${i}` } }),
    );
    const first = await Promise.all(hires.map((hire) => h.api.post('/api/hr-events', hire, h.hr)));
    const busy = first.filter((r) => r.status === 503);
    expect(first.filter((r) => r.status === 202).length).toBeGreaterThanOrEqual(LIMIT);
    expect(busy.length).toBeGreaterThan(0);
    for (const res of busy) {
      expect(res.headers.get('retry-after')).toBe('1');
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body).toMatchObject({ status: 503, code: 'BUSY' });
    }
    // Those refused come back after Retry-After, a few at a time, until each is taken.
    let waiting = hires.filter((_, i) => first[i]!.status === 503);
    while (waiting.length > 0) {
      await new Promise((r) => setTimeout(r, 1000));
      const again = await Promise.all(waiting.map((hire) => h.api.post('/api/hr-events', hire, h.hr)));
      expect(again.every((r) => r.status === 202 || r.status === 503)).toBe(true);
      waiting = waiting.filter((_, i) => again[i]!.status === 503);
    }
    await h.host.whenIdle();
    const listed = await h.api.get<{ items: { employeeId: string }[] }>('/api/onboardings?limit=200', h.chef);
    const flood = listed.body.items.map((o) => o.employeeId).filter((id) => id.startsWith('FLOOD'));
    expect(flood.sort()).toEqual(hires.map((_, i) => `FLOOD${i}`).sort());
  }, 60_000);
});
