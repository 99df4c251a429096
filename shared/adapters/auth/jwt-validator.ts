import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { Roles, type Role } from '../../domain/roles';
import { GUID_PATTERN as GUID, UPN_PATTERN as UPN } from '../../schemas/identity';
import { AuthenticationError, type Principal, type TokenValidator } from '../../ports/token-validator';

export interface JwtValidatorOptions {
  issuer: string;
  audience: string;
  /** JWKS endpoint: Entra ID's in Azure, the development issuer's locally. */
  jwksUri?: string;
  /** Keys given directly (tests); otherwise fetched from jwksUri and cached. */
  keys?: JWTVerifyGetKey;
  /** Injected by tests of time; default Date.now. */
  now?: () => number;
}

/** The roles an application may hold (contract); any other role in an app token grants nothing. */
export const APPLICATION_ROLES: readonly Role[] = [Roles.hrEventsSend, Roles.onboardingRead];

/**
 * The longest access token Entra ID issues: a token lifetime policy goes up to one day, and tokens of
 * clients capable of continuous access evaluation live up to 28 hours
 * (https://learn.microsoft.com/entra/identity-platform/configurable-token-lifetimes,
 * https://learn.microsoft.com/entra/identity-platform/access-tokens#token-lifetime).
 */
export const MAX_TOKEN_LIFETIME_SECONDS = 28 * 3600;
/** Clock skew tolerated between the issuer and this service. */
export const CLOCK_SKEW_SECONDS = 300;

const KNOWN_ROLES = new Set<string>(Object.values(Roles));

function stringClaim(payload: JWTPayload, name: string): string | undefined {
  const value = payload[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * An app-only token (client credentials): `idtyp: "app"` when the API's registration asks for that optional claim
 * (infra/scripts/register-api-app.sh does), and without it, no `scp`: a delegated token always carries the scopes
 * granted to the client, an application's never does
 * (https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference: `idtyp` is optional, `scp`
 * is "only included for user tokens"). A registration whose optional claim was lost still tells them apart.
 */
export function isAppOnly(payload: JWTPayload): boolean {
  const idtyp = stringClaim(payload, 'idtyp');
  if (idtyp !== undefined) return idtyp === 'app';
  return payload.scp === undefined;
}

/** Checks the identity claims the API relies on; throws AuthenticationError naming the first bad one. */
export function principalOf(payload: JWTPayload, nowSeconds: number): Principal {
  const oid = stringClaim(payload, 'oid');
  if (!oid || !GUID.test(oid)) throw new AuthenticationError('the token has no valid oid (object id)');
  const { iat, exp } = payload;
  if (typeof iat !== 'number') throw new AuthenticationError('the token has no iat');
  if (iat > nowSeconds + CLOCK_SKEW_SECONDS) throw new AuthenticationError('the token was issued in the future');
  if (typeof exp !== 'number' || exp - iat > MAX_TOKEN_LIFETIME_SECONDS) {
    throw new AuthenticationError('the token lives longer than Entra ID issues tokens');
  }
  const roles = (Array.isArray(payload.roles) ? payload.roles : []).filter(
    (r): r is Role => typeof r === 'string' && KNOWN_ROLES.has(r),
  );
  if (isAppOnly(payload)) {
    const appId = stringClaim(payload, 'azp') ?? stringClaim(payload, 'appid');
    if (!appId || !GUID.test(appId)) throw new AuthenticationError('the application token has no valid azp');
    return { kind: 'app', oid, appId, roles: roles.filter((r) => APPLICATION_ROLES.includes(r)) };
  }
  const upn = stringClaim(payload, 'preferred_username') ?? stringClaim(payload, 'upn');
  if (!upn || !UPN.test(upn)) {
    throw new AuthenticationError('the token has no valid preferred_username (a user principal name)');
  }
  return { kind: 'person', oid, userPrincipalName: upn, roles };
}

/** Validates bearer tokens the same way locally and in Azure: RS256 signature, issuer, audience, expiry, identity. */
export function createJwtValidator(options: JwtValidatorOptions): TokenValidator {
  const keys =
    options.keys ??
    (options.jwksUri ? createRemoteJWKSet(new URL(options.jwksUri), { cacheMaxAge: 10 * 60_000 }) : undefined);
  if (!keys) throw new Error('a JWT validator needs keys or a jwksUri');
  const now = options.now ?? Date.now;

  return {
    async validate(header) {
      const match = header ? /^Bearer\s+(\S+)$/i.exec(header.trim()) : null;
      const token = match?.[1];
      if (!token) throw new AuthenticationError('a bearer token is required');
      try {
        const nowSeconds = Math.floor(now() / 1000);
        const { payload } = await jwtVerify(token, keys, {
          issuer: options.issuer,
          audience: options.audience,
          algorithms: ['RS256'],
          requiredClaims: ['exp', 'iat', 'oid'],
          currentDate: new Date(nowSeconds * 1000),
        });
        return principalOf(payload, nowSeconds);
      } catch (err) {
        if (err instanceof AuthenticationError) throw err;
        if (err instanceof joseErrors.JOSEError) throw new AuthenticationError(`invalid token: ${err.code}`);
        throw err;
      }
    },
  };
}
