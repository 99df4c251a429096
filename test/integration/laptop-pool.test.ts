import type { LaptopRequest } from '../../shared/schemas/laptops';
import { startTestServices, type TestServices } from '../support/test-services';

let t: TestServices;
beforeAll(async () => {
  t = await startTestServices({ laptopStock: 0 });
});
afterAll(() => t.stop());

function req(i: number): LaptopRequest {
  return {
    onboardingId: `R${i}.1`,
    employeeId: `R${i}`,
    priority: i % 5 === 0 ? 'continuity' : 'standard',
    startDate: `2027-02-${String((i % 28) + 1).padStart(2, '0')}`,
    site: null,
    userPrincipalName: `r${i}@example.org`,
    asOf: '2026-11-30T08:00:00.000Z',
    approvedAt: new Date(Date.UTC(2026, 10, 30, 8, 0, i)).toISOString(),
    requestedAt: new Date().toISOString(),
  };
}

describe('the Cosmos laptop pool under concurrent writers', () => {
  it('when 30 requests, two deliveries of stock and releases interleave, then no laptop is ever held twice and nothing is lost', async () => {
    const pool = t.services.laptops;
    const requests = Array.from({ length: 30 }, (_, i) => req(i));
    const reservations: { onboardingId: string; serialNumber: string }[] = [];
    await Promise.all([
      ...requests.map(async (r) => {
        const { held, reservations: made } = await pool.request(r);
        reservations.push(...made);
        if (held) reservations.push({ onboardingId: r.onboardingId, serialNumber: held.serialNumber });
      }),
      pool
        .add(Array.from({ length: 12 }, (_, i) => ({ serialNumber: `A-${i}`, model: 'm' })))
        .then((r) => reservations.push(...r.reservations)),
      pool
        .add(Array.from({ length: 8 }, (_, i) => ({ serialNumber: `B-${i}`, model: 'm' })))
        .then((r) => reservations.push(...r.reservations)),
      pool.release('R3.1').then((r) => reservations.push(...r.reservations)),
    ]);
    const laptops = await pool.list();
    const held = laptops.filter((l) => l.onboardingId !== null);
    expect(laptops).toHaveLength(20);
    expect(new Set(held.map((l) => l.onboardingId)).size).toBe(held.length);
    expect(held.length).toBe(20);
    // Every holder learnt of its laptop from the pass that reserved it.
    for (const l of held)
      expect(reservations).toContainEqual(
        expect.objectContaining({ onboardingId: l.onboardingId, serialNumber: l.serialNumber }),
      );
    const stillWaiting = await Promise.all(requests.map((r) => pool.heldBy(r.onboardingId)));
    expect(stillWaiting.filter((h) => h === null).length).toBe(10);
  });
});
