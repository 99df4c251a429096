import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Route } from 'playwright-core';
import { objectIdFor } from '../../local/dev-issuer';
import { startLocalHost, type LocalHost } from '../../local/host';
import { Roles } from '../../shared/domain/roles';
import { launchBrowser } from '../support/browser';

// The console's sign-in as it runs in Azure: @azure/msal-browser, authorization code flow with PKCE, against
// Entra ID. Entra ID is not reachable from here, so its endpoints are answered at the browser's edge
// (Playwright routes) with the wire format and checks of the Microsoft identity platform:
// - https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow (authorize: client_id,
//   redirect_uri, scope, code_challenge with code_challenge_method S256; token: code_verifier, and
//   AADSTS501481 "The Code_Verifier does not match the code_challenge supplied in the authorization request"),
// - https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc (the openid-configuration document),
// - a SPA redeems its code cross-origin: the token endpoint answers with CORS for the registered redirect URI.
// The access token is signed by the local host's issuer under Entra ID's issuer name, so that the API
// validates it with the same code as in Azure.

const TENANT = '6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f';
const CLIENT_ID = '0d9b4c7a-1e2f-4a3b-9c8d-7e6f5a4b3c2d';
const SCOPE = `api://${CLIENT_ID}/access_as_user`;
const LOGIN = 'https://login.microsoftonline.com';
const USER = 'chef.dsi@region.example';

let host: LocalHost;
let browser: Browser;

beforeAll(async () => {
  host = await startLocalHost({
    port: 0,
    stateDir: mkdtempSync(path.join(tmpdir(), 'console-entra-')),
    logHandler: () => undefined,
    env: {
      ...process.env,
      Auth__issuer: `${LOGIN}/${TENANT}/v2.0`,
      Auth__audience: CLIENT_ID,
      Console__signIn: 'entra',
      Console__clientId: CLIENT_ID,
      Console__apiScope: SCOPE,
    },
  });
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser.close();
  await host.stop();
});

const b64url = (s: string | Buffer) => Buffer.from(s).toString('base64url');
/** An ID token as Entra ID shapes it (MSAL reads its claims; the browser does not verify its signature). */
function idToken(nonce: string): string {
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    aud: CLIENT_ID,
    iss: `${LOGIN}/${TENANT}/v2.0`,
    iat: now,
    nbf: now,
    exp: now + 3600,
    name: 'Chef DSI',
    nonce,
    oid: objectIdFor(USER),
    preferred_username: USER,
    sub: 'pairwise-subject',
    tid: TENANT,
    ver: '2.0',
  };
  return `${b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', kid: 'k1' }))}.${b64url(JSON.stringify(claims))}.c2ln`;
}

/** The token endpoint's answer (code or refresh token redeemed). */
async function tokens(seen: Seen, nonce: string): Promise<Record<string, unknown>> {
  const expiresIn = seen.lifetime;
  return {
    token_type: 'Bearer',
    scope: SCOPE,
    expires_in: expiresIn,
    ext_expires_in: expiresIn,
    access_token: await host.token(USER, [Roles.onboardingApprove, Roles.onboardingRead]),
    refresh_token: `refresh-${randomUUID()}`,
    id_token: idToken(nonce),
    client_info: b64url(JSON.stringify({ uid: objectIdFor(USER), utid: TENANT })),
  };
}

interface Seen {
  authorize?: URLSearchParams;
  authorizations: number;
  /** The last code issued, and the codes redeemed (Entra ID takes a code once). */
  code?: string;
  redeemed: Set<string>;
  token?: URLSearchParams;
  verifierRefused?: boolean;
  /** Refresh-token grants asked for, and how many of the next ones to refuse (an expired refresh token). */
  refreshes: number;
  refuseRefreshes: number;
  /** The lifetime of the access tokens given (MSAL renews one that expires within 5 minutes). */
  lifetime: number;
}

