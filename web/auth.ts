import { CacheLookupPolicy, PublicClientApplication, type AccountInfo } from '@azure/msal-browser';

/** How this deployment signs people in (`GET /console/config.json`): never a secret. */
export type SignInConfig =
  { kind: 'development' } | { kind: 'entra'; clientId: string; authority: string; scopes: string[] };

/** A signed-in session: the API token of the person, and how to end it. */
export interface Session {
  token(): Promise<string>;
  signOut(): Promise<void>;
}

const DEV_TOKEN_KEY = 'dsi-console.dev-token';

interface StoredToken {
  accessToken: string;
  expiresAt: number;
}

/** The development issuer's token kept for this tab (sessionStorage, as MSAL keeps its cache here). */
function storedDevToken(): StoredToken | null {
  const raw = sessionStorage.getItem(DEV_TOKEN_KEY);
  if (!raw) return null;
  try {
    const saved = JSON.parse(raw) as StoredToken;
    return saved.expiresAt > Date.now() + 60_000 ? saved : null;
  } catch {
    return null;
  }
}

/** Local host: a token from the development issuer for the user and roles picked (`POST /.dev-issuer/token`). */
export async function devSignIn(user: string, roles: string[]): Promise<void> {
  const res = await fetch('/.dev-issuer/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user, roles }),
  });
  const body = (await res.json()) as { access_token?: string; expires_in?: number; error_description?: string };
  if (!res.ok || !body.access_token) throw new Error(body.error_description ?? `HTTP ${res.status}`);
  const saved: StoredToken = {
    accessToken: body.access_token,
    expiresAt: Date.now() + (body.expires_in ?? 3600) * 1000,
  };
  sessionStorage.setItem(DEV_TOKEN_KEY, JSON.stringify(saved));
}

function devSession(): Session | null {
  if (!storedDevToken()) return null;
  return {
    token() {
      const saved = storedDevToken();
      if (!saved) {
        // Expired: back to the picker.
        sessionStorage.removeItem(DEV_TOKEN_KEY);
        location.reload();
        return new Promise<string>(() => undefined);
      }
      return Promise.resolve(saved.accessToken);
    },
    signOut() {
      sessionStorage.removeItem(DEV_TOKEN_KEY);
      return Promise.resolve();
    },
  };
}

/**
 * Entra ID: MSAL, authorization code flow with PKCE, by redirect. The page asks for the API's delegated
 * scope; a silent renewal that needs the person again (consent, MFA, expired session) redirects.
 */
async function entraSession(config: Extract<SignInConfig, { kind: 'entra' }>): Promise<{
  session: Session | null;
  signIn: () => Promise<void>;
}> {
  const msal = new PublicClientApplication({
    auth: { clientId: config.clientId, authority: config.authority, redirectUri: `${location.origin}/` },
    cache: { cacheLocation: 'sessionStorage' },
  });
  await msal.initialize();
  const result = await msal.handleRedirectPromise();
  const account: AccountInfo | null = result?.account ?? msal.getActiveAccount() ?? msal.getAllAccounts()[0] ?? null;
  if (account) msal.setActiveAccount(account);
  const signIn = () => msal.loginRedirect({ scopes: config.scopes });
  if (!account) return { session: null, signIn };
  // Every call of the page asks for a token; when the person must sign in again, one redirect for them all.
  let redirecting: Promise<never> | null = null;
  const again = (): Promise<never> =>
    (redirecting ??= msal
      .acquireTokenRedirect({ scopes: config.scopes, account })
      .then(() => new Promise<never>(() => undefined)));
  return {
    signIn,
    session: {
      async token() {
        if (redirecting) return redirecting;
        try {
          // From the cache, or renewed with the refresh token; never a hidden iframe (the page may not be
          // framed, and a SPA's refresh token lasts 24 hours): past that, the person signs in again.
          return (
            await msal.acquireTokenSilent({
              scopes: config.scopes,
              account,
              cacheLookupPolicy: CacheLookupPolicy.AccessTokenAndRefreshToken,
            })
          ).accessToken;
        } catch {
          return again();
        }
      },
      signOut: () => msal.logoutRedirect({ account, postLogoutRedirectUri: `${location.origin}/` }),
    },
  };
}

/** The session already open in this tab, if any, and how to open one. */
export async function resume(config: SignInConfig): Promise<{ session: Session | null; signIn?: () => Promise<void> }> {
  if (config.kind === 'development') return { session: devSession() };
  return entraSession(config);
}
