import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { HttpFunctionDefinition } from './definition';
import type { ServicesProvider } from '../shared/app/services';
import type { Config } from '../shared/config';
import { json, problem } from '../shared/http/problem';
import { describeError } from '../shared/telemetry/redaction';
import { after } from '../shared/iso-duration';

/** The folder `npm run build` writes the console to, beside the compiled functions (dist/, .deploy/). */
export const CONSOLE_DIR_NAME = 'console';

/** The console's files, by the name they are served under (`/console/<name>`; the page itself at `/`). */
const ASSETS = new Map([
  ['app.js', 'text/javascript; charset=utf-8'],
  ['app.css', 'text/css; charset=utf-8'],
]);

/**
 * What the page may load and where it may connect: its own files and API, and, in Azure, the sign-in's
 * authority (MSAL reads its metadata and redeems the code there; the sign-in itself is a navigation). No
 * inline script, no other origin, no framing.
 */
export function consoleCsp(signIn: ConsoleSignIn | null): string {
  const authority = signIn?.kind === 'entra' ? ` ${new URL(signIn.authority).origin}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self'${authority}`,
    "frame-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    `form-action 'self'${authority}`,
  ].join('; ');
}

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // Each deployment may change the files: the browser asks again each time, with the ETag it holds (304).
  'cache-control': 'no-cache',
};

/** Where the built console is: beside the compiled functions, or under dist/ when run from the sources (tsx). */
async function readConsoleFile(name: string): Promise<Buffer> {
  const candidates = [
    path.join(__dirname, '..', CONSOLE_DIR_NAME, name),
    path.join(__dirname, '..', 'dist', CONSOLE_DIR_NAME, name),
  ];
  let last: unknown;
  for (const file of candidates) {
    try {
      return await readFile(file);
    } catch (err) {
      last = err;
    }
  }
  throw new Error(`the web console is not built (npm run build): ${name}: ${describeError(last)}`);
}

/** What the page needs to sign people in: never a secret (a single-page application has none). */
export type ConsoleSignIn =
  { kind: 'development' } | { kind: 'entra'; clientId: string; authority: string; scopes: string[] };

/**
 * The console's sign-in, from the settings. Entra ID's authority is the issuer without its `/v2.0`
 * (`https://login.microsoftonline.com/<tenant>`); the scope is the API's delegated one.
 */
export function consoleSignIn(config: Config): ConsoleSignIn | null {
  if (config.Console__signIn === 'development') return { kind: 'development' };
  if (!config.Console__clientId || !config.Console__apiScope) return null;
  return {
    kind: 'entra',
    clientId: config.Console__clientId,
    authority: config.Auth__issuer.replace(/\/v2\.0\/?$/, ''),
    scopes: [config.Console__apiScope],
  };
}

/**
 * A file of the console, with a strong ETag of its bytes: a browser that holds it already gets 304 and no
 * body (RFC 9110 §13.1.2, If-None-Match).
 */
async function serveFile(req: HttpRequest, name: string, contentType: string, csp: string): Promise<HttpResponseInit> {
  const bytes = await readConsoleFile(name);
  const etag = `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"`;
  const headers = { 'content-type': contentType, 'content-security-policy': csp, etag, ...SECURITY_HEADERS };
  const held = (req.headers.get('if-none-match') ?? '').split(',').map((t) => t.trim().replace(/^W\//, ''));
  if (held.includes(etag) || held.includes('*')) return { status: 304, headers };
  return { status: 200, headers, body: new Uint8Array(bytes) };
}

/**
 * The DSI web console: a single page that signs people in itself and calls the API with their token.
 * `GET /` (and `/index.html`) the page; `GET /console/app.js`, `/console/app.css` its files,
 * `/console/config.json` how it signs in here. Anonymous: nothing in them is a secret or personal data.
 *
 * Two routes that no API route can match (`{page?}`: one segment at most; `console/{file}`), and no
 * catch-all: the Functions host tries routes in the order of the functions' names, not the most literal
 * first, so a catch-all would take the API's GET routes whose names sort after it.
 */
export function webConsole(services: ServicesProvider): HttpFunctionDefinition[] {
  const signIn = async () => consoleSignIn((await services()).config);
  const guarded =
    (serve: (req: HttpRequest, name: string, signIn: ConsoleSignIn | null) => Promise<HttpResponseInit>) =>
    async (req: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
      try {
        return await serve(req, req.params.page ?? req.params.file ?? '', await signIn());
      } catch (err) {
        context.error(describeError(err));
        return problem(500, 'the web console is missing from this deployment');
      }
    };
  return [
    {
      kind: 'http',
      name: 'console-page',
      methods: ['GET'],
      route: '{page?}',
      root: true,
      handler: guarded(async (req, page, config) =>
        page === '' || page === 'index.html'
          ? serveFile(req, 'index.html', 'text/html; charset=utf-8', consoleCsp(config))
          : problem(404, `no route /${page}`),
      ),
    },
    {
      kind: 'http',
      name: 'console-files',
      methods: ['GET'],
      route: 'console/{file}',
      root: true,
      handler: guarded(async (req, file, config) => {
        if (file === 'config.json') {
          if (!config) {
            return problem(503, 'the console has no sign-in configured (Console__clientId, Console__apiScope)');
          }
          // The approval's windows too: the page says until when a decision can be undone, when one expires.
          const settings = (await services()).config;
          const approval = {
            undoMinutes: settings.Approval__undoMinutes,
            expiresAfterHours: after(new Date(0), settings.Approval__expiresAfter).getTime() / 3_600_000,
          };
          return json(200, { signIn: config, approval }, { 'cache-control': 'no-store' });
        }
        const type = ASSETS.get(file);
        return type ? serveFile(req, file, type, consoleCsp(config)) : problem(404, `no route /console/${file}`);
      }),
    },
  ];
}
