import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { HttpResponseInit } from '@azure/functions';
import type { HttpFunctionDefinition } from './definition';
import type { ServicesProvider } from '../shared/app/services';
import type { Config } from '../shared/config';
import { json, problem } from '../shared/http/problem';
import { describeError } from '../shared/telemetry/redaction';

/** The folder `npm run build` writes the console to, beside the compiled functions (dist/, .deploy/). */
export const CONSOLE_DIR_NAME = 'console';

/** The console's files, by the name they are served under (`/console/<name>`; the page itself at `/`). */
const ASSETS: Record<string, string> = {
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

/**
 * What the page may load and where it may connect: its own files and API, and Entra ID for the sign-in
 * (MSAL redirects there and reads its keys and metadata). No inline script, no other origin, no framing.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self' https://login.microsoftonline.com",
  'frame-src https://login.microsoftonline.com',
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self' https://login.microsoftonline.com",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // Each deployment may change the files: the browser asks again (and gets them from its cache when unchanged).
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

async function serveFile(name: string, contentType: string): Promise<HttpResponseInit> {
  return {
    status: 200,
    headers: { 'content-type': contentType, ...SECURITY_HEADERS },
    body: new Uint8Array(await readConsoleFile(name)),
  };
}

/**
 * `GET /` (and `/index.html`): the DSI web console, a single page that signs people in itself and calls the
 * API with their token; `/console/app.js`, `/console/app.css` its files; `/console/config.json` how it
 * signs in here. Anonymous: nothing in them is a secret or personal data. Any other path is 404.
 */
export function webConsole(services: ServicesProvider): HttpFunctionDefinition {
  return {
    kind: 'http',
    name: 'console',
    methods: ['GET'],
    route: '{*path}',
    root: true,
    async handler(req, context) {
      const file = req.params.path ?? '';
      try {
        if (file === '' || file === 'index.html') return await serveFile('index.html', 'text/html; charset=utf-8');
        const asset = /^console\/([\w.-]+)$/.exec(file)?.[1];
        if (asset === 'config.json') {
          const signIn = consoleSignIn((await services()).config);
          if (!signIn) {
            return problem(503, 'the console has no sign-in configured (Console__clientId, Console__apiScope)');
          }
          return json(200, { signIn }, { 'cache-control': 'no-store' });
        }
        const type = asset === undefined ? undefined : ASSETS[asset];
        if (asset !== undefined && type) return await serveFile(asset, type);
        return problem(404, `no route /${file}`);
      } catch (err) {
        context.error(describeError(err));
        return problem(500, 'the web console is missing from this deployment');
      }
    },
  };
}
