import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { createFileDurably } from './journal';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK, type KeyLike } from 'jose';

/**
 * The local host's development token issuer: an RS256 key pair kept under .local/, so that tokens made by
 * `npm run token` before the host ever started are accepted by it later. The host serves the public key
 * as a JWKS; validation then runs the same code as against Entra ID.
 */
export interface DevSigningKey {
  kid: string;
  privateKey: KeyLike | Uint8Array;
  publicJwk: JWK;
}

const KEY_FILE = 'dev-issuer-key.json';

interface KeyFile {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

async function readKeyFile(file: string): Promise<KeyFile | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as KeyFile;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

export async function loadOrCreateSigningKey(stateDir: string): Promise<DevSigningKey> {
  const file = path.join(stateDir, KEY_FILE);
  let saved = await readKeyFile(file);
  if (!saved) {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const kid = createHash('sha256').update(JSON.stringify(publicJwk)).digest('base64url').slice(0, 16);
    const candidate: KeyFile = {
      kid,
      privateJwk: await exportJWK(privateKey),
      publicJwk: { ...publicJwk, kid, alg: 'RS256', use: 'sig' },
    };
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    try {
      createFileDurably(file, JSON.stringify(candidate));
      saved = candidate;
    } catch (err) {
      // Another process (the host, or a second `npm run token`) wrote it first: use theirs.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      saved = await readKeyFile(file);
      if (!saved) throw err;
    }
  }
  return { kid: saved.kid, privateKey: await importJWK(saved.privateJwk, 'RS256'), publicJwk: saved.publicJwk };
}

/** A stable object id per user, shaped like a GUID, as Entra ID gives one per account. */
export function objectIdFor(upn: string): string {
  const h = createHash('sha256').update(upn.toLowerCase()).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** The client id of the development web console and command line, the `azp` of people's tokens. */
export const DEV_CLIENT_ID = objectIdFor('client:dsi-onboarding-console');

/** A stable client id (appId) per application name, shaped like a GUID, as Entra ID gives one per app. */
export function appIdFor(name: string): string {
  return objectIdFor(`client:${name}`);
}

interface TokenBase {
  roles: string[];
  issuer: string;
  audience: string;
  lifetimeSeconds?: number;
  /** Only for tests of expiry: the token's issue time. */
  issuedAt?: Date;
  /** Only for tests: claims to set or override (an attacker's token, a malformed one). */
  claims?: Record<string, unknown>;
}

/** A person (delegated token, `--user`) or an application (client credentials, `--app`). */
export type TokenRequest = TokenBase & ({ user: string } | { app: string });

/**
 * Signs an access token with the claims of an Entra ID v2 token that the API reads. A person's token has
 * `preferred_username`, `scp` and `idtyp: "user"`; an application's has `idtyp: "app"`, its client id
 * in `azp` and no username, as Entra ID issues them with the `idtyp` optional claim configured. Entra ID adds `idtyp`
 * only with that claim configured: the API also knows an application's token without it (no `scp`;
 * shared/adapters/auth/jwt-validator.ts `isAppOnly`), and tests issue such tokens with `claims: { idtyp: undefined }`.
 */
export async function issueToken(key: DevSigningKey, req: TokenRequest): Promise<string> {
  const iat = Math.floor((req.issuedAt ?? new Date()).getTime() / 1000);
  const identity =
    'user' in req
      ? {
          oid: objectIdFor(req.user),
          preferred_username: req.user,
          scp: 'access_as_user',
          azp: DEV_CLIENT_ID,
          idtyp: 'user',
        }
      : { oid: objectIdFor(`app:${req.app}`), azp: appIdFor(req.app), idtyp: 'app' };
  return new SignJWT({ ...identity, roles: req.roles, ver: '2.0', ...req.claims })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
    .setIssuer(req.issuer)
    .setAudience(req.audience)
    .setSubject(identity.oid)
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(iat + (req.lifetimeSeconds ?? 8 * 3600))
    .sign(key.privateKey);
}
