import { HR, SYSTEM } from '../../shared/domain/actor';
import { decide, type OnboardingEvent } from '../../shared/domain/decide';
import { DomainError, ErrorCodes } from '../../shared/domain/errors';
import type { Onboarding, StepName } from '../../shared/schemas/onboarding';
import { APPROVER, approvedOnboarding, buildOnboarding } from '../support/factories';

// The rest of the life cycle (contract, "The life of an onboarding" 7 and 8): priorities that change, and
// leavers — leaving, access removed at the end of the last day, the laptop returned, left.

const T0 = '2027-03-01T09:00:00.000Z';
const DUE = '2027-03-12T23:00:00.000Z';
const AFTER = '2027-03-13T00:00:01.000Z';
const STOCK = { name: 'stock.dsi@example.org', id: '11111111-1111-4111-8111-111111111111' };

const apply = (o: Onboarding, ...events: OnboardingEvent[]) => events.reduce((state, e) => decide(state, e).state, o);
/** The steps a hire needs here (Teams and accessories are skipped: not needed). */
const stepsOf = (o: Onboarding) =>
  Object.fromEntries((['laptop', 'vpn', 'officeLicense'] as StepName[]).map((s) => [s, o.steps[s].status]));

/** Approved, then every step done: completed, with laptop PC-1. */
function completed(): Onboarding {
  return apply(
    approvedOnboarding(),
    { type: 'step-succeeded', at: T0, step: 'laptop', serialNumber: 'PC-1' },
    { type: 'step-succeeded', at: T0, step: 'vpn' },
    { type: 'step-succeeded', at: T0, step: 'officeLicense' },
  );
}
const left = (lastDay: string, eventId = `left-${lastDay}`, dueAt = DUE): OnboardingEvent => ({
  type: 'left',
  eventId,
  at: T0,
  lastDay,
  dueAt,
});

