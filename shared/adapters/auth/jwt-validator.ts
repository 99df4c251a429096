import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';

/** The caller, from a verified Entra ID v2 access token. */
export interface Principal {
  oid: string;
  userPrincipalName: string;
  roles: string[];
}

/** The token is missing, malformed, badly signed, expired, or for another audience or issuer: 401. */
export class AuthenticationError extends Error {
  override readonly name = 'AuthenticationError';
}

export interface TokenValidator {
  validate(authorizationHeader: string | null): Promise<Principal>;
}

export interface JwtValidatorOptions {
  issuer: string;
  audience: string;
  /** JWKS endpoint: Entra ID's in Azure, the development issuer's locally. */
  jwksUri?: string;
  /** Keys given directly (tests); otherwise fetched from jwksUri and cached. */
  keys?: JWTVerifyGetKey;
}

/** Validates bearer tokens the same way locally and in Azure: RS256 signature, issuer, audience, expiry. */
export function createJwtValidator(options: JwtValidatorOptions): TokenValidator {
  const keys =
    options.keys ??
    (options.jwksUri ? createRemoteJWKSet(new URL(options.jwksUri), { cacheMaxAge: 10 * 60_000 }) : undefined);
  if (!keys) throw new Error('a JWT validator needs keys or a jwksUri');

  return {
    async validate(header) {
      const match = header ? /^Bearer\s+(\S+)$/i.exec(header.trim()) : null;
      const token = match?.[1];
      if (!token) throw new AuthenticationError('a bearer token is required');
      try {
        const { payload } = await jwtVerify(token, keys, {
          issuer: options.issuer,
          audience: options.audience,
          algorithms: ['RS256'],
          requiredClaims: ['exp', 'oid'],
        });
        const upn = payload.preferred_username ?? payload.upn;
        const roles = Array.isArray(payload.roles)
          ? payload.roles.filter((r): r is string => typeof r === 'string')
          : [];
        if (typeof payload.oid !== 'string' || typeof upn !== 'string') {
          throw new AuthenticationError('the token lacks oid or preferred_username');
        }
        return { oid: payload.oid, userPrincipalName: upn, roles };
      } catch (err) {
        if (err instanceof AuthenticationError) throw err;
        if (err instanceof joseErrors.JOSEError) throw new AuthenticationError(`invalid token: ${err.code}`);
        throw err;
      }
    },
  };
}
