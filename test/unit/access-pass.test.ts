import { accessPassRefusal, accessPassStart } from '../../shared/domain/access-pass';
import { decide } from '../../shared/domain/decide';
import { atHourInParis } from '../../shared/domain/paris-time';
import type { Onboarding } from '../../shared/schemas/onboarding';
import { approvedOnboarding, buildOnboarding } from '../support/factories';

// When a Temporary Access Pass may be issued, and from when it is usable (contract: "Day one from home").

const START = '2027-03-29'; // the Monday after the spring change of time in Paris (CET → CEST on the 28th)
const withLicence = (): Onboarding =>
  decide(approvedOnboarding(buildOnboarding({ employee: { startDate: START } })), {
    type: 'step-succeeded',
    at: '2027-03-20T09:00:00.000Z',
    step: 'officeLicense',
  }).state;

describe('a Temporary Access Pass', () => {
  it('when the licence is done, then it may be asked from the day before the start date in Paris, not the evening before that', () => {
    const o = withLicence();
    // 23:30 in Paris on the 27th is still two days before.
    expect(accessPassRefusal(o, new Date('2027-03-27T22:30:00.000Z'))).toMatch(/issued from 2027-03-28/);
    expect(accessPassRefusal(o, new Date('2027-03-27T23:30:00.000Z'))).toBeNull();
    expect(accessPassRefusal(o, new Date('2027-04-15T09:00:00.000Z'))).toBeNull();
  });

  it('when the licence is not done, or the onboarding is not running or completed, then it is refused', () => {
    const waiting = approvedOnboarding(buildOnboarding({ employee: { startDate: START } }));
    expect(accessPassRefusal(waiting, new Date('2027-03-29T08:00:00.000Z'))).toMatch(/licence .* is pending, not done/);
    const awaiting = buildOnboarding({ employee: { startDate: START } });
    expect(accessPassRefusal(awaiting, new Date('2027-03-29T08:00:00.000Z'))).toMatch(/is awaiting-approval/);
  });

  it('when the onboarding is completed or needs attention with its licence done, then it may be asked; cancelled or left, not', () => {
    const o = withLicence();
    const at = new Date('2027-03-29T08:00:00.000Z');
    for (const status of ['provisioning', 'needs-attention', 'completed'] as const) {
      expect(accessPassRefusal({ ...o, status }, at)).toBeNull();
    }
    for (const status of ['cancelled', 'rejected', 'leaving', 'left'] as const) {
      expect(accessPassRefusal({ ...o, status }, at)).toMatch(new RegExp(`is ${status}: no access pass`));
    }
  });

  it('when asked ahead, then it is usable from 07:00 in Paris on the first day (summer time that day); asked later, from now', () => {
    expect(accessPassStart(START, new Date('2027-03-28T10:00:00.000Z')).toISOString()).toBe('2027-03-29T05:00:00.000Z');
    expect(accessPassStart('2027-01-04', new Date('2027-01-03T10:00:00.000Z')).toISOString()).toBe(
      '2027-01-04T06:00:00.000Z',
    );
    const late = new Date('2027-03-29T09:15:00.000Z');
    expect(accessPassStart(START, late)).toEqual(late);
    expect(atHourInParis('2027-10-31', 7).toISOString()).toBe('2027-10-31T06:00:00.000Z');
  });
});
