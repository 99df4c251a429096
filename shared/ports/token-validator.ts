import type { Role } from '../domain/roles';

/**
 * The caller, from a verified Entra ID v2 access token: a person (delegated or user token) or an
 * application (client credentials, `idtyp: "app"`). Both are known by their immutable object id (`oid`);
 * the username is for display and audit only, never an authorization key.
 */
export type Principal =
  | { kind: 'person'; oid: string; userPrincipalName: string; roles: Role[] }
  | { kind: 'app'; oid: string; appId: string; roles: Role[] };

/** The token is missing, malformed, badly signed, expired, or for another audience or issuer: 401. */
export class AuthenticationError extends Error {
  override readonly name = 'AuthenticationError';
}

/** Verifies a bearer token (Entra ID's keys in Azure, the development issuer's locally). */
export interface TokenValidator {
  validate(authorizationHeader: string | null): Promise<Principal>;
}