describe('a leaver', () => {
  it('when employee.left applies to a completed onboarding, then it is leaving with its last day, and nothing is undone yet', () => {
    const d = decide(completed(), left('2027-03-12'));
    expect(d.state.status).toBe('leaving');
    expect(d.state.departure).toEqual({ lastDay: '2027-03-12', dueAt: DUE });
    expect(d.commands).toEqual([]);
    expect(stepsOf(d.state)).toEqual({ laptop: 'done', vpn: 'done', officeLicense: 'done' });
    expect(d.history.map((h) => [h.type, h.actor])).toEqual([['onboarding.leaving', 'hr']]);
  });

  it('when the last day ends, then the VPN and the licence are reverted by commands and the laptop is returning; once both undos are done and the laptop returned, left', () => {
    const leaving = decide(completed(), left('2027-03-12')).state;
    const due = decide(leaving, { type: 'departure-due', at: AFTER, lastDay: '2027-03-12' });
    expect(due.state.departure?.accessRemovedAt).toBe(AFTER);
    expect(due.commands.map((c) => [c.type, c.step])).toEqual([
      ['revert-step', 'vpn'],
      ['revert-step', 'officeLicense'],
    ]);
    expect(stepsOf(due.state)).toEqual({ laptop: 'returning', vpn: 'done', officeLicense: 'done' });
    expect(due.state.steps.laptop.serialNumber).toBe('PC-1');

    const undone = apply(
      due.state,
      { type: 'step-reverted', at: AFTER, step: 'vpn' },
      { type: 'step-reverted', at: AFTER, step: 'officeLicense' },
    );
    expect(undone.status).toBe('leaving');
    const back = decide(undone, {
      type: 'laptop-returned',
      at: AFTER,
      by: STOCK,
      serialNumber: 'PC-1',
      condition: 'repair',
      comment: 'écran fêlé',
    });
    expect(back.state.status).toBe('left');
    expect(stepsOf(back.state)).toEqual({ laptop: 'reverted', vpn: 'reverted', officeLicense: 'reverted' });
    expect(back.history.map((h) => [h.type, h.actor, h.actorId])).toEqual([
      ['laptop.returned', STOCK.name, STOCK.id],
      ['onboarding.left', SYSTEM.name, undefined],
    ]);
    expect(back.history[0]?.details).toEqual({ serialNumber: 'PC-1', condition: 'repair', comment: 'écran fêlé' });
  });

  it('when the departure message comes again, or for a last day since changed, then nothing changes (access is never removed twice)', () => {
    const leaving = decide(completed(), left('2027-03-12')).state;
    const due = decide(leaving, { type: 'departure-due', at: AFTER, lastDay: '2027-03-12' }).state;
    expect(decide(due, { type: 'departure-due', at: AFTER, lastDay: '2027-03-12' }).changed).toBe(false);
    const moved = decide(leaving, left('2027-03-19', 'left-again', '2027-03-19T23:00:00.000Z'));
    expect(moved.state.departure).toEqual({ lastDay: '2027-03-19', dueAt: '2027-03-19T23:00:00.000Z' });
    expect(moved.history.map((h) => [h.type, h.details.from, h.details.to])).toEqual([
      ['departure.changed', '2027-03-12', '2027-03-19'],
    ]);
    expect(decide(moved.state, { type: 'departure-due', at: AFTER, lastDay: '2027-03-12' }).changed).toBe(false);
    // Once access is removed, a later event cannot give it back.
    const late = decide(due, left('2027-04-30', 'left-late'));
    expect(late.state.departure?.lastDay).toBe('2027-03-12');
    expect(late.history.map((h) => h.type)).toEqual(['employee-left.ignored']);
  });

  it('when the laptop returned is not the one the step holds, or the step is not returning, then nothing changes', () => {
    const due = apply(completed(), left('2027-03-12'), { type: 'departure-due', at: AFTER, lastDay: '2027-03-12' });
    const other = { type: 'laptop-returned', at: AFTER, by: STOCK, condition: 'ok' } as const;
    expect(decide(due, { ...other, serialNumber: 'PC-2' }).changed).toBe(false);
    expect(decide(completed(), { ...other, serialNumber: 'PC-1' }).changed).toBe(false);
  });

  it('when a leaver had no laptop, then it is left as soon as its access is removed; a revert that fails leaves it leaving, failed, for the DSI', () => {
    const noLaptop = apply(
      approvedOnboarding(buildOnboarding({ needs: { laptop: false, vpn: true, officeLicense: true } })),
      { type: 'step-succeeded', at: T0, step: 'vpn' },
      { type: 'step-succeeded', at: T0, step: 'officeLicense' },
      left('2027-03-12'),
      { type: 'departure-due', at: AFTER, lastDay: '2027-03-12' },
      { type: 'step-reverted', at: AFTER, step: 'vpn' },
    );
    const failed = decide(noLaptop, { type: 'step-revert-failed', at: AFTER, step: 'officeLicense', message: 'boom' });
    expect(failed.state.status).toBe('leaving');
    expect(failed.state.steps.officeLicense).toMatchObject({ status: 'failed', detail: 'revert failed: boom' });
    expect(decide(noLaptop, { type: 'step-reverted', at: AFTER, step: 'officeLicense' }).state.status).toBe('left');
  });

  it('when employee.left applies to an onboarding not finished, then it is cancelled as a cancelled hire is; to a finished one, recorded and ignored', () => {
    const open = decide(approvedOnboarding(), left('2027-03-12'));
    expect(open.state.status).toBe('cancelled');
    expect(open.state.departure).toBeUndefined();
    expect(open.history.map((h) => h.type)).toEqual(['employee.left', 'onboarding.cancelled']);
    const rejected = apply(buildOnboarding(), { type: 'decided', at: T0, by: APPROVER, decision: 'reject' });
    const ignored = decide(rejected, left('2027-03-12'));
    expect(ignored.state.status).toBe('rejected');
    expect(ignored.state.eventIds).toContain('left-2027-03-12');
    expect(ignored.history.map((h) => h.type)).toEqual(['employee-left.ignored']);
    // A leaver's onboarding is not cancelled by a late hire-cancelled.
    const leaving = decide(completed(), left('2027-03-12')).state;
    const cancel = decide(leaving, { type: 'hire-cancelled', eventId: 'c1', at: AFTER });
    expect(cancel.state.status).toBe('leaving');
    expect(cancel.history.map((h) => h.type)).toEqual(['hire-cancel.ignored']);
  });
});

