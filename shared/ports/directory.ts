/**
 * The organisation's tenant outside the provisioning steps (Entra ID through Microsoft Graph in Azure, the
 * simulated tenant locally).
 */
/** An agent as the directory knows them (Entra ID's user: department, office location, manager). */
export interface DirectoryAgent {
  objectId: string;
  userPrincipalName: string;
  /** The HR system's id of the agent (Entra ID's `employeeId`), if the directory has it. */
  employeeId: string | null;
  displayName: string;
  department: string | null;
  /** Where they work (`officeLocation`). */
  site: string | null;
  /** Their manager's user principal name and object id, if the directory has one. */
  managerUpn: string | null;
  managerObjectId: string | null;
}

export interface Directory {
  /** The agent with this user principal name, or null when the directory has no such account. */
  agent(userPrincipalName: string): Promise<DirectoryAgent | null>;
  /** The agent whose `employeeId` this is, or null when the directory has none (or several: it cannot say who). */
  agentByEmployeeId(employeeId: string): Promise<DirectoryAgent | null>;
  /** The object id of the account with this user principal name, or null when the directory has none. */
  objectIdOf(userPrincipalName: string): Promise<string | null>;
  /** How many seats of the configured Microsoft 365 licence are free (0 when the tenant has no such subscription). */
  freeSeats(): Promise<number>;
}
