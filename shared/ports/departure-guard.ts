/**
 * The guard against mass departures: how many departures were let through within the last hour. A bug in an HR
 * export must never strip the Région's VPN in one night: past the threshold, departures are held until a
 * person confirms them.
 */
export interface DepartureGuard {
  /**
   * Lets the departure of this onboarding through, or not: true when fewer than `maxPerHour` others went through
   * within the hour before `at` (it is then counted), or when it was let through already (a redelivery).
   */
  admit(onboardingId: string, at: Date, maxPerHour: number): Promise<boolean>;
}