describe('a priority that changes', () => {
  it('when the DSI changes it, then the priority and one history entry with the actor; the same again changes nothing', () => {
    const o = approvedOnboarding();
    const d = decide(o, { type: 'priority-changed', at: T0, by: APPROVER, priority: 'continuity' });
    expect(d.state.priority).toBe('continuity');
    expect(d.history).toEqual([
      expect.objectContaining({
        type: 'priority.changed',
        actor: APPROVER.name,
        actorId: APPROVER.id,
        details: { from: 'standard', to: 'continuity' },
      }),
    ]);
    expect(decide(d.state, { type: 'priority-changed', at: T0, by: APPROVER, priority: 'continuity' }).changed).toBe(
      false,
    );
  });

  it('when HR sends it, then its event id is recorded (a redelivery changes nothing), an unchanged priority is noted', () => {
    const o = buildOnboarding();
    const e = { type: 'priority-changed', eventId: 'p1', at: T0, by: HR, priority: 'continuity' } as const;
    const d = decide(o, e);
    expect(d.state.priority).toBe('continuity');
    expect(d.history[0]?.details).toEqual({ eventId: 'p1', from: 'standard', to: 'continuity' });
    expect(decide(d.state, e).changed).toBe(false);
    const same = decide(d.state, { ...e, eventId: 'p2' });
    expect(same.history.map((h) => h.type)).toEqual(['priority.unchanged']);
  });

  it('when the onboarding is finished, then the DSI is refused (409) and an HR event is recorded without effect', () => {
    const done = completed();
    expect(() => decide(done, { type: 'priority-changed', at: T0, by: APPROVER, priority: 'continuity' })).toThrow(
      new DomainError(ErrorCodes.finished, `onboarding ${done.id} is completed; its priority no longer matters`),
    );
    const hr = decide(done, { type: 'priority-changed', eventId: 'p9', at: T0, by: HR, priority: 'continuity' });
    expect(hr.state.priority).toBe('standard');
    expect(hr.history.map((h) => h.type)).toEqual(['priority-change.ignored']);
  });
});

describe('a departure held by the guard against mass departures', () => {
  const held = (eventId = 'left-held'): OnboardingEvent => ({
    type: 'left',
    eventId,
    at: T0,
    lastDay: '2027-03-12',
    dueAt: DUE,
    held: { maxPerHour: 25 },
  });

  it('when the guard holds it, then the onboarding is leaving with its departure held, and nothing is removed at the end of the last day', () => {
    const d = decide(completed(), held());
    expect(d.state.status).toBe('leaving');
    expect(d.state.departure).toEqual({ lastDay: '2027-03-12', dueAt: DUE, held: true });
    expect(d.history.map((h) => [h.type, h.actor])).toEqual([
      ['onboarding.leaving', 'hr'],
      ['departure.held', 'system'],
    ]);
    expect(d.history[1]?.details).toMatchObject({ maxPerHour: 25 });
    const due = decide(d.state, { type: 'departure-due', at: AFTER, lastDay: '2027-03-12' });
    expect(due.changed).toBe(false);
    expect(stepsOf(due.state)).toEqual({ laptop: 'done', vpn: 'done', officeLicense: 'done' });
  });

  it('when a person confirms it, then it is no longer held, and its last day removes access as usual', () => {
    const o = decide(completed(), held()).state;
    const confirmed = decide(o, { type: 'departure-confirmed', at: AFTER, by: APPROVER });
    expect(confirmed.state.departure).toEqual({ lastDay: '2027-03-12', dueAt: DUE });
    expect(confirmed.history.map((h) => [h.type, h.actor])).toEqual([['departure.confirmed', APPROVER.name]]);
    const due = decide(confirmed.state, { type: 'departure-due', at: AFTER, lastDay: '2027-03-12' });
    expect(due.commands.map((c) => [c.type, c.step])).toEqual([
      ['revert-step', 'vpn'],
      ['revert-step', 'officeLicense'],
    ]);
  });

  it('when HR sends the departure again (a new event, after fixing its export), then that is its confirmation, with the last day it gives', () => {
    const o = decide(completed(), held()).state;
    const again = decide(o, left('2027-03-19', 'left-fixed', '2027-03-19T23:00:00.000Z'));
    expect(again.state.departure).toEqual({ lastDay: '2027-03-19', dueAt: '2027-03-19T23:00:00.000Z' });
    expect(again.history.map((h) => [h.type, h.actor])).toEqual([['departure.confirmed', 'hr']]);
  });

  it('when a departure that is not held is confirmed, then it is refused', () => {
    const o = decide(completed(), left('2027-03-12')).state;
    expect(() => decide(o, { type: 'departure-confirmed', at: AFTER, by: APPROVER })).toThrow(DomainError);
    expect(() => decide(completed(), { type: 'departure-confirmed', at: AFTER, by: APPROVER })).toThrow(DomainError);
  });
});
