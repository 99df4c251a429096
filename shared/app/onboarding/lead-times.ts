import type { StepSchedule } from '../../domain/decide';
import { addDays, startOfDayInParis } from '../../domain/paris-time';

/**
 * Lead times (`Provisioning__vpnLeadDays`, `Provisioning__licenseLeadDays`): the instant each step is due for
 * a start date, the start of the day that many days before it in Europe/Paris. A step without a setting is
 * due at once (absent from the schedule).
 */
export function createLeadTimes(settings: { vpnLeadDays?: number | undefined; licenseLeadDays?: number | undefined }) {
  return function scheduleFor(startDate: string): StepSchedule {
    const dueAt = (days: number) => startOfDayInParis(addDays(startDate, -days)).toISOString();
    return {
      ...(settings.vpnLeadDays !== undefined ? { vpn: dueAt(settings.vpnLeadDays) } : {}),
      ...(settings.licenseLeadDays !== undefined ? { officeLicense: dueAt(settings.licenseLeadDays) } : {}),
    };
  };
}
export type LeadTimes = ReturnType<typeof createLeadTimes>;
