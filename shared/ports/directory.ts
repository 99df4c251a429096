/**
 * The organisation's tenant outside the provisioning steps (Entra ID and Intune through Microsoft Graph in
 * Azure, the simulated tenant locally).
 */
export interface Directory {
  /** The object id of the account with this user principal name, or null when the directory has none. */
  objectIdOf(userPrincipalName: string): Promise<string | null>;
  /** How many seats of the configured Microsoft 365 licence are free (0 when the tenant has no such subscription). */
  freeSeats(): Promise<number>;
  /** Removes the Windows Autopilot user of a laptop (a laptop back in stock); harmless when it has none. */
  unassignDevice(serialNumber: string): Promise<void>;
}
