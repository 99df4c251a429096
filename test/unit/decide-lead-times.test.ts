import { decide, type OnboardingEvent } from '../../shared/domain/decide';
import type { Onboarding } from '../../shared/schemas/onboarding';
import { APPROVER, buildOnboarding } from '../support/factories';

// Lead times (contract, "The life of an onboarding" 10): a step due later stays pending with `notBefore` and
// runs then, by a message scheduled for then; a start date that moves plans it anew, or runs it when its new
// day is past.

const AT = '2026-11-30T09:00:00.000Z';
const LATER = '2026-12-03T07:00:00.000Z';
const LATER_STILL = '2026-12-10T07:00:00.000Z';
const PAST = '2026-11-20T07:00:00.000Z';

const approve = (o: Onboarding, notBefore: Partial<Record<'vpn' | 'officeLicense', string>>) =>
  decide(o, { type: 'decided', at: AT, by: APPROVER, decision: 'approve', notBefore });
const dateChanged = (
  startDate: string,
  notBefore?: Partial<Record<'vpn' | 'officeLicense', string>>,
  eventId = `date-${startDate}`,
): OnboardingEvent => ({
  type: 'start-date-changed',
  eventId,
  at: AT,
  startDate,
  ...(notBefore ? { notBefore } : {}),
});

describe('a step due later (lead times)', () => {
  it('when approved before its day, then it stays pending until then, in a new run, by a message scheduled for then that the outbox does not keep', () => {
    const { state, commands } = approve(buildOnboarding(), { vpn: LATER });
    expect(state.steps.vpn).toEqual({ status: 'pending', updatedAt: AT, attempt: 1, notBefore: LATER });
    expect(commands).toContainEqual(
      expect.objectContaining({ type: 'run-step', step: 'vpn', attempt: 1, notBefore: LATER }),
    );
    // A message for weeks ahead is not re-sent by every sweep: the sweeper drives the step once it is due.
    expect(state.outbox.map((c) => c.step)).toEqual(['officeLicense']);
  });

  it('when its day is already past (or now) at approval, then it runs at once', () => {
    for (const notBefore of [PAST, AT]) {
      const { state, commands } = approve(buildOnboarding(), { vpn: notBefore });
      expect(state.steps.vpn).toEqual({ status: 'pending', updatedAt: AT, attempt: 1 });
      expect(commands).toContainEqual({
        type: 'run-step',
        onboardingId: state.id,
        employeeId: state.employeeId,
        step: 'vpn',
        attempt: 1,
      });
      expect(state.outbox.map((c) => c.step)).toEqual(['vpn', 'officeLicense']);
    }
  });

  it('when the step runs, then its day is no longer on it', () => {
    const scheduled = approve(buildOnboarding(), { vpn: LATER }).state;
    const { state } = decide(scheduled, { type: 'step-succeeded', at: LATER, step: 'vpn' });
    expect(state.steps.vpn).not.toHaveProperty('notBefore');
  });
});

describe('a start date that moves', () => {
  it('when a step waits for its day, then it is planned anew for the new one in a new run, with one entry saying from when to when', () => {
    const scheduled = approve(buildOnboarding(), { vpn: LATER }).state;
    const { state, commands, history } = decide(scheduled, dateChanged('2026-12-14', { vpn: LATER_STILL }));
    expect(state.startDate).toBe('2026-12-14');
    expect(state.steps.vpn).toEqual({ status: 'pending', updatedAt: AT, attempt: 2, notBefore: LATER_STILL });
    expect(commands).toEqual([
      expect.objectContaining({ type: 'run-step', step: 'vpn', attempt: 2, notBefore: LATER_STILL }),
    ]);
    expect(history.map((h) => [h.type, h.details])).toEqual([
      ['start-date.changed', { eventId: 'date-2026-12-14', from: scheduled.startDate, to: '2026-12-14' }],
      ['step.replanned', { step: 'vpn', from: LATER, to: LATER_STILL }],
    ]);
  });

  it('when the new day is the same as the planned one, then the step is left as it is', () => {
    const scheduled = approve(buildOnboarding(), { vpn: LATER }).state;
    const { state, commands, history } = decide(scheduled, dateChanged('2026-12-14', { vpn: LATER }));
    expect(state.steps.vpn).toEqual(scheduled.steps.vpn);
    expect(commands).toEqual([]);
    expect(history.map((h) => h.type)).toEqual(['start-date.changed']);
  });

  it('when the step has no day any more (no lead time for it), then it runs now', () => {
    const scheduled = approve(buildOnboarding(), { vpn: LATER }).state;
    const { state, commands, history } = decide(scheduled, dateChanged('2026-12-14'));
    expect(state.steps.vpn).toEqual({ status: 'pending', updatedAt: AT, attempt: 2 });
    expect(commands).toEqual([expect.objectContaining({ type: 'run-step', step: 'vpn', attempt: 2 })]);
    expect(commands[0]).not.toHaveProperty('notBefore');
    expect(history.at(-1)?.details).toEqual({ step: 'vpn', from: LATER, to: AT });
  });

  it('when the steps already run (no day on them), or the onboarding is not approved yet, then nothing is planned anew', () => {
    const running = approve(buildOnboarding(), {}).state;
    expect(decide(running, dateChanged('2026-12-14', { vpn: LATER_STILL })).commands).toEqual([]);
    const awaiting = buildOnboarding();
    const { state, commands } = decide(awaiting, dateChanged('2026-12-14', { vpn: LATER_STILL }));
    expect(commands).toEqual([]);
    expect(state.steps.vpn.status).toBe('pending');
    expect(state.steps.vpn).not.toHaveProperty('notBefore');
  });

  it('when the onboarding needs attention, then its steps waiting for their day are planned anew too', () => {
    const scheduled = approve(buildOnboarding(), { vpn: LATER }).state;
    const flagged = decide(scheduled, {
      type: 'step-failed',
      at: AT,
      step: 'officeLicense',
      code: 'X',
      message: 'x',
    }).state;
    expect(flagged.status).toBe('needs-attention');
    const { commands } = decide(flagged, dateChanged('2026-12-14', { vpn: LATER_STILL }));
    expect(commands.map((c) => `${c.step}:${c.notBefore ?? ''}`)).toEqual([`vpn:${LATER_STILL}`]);
  });

  it('when the onboarding is finished, then the new date is kept and nothing runs', () => {
    const scheduled = approve(buildOnboarding(), { vpn: LATER }).state;
    const cancelled = decide(scheduled, { type: 'hire-cancelled', eventId: 'c', at: AT }).state;
    const { state, commands } = decide(cancelled, dateChanged('2026-12-14', { vpn: LATER_STILL }));
    expect(state.startDate).toBe('2026-12-14');
    expect(commands).toEqual([]);
  });
});
