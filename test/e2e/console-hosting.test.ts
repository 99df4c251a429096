import { HttpRequest, InvocationContext } from '@azure/functions';
import { consoleCsp, consoleSignIn, webConsole } from '../../functions/console';
import { buildConsole } from '../../cli/build-console';
import { appIdFor } from '../../local/dev-issuer';
import { DEV_SIGN_IN_PATH, DEV_TOKEN_LIFETIME_SECONDS } from '../../local/dev-sign-in';
import { matchRoute } from '../../local/http-listener';
import type { Services } from '../../shared/app/services';
import { loadConfig } from '../../shared/config';
import { Roles } from '../../shared/domain/roles';
import { startApiHost, type ApiHost } from '../support/api-host';
import { decodeJwt } from 'jose';
import path from 'node:path';

// How the function app serves the web console (GET / and its files), what the page asks the API about
// itself (GET /api/me), and the local host's sign-in endpoint for the console's picker.

let host: ApiHost['host'];
let api: ApiHost['api'];

beforeAll(async () => {
  buildConsole(path.resolve(__dirname, '..', '..', 'dist'));
  ({ host, api } = await startApiHost('console-hosting'));
});
afterAll(() => host.stop());

describe('GET / and the console files', () => {
  it('when the page is asked for, then it comes as HTML with a CSP that allows only its own files, its API and Entra ID, no inline script and no framing', async () => {
    const res = await fetch(`${host.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toBe(consoleCsp({ kind: 'development' }));
    expect(csp.split('; ')).toEqual(
      expect.arrayContaining(["script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "frame-src 'none'"]),
    );
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await res.text();
    expect(html).toContain('<html lang="fr">');
    expect(html).toContain('<script type="module" src="/console/app.js"></script>');
    expect(html).not.toMatch(/<script>(?!<\/script>)/); // no inline script (the CSP would refuse it)
    expect((await fetch(`${host.url}/index.html`)).status).toBe(200);
  });

  it('when its script and style sheet are asked for, then each comes with its media type', async () => {
    const js = await fetch(`${host.url}/console/app.js`);
    expect([js.status, js.headers.get('content-type')]).toEqual([200, 'text/javascript; charset=utf-8']);
    expect((await js.text()).length).toBeGreaterThan(10_000); // the bundle, MSAL included
    const css = await fetch(`${host.url}/console/app.css`);
    expect([css.status, css.headers.get('content-type')]).toEqual([200, 'text/css; charset=utf-8']);
  });

  it('when the browser asks again with the ETag it holds, then 304 and no body; with another, the file', async () => {
    const first = await fetch(`${host.url}/console/app.js`);
    const etag = first.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[\w-]{27}"$/);
    expect(first.headers.get('cache-control')).toBe('no-cache');
    const again = await fetch(`${host.url}/console/app.js`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const other = await fetch(`${host.url}/console/app.js`, { headers: { 'if-none-match': '"something-else"' } });
    expect(other.status).toBe(200);
    expect((await fetch(`${host.url}/`, { headers: { 'if-none-match': `W/${etag}` } })).status).toBe(200);
  });

  it('when the page asks how to sign in on the local host, then it is the development issuer', async () => {
    const res = await fetch(`${host.url}/console/config.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({
      signIn: { kind: 'development' },
      approval: { undoMinutes: 10, expiresAfterHours: 240 },
    });
  });

  it.each([
    ['/nothing-here'],
    ['/console/secret.txt'],
    ['/console/..%2Fpackage.json'],
    ['/console/..%5Cpackage.json'],
    ['/console/constructor'],
    ['/console/a/b'],
    ['/functions/console.ts'],
    ['/api'],
  ])('when %s is asked for, then it is 404 problem+json, and no file outside the console is served', async (p) => {
    const res = await fetch(`${host.url}${p}`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });

  it('when an unknown route under /api is asked for, then it is still the API 404, not the console', async () => {
    const res = await fetch(`${host.url}/api/no-such-route`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { detail: string }).detail).toBe('no route /api/no-such-route');
  });

  it('when a route ends with an optional parameter, then the path may stop before it (as the Functions host reads it)', () => {
    expect(matchRoute('{page?}', '')).toEqual({});
    expect(matchRoute('{page?}', 'index.html')).toEqual({ page: 'index.html' });
    expect(matchRoute('{page?}', 'api/me')).toBeNull();
    expect(matchRoute('console/{file}', 'console')).toBeNull();
    expect(matchRoute('onboardings/{id}', 'onboardings/a/b')).toBeNull();
  });
});

describe('the console in Azure', () => {
  const azure = {
    CosmosDb__accountEndpoint: 'https://cosmos.example',
    CosmosDb__databaseName: 'onboarding',
    Auth__issuer: 'https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0',
    Auth__audience: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
    Auth__jwksUri: 'https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/discovery/v2.0/keys',
    Graph__vpnGroupId: 'g',
    Graph__licenseSkuId: 's',
  };

  it("when the settings name the console's client and the API's scope, then the page signs in with Entra ID, authority the issuer's tenant", () => {
    const config = loadConfig({
      ...azure,
      Console__clientId: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
      Console__apiScope: 'api://aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee/access_as_user',
    });
    expect(config.Console__signIn).toBe('entra');
    const signIn = consoleSignIn(config);
    expect(signIn).toEqual({
      kind: 'entra',
      clientId: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
      authority: 'https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555',
      scopes: ['api://aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee/access_as_user'],
    });
    // The page may reach the authority (metadata, the code's redemption), and nothing else outside its origin.
    expect(consoleCsp(signIn).split('; ')).toEqual(
      expect.arrayContaining(["connect-src 'self' https://login.microsoftonline.com", "frame-src 'none'"]),
    );
  });

  it('when the sign-in is not configured, then the page is told so with a 503 problem naming the settings, not a broken sign-in', async () => {
    const services = { config: loadConfig(azure) } as Services;
    const fn = webConsole(() => Promise.resolve(services)).find((f) => f.name === 'console-files')!;
    const res = await fn.handler(
      new HttpRequest({
        method: 'GET',
        url: 'https://app.example/console/config.json',
        params: { file: 'config.json' },
      }),
      new InvocationContext(),
    );
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body as string) as { detail: string }).toMatchObject({
      detail: expect.stringContaining('Console__clientId') as unknown,
    });
  });
});

