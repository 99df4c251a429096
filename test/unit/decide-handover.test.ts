import { decide, type OnboardingEvent } from '../../shared/domain/decide';
import { DomainError } from '../../shared/domain/errors';
import type { Onboarding } from '../../shared/schemas/onboarding';
import { approvedOnboarding } from '../support/factories';

// The handover of the laptop (contract: "Handing over the laptop"): once, for the laptop the step gave; the
// device an equipment request replaces expected back from then on, and its return recorded.

const T0 = '2026-12-02T09:00:00.000Z';
const T1 = '2026-12-03T09:00:00.000Z';
const STOCK = { name: 'logistique@example.org', id: '22222222-2222-4222-8222-222222222222' };
const apply = (o: Onboarding, ...events: OnboardingEvent[]) => events.reduce((state, e) => decide(state, e).state, o);
const handover = (serialNumber = 'PC-1', over: Partial<OnboardingEvent> = {}): OnboardingEvent =>
  ({ type: 'laptop-handed-over', at: T0, by: STOCK, serialNumber, method: 'pickup', ...over }) as OnboardingEvent;

function withLaptop(replaces: string | null = null): Onboarding {
  const o = approvedOnboarding();
  o.replaces = replaces === null ? null : { serialNumber: replaces };
  return apply(o, { type: 'step-succeeded', at: T0, step: 'laptop', serialNumber: 'PC-1' });
}

describe('handing over the laptop', () => {
  it('when the laptop the step gave is handed over, then the step records how, when and by whom, in one history entry by that person', () => {
    const d = decide(
      withLaptop(),
      handover('PC-1', { method: 'delivery', trackingNumber: 'TRK-1', comment: 'au domicile' }),
    );
    expect(d.state.steps.laptop.handover).toEqual({
      method: 'delivery',
      at: T0,
      by: STOCK.name,
      trackingNumber: 'TRK-1',
    });
    expect(d.state.steps.laptop.status).toBe('done');
    expect(d.history).toEqual([
      {
        at: T0,
        type: 'laptop.handed-over',
        actor: STOCK.name,
        actorId: STOCK.id,
        details: { serialNumber: 'PC-1', method: 'delivery', trackingNumber: 'TRK-1', comment: 'au domicile' },
      },
    ]);
    expect(d.commands).toEqual([]);
  });

  it('when it was handed over already, or the laptop is another, or not given yet, then it is refused and nothing changes', () => {
    const given = apply(withLaptop(), handover());
    expect(() => decide(given, handover('PC-1', { at: T1 }))).toThrow(/handed over already/);
    expect(() => decide(withLaptop(), handover('PC-2'))).toThrow(/was given laptop PC-1, not PC-2/);
    expect(() => decide(approvedOnboarding(), handover())).toThrow(DomainError);
  });

  it('when the onboarding replaces a device, then it is expected back from the handover, and its return is recorded once, the laptop step untouched', () => {
    const o = apply(withLaptop('DESKTOP-0713'), handover());
    expect(o.replaces).toEqual({ serialNumber: 'DESKTOP-0713', expectedBackSince: T0 });
    const returned = decide(o, {
      type: 'laptop-returned',
      at: T1,
      by: STOCK,
      serialNumber: 'desktop-0713',
      condition: 'ok',
    });
    expect(returned.state.replaces).toEqual({
      serialNumber: 'DESKTOP-0713',
      expectedBackSince: T0,
      returned: { at: T1, condition: 'ok' },
    });
    expect(returned.state.steps.laptop.status).toBe('done');
    expect(returned.history.map((e) => e.type)).toEqual(['replaced-device.returned']);
    // Before the handover it was not expected: a return of it changes nothing.
    const early = decide(withLaptop('DESKTOP-0713'), {
      type: 'laptop-returned',
      at: T1,
      by: STOCK,
      serialNumber: 'DESKTOP-0713',
      condition: 'ok',
    });
    expect(early.changed).toBe(false);
  });
});