/** Entra ID's endpoints for this tenant, as the browser reaches them. */
async function entraAtTheEdge(route: Route, seen: Seen, origin: string): Promise<void> {
  const url = new URL(route.request().url());
  const cors = { 'access-control-allow-origin': origin, 'content-type': 'application/json' };
  if (url.pathname.endsWith('/discovery/instance')) {
    return route.fulfill({
      headers: cors,
      body: JSON.stringify({
        tenant_discovery_endpoint: `${LOGIN}/${TENANT}/v2.0/.well-known/openid-configuration`,
        'api-version': '1.1',
        metadata: [
          {
            preferred_network: 'login.microsoftonline.com',
            preferred_cache: 'login.windows.net',
            aliases: ['login.microsoftonline.com', 'login.windows.net', 'login.microsoft.com', 'sts.windows.net'],
          },
        ],
      }),
    });
  }
  if (url.pathname === `/${TENANT}/v2.0/.well-known/openid-configuration`) {
    return route.fulfill({
      headers: cors,
      body: JSON.stringify({
        token_endpoint: `${LOGIN}/${TENANT}/oauth2/v2.0/token`,
        token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
        jwks_uri: `${LOGIN}/${TENANT}/discovery/v2.0/keys`,
        response_modes_supported: ['query', 'fragment', 'form_post'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        issuer: `${LOGIN}/${TENANT}/v2.0`,
        request_uri_parameter_supported: false,
        userinfo_endpoint: 'https://graph.microsoft.com/oidc/userinfo',
        authorization_endpoint: `${LOGIN}/${TENANT}/oauth2/v2.0/authorize`,
        device_authorization_endpoint: `${LOGIN}/${TENANT}/oauth2/v2.0/devicecode`,
        http_logout_supported: true,
        frontchannel_logout_supported: true,
        end_session_endpoint: `${LOGIN}/${TENANT}/oauth2/v2.0/logout`,
        claims_supported: [
          'sub',
          'iss',
          'aud',
          'exp',
          'iat',
          'nonce',
          'preferred_username',
          'name',
          'tid',
          'ver',
          'oid',
        ],
        kerberos_endpoint: `${LOGIN}/${TENANT}/kerberos`,
        tenant_region_scope: 'EU',
        cloud_instance_name: 'microsoftonline.com',
        cloud_graph_host_name: 'graph.windows.net',
        msgraph_host: 'graph.microsoft.com',
        rbac_url: 'https://pas.windows.net',
      }),
    });
  }
  if (url.pathname === `/${TENANT}/oauth2/v2.0/authorize`) {
    // The person signs in; Entra ID sends the code back to the registered redirect URI (fragment, as asked).
    const p = url.searchParams;
    // Entra ID shows an error page, and sends nothing back, for an unknown client or an unregistered URI.
    if (p.get('client_id') !== CLIENT_ID || p.get('redirect_uri') !== `${origin}/`) {
      return route.fulfill({
        status: 400,
        contentType: 'text/html',
        body: `AADSTS50011: The redirect URI '${p.get('redirect_uri') ?? ''}' specified in the request does not match the redirect URIs configured for the application '${CLIENT_ID}'.`,
      });
    }
    seen.authorize = p;
    seen.authorizations += 1;
    seen.code = `code-${randomUUID()}`;
    const back = new URLSearchParams({
      code: seen.code,
      state: p.get('state') ?? '',
      client_info: b64url(JSON.stringify({ uid: objectIdFor(USER), utid: TENANT })),
      session_state: randomUUID(),
    });
    const separator = p.get('response_mode') === 'query' ? '?' : '#';
    return route.fulfill({
      status: 302,
      headers: { location: `${p.get('redirect_uri') ?? ''}${separator}${back.toString()}` },
    });
  }
  if (url.pathname === `/${TENANT}/oauth2/v2.0/token` && route.request().method() === 'OPTIONS') {
    return route.fulfill({
      status: 204,
      headers: { ...cors, 'access-control-allow-methods': 'POST', 'access-control-allow-headers': '*' },
    });
  }
  if (url.pathname === `/${TENANT}/oauth2/v2.0/token`) {
    const form = new URLSearchParams(route.request().postData() ?? '');
    if (form.get('grant_type') === 'refresh_token') {
      seen.refreshes += 1;
      if (seen.refuseRefreshes > 0) {
        seen.refuseRefreshes -= 1;
        // As Entra ID answers a SPA's refresh token past its 24 hours.
        return route.fulfill({
          status: 400,
          headers: cors,
          body: JSON.stringify({
            error: 'invalid_grant',
            error_description:
              'AADSTS700084: The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime of 1.00:00:00, which cannot be extended.',
            error_codes: [700084],
          }),
        });
      }
      return route.fulfill({ headers: cors, body: JSON.stringify(await tokens(seen, '')) });
    }
    seen.token = form;
    const refuse = (code: number, description: string) =>
      route.fulfill({
        status: 400,
        headers: cors,
        body: JSON.stringify({
          error: 'invalid_grant',
          error_description: `AADSTS${code}: ${description}`,
          error_codes: [code],
        }),
      });
    // The code once, by the client it was issued to, for the redirect URI it was asked with.
    if (form.get('code') !== seen.code || seen.redeemed.has(seen.code)) {
      return refuse(54005, 'OAuth2 Authorization code was already redeemed, please retry with a new valid code.');
    }
    seen.redeemed.add(seen.code);
    if (form.get('client_id') !== CLIENT_ID || form.get('redirect_uri') !== seen.authorize?.get('redirect_uri')) {
      return refuse(
        500112,
        'The reply address does not match the reply address provided when requesting the authorization code.',
      );
    }
    const challenge = seen.authorize.get('code_challenge');
    const verifier = form.get('code_verifier') ?? '';
    if (!challenge || createHash('sha256').update(verifier).digest('base64url') !== challenge) {
      seen.verifierRefused = true;
      return refuse(
        501481,
        'The Code_Verifier does not match the code_challenge supplied in the authorization request.',
      );
    }
    return route.fulfill({
      headers: cors,
      body: JSON.stringify(await tokens(seen, seen.authorize.get('nonce') ?? '')),
    });
  }
  return route.fulfill({ status: 404, headers: cors, body: JSON.stringify({ error: 'not_found' }) });
}

/**
 * A fresh browser profile whose Entra ID is answered at the edge, signed in through the console's button;
 * the access tokens given live `lifetime` seconds.
 */
async function signIn(lifetime: number) {
  const context = await browser.newContext();
  const seen: Seen = { authorizations: 0, redeemed: new Set(), refreshes: 0, refuseRefreshes: 0, lifetime };
  const origin = new URL(host.url).origin;
  await context.route(`${LOGIN}/**`, (route) => entraAtTheEdge(route, seen, origin));
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${host.url}/`);
  await page.click('[data-action=sign-in]');
  await page.waitForSelector(`[data-user="${USER}"]`, { timeout: 20_000 });
  return { context, page, errors, seen, origin };
}

describe('the console signing in with Entra ID (MSAL, authorization code with PKCE)', () => {
  it("when a person signs in, then the page asks for the API's scope with an S256 code challenge, redeems the code with the matching verifier, and calls the API with the token", async () => {
    const { context, page, errors, seen, origin } = await signIn(3599);

    const authorize = seen.authorize!;
    expect(authorize.get('client_id')).toBe(CLIENT_ID);
    expect(authorize.get('response_type')).toBe('code');
    expect(authorize.get('redirect_uri')).toBe(`${origin}/`);
    expect(authorize.get('scope')?.split(' ')).toEqual(expect.arrayContaining([SCOPE, 'openid', 'profile']));
    expect(authorize.get('code_challenge_method')).toBe('S256');
    expect(authorize.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The code is redeemed by the page itself, with the verifier and no secret (a SPA has none).
    expect(seen.verifierRefused).toBeUndefined();
    expect(seen.token?.get('grant_type')).toBe('authorization_code');
    expect(seen.token?.get('client_secret')).toBeNull();
    expect(seen.token?.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
    // The API took the token: the first screen (« À traiter », read from the API), then the approvals with the
    // buttons of an approver.
    await page.waitForSelector('dsi-to-handle p.lead');
    expect((await page.locator('nav a').allTextContents()).map((s) => s.replace(/\d+$/, ''))).toEqual([
      'À traiter',
      'Validations',
      'Arrivées',
      'Stock',
      'Import',
      'Rapports',
      'Mes arrivées',
    ]);
    await page.click('nav a:has-text("Validations")');
    await page.waitForSelector('[data-action=approve-selected]');
    // Nothing of the session outlives the tab: MSAL's cache is in sessionStorage.
    expect(await page.evaluate('Object.keys(localStorage).filter((k) => k.includes("msal")).length')).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);

  it('when the access token is about to expire, then the page renews it with the refresh token; when Entra ID refuses that, one redirect signs the person in again and the page goes on', async () => {
    // Tokens of 2 minutes (under MSAL's 5-minute margin): each call renews the token silently.
    const { context, page, errors, seen } = await signIn(120);
    await page.waitForSelector('dsi-to-handle p.lead');
    expect(seen.authorizations).toBe(1);
    expect(seen.refreshes).toBeGreaterThanOrEqual(1);

    // Then the refresh token is refused (its 24 hours are over): the next call sends the person to sign in,
    // once, and they come back to the console.
    const refreshed = seen.refreshes;
    seen.refuseRefreshes = 1;
    seen.lifetime = 3599;
    await page.click('nav a:text-is("Arrivées")');
    const deadline = Date.now() + 20_000;
    while (seen.authorizations < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    // Back where they were: the screen they asked for, signed in.
    await page.waitForSelector('dsi-onboardings form.filters', { timeout: 20_000 });
    await page.waitForSelector(`[data-user="${USER}"]`);
    expect(await page.evaluate('location.hash')).toBe('#/onboardings');
    expect(seen.refreshes).toBeGreaterThan(refreshed);
    expect(seen.authorizations).toBe(2);
    expect(seen.refuseRefreshes).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);
});
