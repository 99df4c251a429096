import type { Priority } from '../schemas/hr-events';

/** A laptop as Windows Autopilot (Intune) knows it. */
export interface AutopilotDevice {
  serialNumber: string;
  /** The user the device is assigned to, as Intune shows it (an assignment is applied some time after it is accepted). */
  userPrincipalName: string | null;
}

/**
 * Windows Autopilot: which user a laptop is set up for at its first start (Intune through Microsoft Graph in
 * Azure, the simulated tenant locally). Each call goes at the priority of the agent it is for when Graph's
 * budget is short. Intune applies an accepted assignment later: what `find` shows is not to be trusted for
 * what was just asked.
 */
export interface Autopilot {
  /** The device with this serial; null when Intune does not know it. */
  find(serialNumber: string, priority: Priority | 'interactive'): Promise<AutopilotDevice | null>;
  /**
   * Sets the device up for the user; `unknown-device` when Intune has no such serial. Not asked again when the
   * device shows that user already, unless `evenIfShown` (what it shows may be an assignment on its way out).
   */
  assign(
    serialNumber: string,
    user: { userPrincipalName: string; displayName: string },
    priority: Priority | 'interactive',
    options?: { evenIfShown?: boolean },
  ): Promise<'assigned' | 'unknown-device'>;
  /** Takes the user off the device (harmless when it has none, or Intune does not know it). */
  unassign(serialNumber: string, priority: Priority | 'interactive'): Promise<void>;
}
