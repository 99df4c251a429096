/** The organisation's directory (Entra ID through Microsoft Graph in Azure, the simulated tenant locally). */
export interface Directory {
  /** The object id of the account with this user principal name, or null when the directory has none. */
  objectIdOf(userPrincipalName: string): Promise<string | null>;
}
