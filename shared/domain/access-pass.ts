import type { Onboarding, Step } from '../schemas/onboarding';
import { addDays, atHourInParis, dayInParis } from './paris-time';

/** The hour (Europe/Paris) a first day's Temporary Access Pass becomes usable: the start of a working day. */
export const ACCESS_PASS_HOUR = 7;

/**
 * Why a Temporary Access Pass may not be issued for the onboarding now (contract: "Day one from home"), or
 * null: its licence is assigned (the agent signs in to Microsoft 365), and it is the day before its start date
 * (or `neededBy`) or later, in Europe/Paris.
 */
export function accessPassRefusal(
  o: Pick<Onboarding, 'id' | 'status' | 'startDate'> & { steps: { officeLicense: Pick<Step, 'status'> } },
  now: Date,
): string | null {
  if (!['provisioning', 'needs-attention', 'completed'].includes(o.status)) {
    return `onboarding ${o.id} is ${o.status}: no access pass is issued for it`;
  }
  if (o.steps.officeLicense.status !== 'done') {
    return `the Microsoft 365 licence of ${o.id} is ${o.steps.officeLicense.status}, not done: the agent could not sign in yet`;
  }
  const from = addDays(o.startDate, -1);
  if (dayInParis(now) < from) {
    return `an access pass for ${o.id} is issued from ${from} (the day before its start date ${o.startDate}), not before`;
  }
  return null;
}

/** When the pass becomes usable: 07:00 in Paris on the start date, or now when that is past. */
export function accessPassStart(startDate: string, now: Date): Date {
  const opening = atHourInParis(startDate, ACCESS_PASS_HOUR);
  return opening.getTime() > now.getTime() ? opening : now;
}
