/** A Temporary Access Pass as the tenant answers its creation: the pass itself only then, never again. */
export interface IssuedAccessPass {
  temporaryAccessPass: string;
  startDateTime: string;
  lifetimeInMinutes: number;
  isUsableOnce: boolean;
}

/**
 * Temporary Access Passes of the tenant (Microsoft Entra authentication methods through Graph). One per user:
 * a new one replaces the one the user had. The pass goes back to whoever asked and nowhere else.
 */
export interface AccessPasses {
  issue(
    user: { objectId?: string; userPrincipalName: string },
    pass: { startDateTime: string; lifetimeInMinutes: number; isUsableOnce: boolean },
  ): Promise<IssuedAccessPass>;
}