describe('GET /api/me', () => {
  it('when a person asks, then the API answers who they are and their roles; an application is named by its client id', async () => {
    const person = await host.token('auditeur@example.org', [Roles.onboardingRead]);
    const me = await api.get<{ kind: string; name: string; roles: string[] }>('/api/me', person);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ kind: 'person', name: 'auditeur@example.org', roles: [Roles.onboardingRead] });
    const app = await host.appToken('sirh', [Roles.hrEventsSend]);
    expect((await api.get('/api/me', app)).body).toMatchObject({ kind: 'app', name: `app:${appIdFor('sirh')}` });
  });

  it('when the token is missing, then 401; when it holds no role of the API (a manager), then who they are, with no role', async () => {
    expect((await api.get('/api/me')).status).toBe(401);
    const manager = await api.get<{ kind: string; name: string; roles: string[] }>(
      '/api/me',
      await host.token('personne@example.org', []),
    );
    expect(manager.status).toBe(200);
    expect(manager.body).toMatchObject({ kind: 'person', name: 'personne@example.org', roles: [] });
  });
});

describe(`POST ${DEV_SIGN_IN_PATH} (the local host's picker)`, () => {
  const post = (body: string, type = 'application/json') =>
    fetch(`${host.url}${DEV_SIGN_IN_PATH}`, { method: 'POST', headers: { 'content-type': type }, body });

  it('when a person and roles are picked, then the token is a one-hour person token the API accepts', async () => {
    const res = await post(JSON.stringify({ user: 'chef.dsi@example.org', roles: [Roles.onboardingApprove] }));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { access_token: string; token_type: string; expires_in: number };
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: DEV_TOKEN_LIFETIME_SECONDS });
    const claims = decodeJwt(body.access_token);
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(3600);
    expect(claims).toMatchObject({
      preferred_username: 'chef.dsi@example.org',
      idtyp: 'user',
      roles: [Roles.onboardingApprove],
    });
    expect((await api.get('/api/me', body.access_token)).body).toMatchObject({ name: 'chef.dsi@example.org' });
  });

  it('when the body is not JSON, names no upn, or asks for a role the API does not have, then it is refused', async () => {
    // A form post from another site's page is not JSON: it cannot get a token without a CORS preflight.
    expect((await post('user=a@example.org', 'application/x-www-form-urlencoded')).status).toBe(415);
    expect((await post(JSON.stringify({ user: 'not a upn', roles: [] }))).status).toBe(400);
    expect((await post(JSON.stringify({ user: 'a@example.org', roles: ['Global.Admin'] }))).status).toBe(400);
    expect((await fetch(`${host.url}${DEV_SIGN_IN_PATH}`)).status).toBe(405);
  });

  it('when another site asks the browser for a preflight, then no CORS header allows it', async () => {
    const res = await fetch(`${host.url}${DEV_SIGN_IN_PATH}`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
