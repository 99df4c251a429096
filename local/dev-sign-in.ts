import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { Roles } from '../shared/domain/roles';
import { UPN_PATTERN } from '../shared/schemas/identity';
import { answer, readJson } from './admin';
import type { ExtraRoute } from './http-listener';

/** Where the web console gets a token on the local host (the picker of users and roles). */
export const DEV_SIGN_IN_PATH = '/.dev-issuer/token';

/** A person's token lives as long as Entra ID's default for an access token (60 to 90 minutes): one hour. */
export const DEV_TOKEN_LIFETIME_SECONDS = 3600;

const signInBodySchema = z
  .object({
    user: z.string().max(256).regex(UPN_PATTERN, 'must be a user principal name (name@domain)'),
    roles: z.array(z.enum(Object.values(Roles) as [string, ...string[]])).max(4),
  })
  .strict();

/**
 * `POST /.dev-issuer/token` `{ "user", "roles" }` → `{ access_token, token_type, expires_in }`: what
 * `npm run token -- --user` prints, for the console's sign-in picker. Local only, as the command line is.
 * A JSON body only: a page of another site cannot send one without a CORS preflight, which this never
 * allows, and the listener answers only requests addressed to its loopback names.
 */
export function devSignInRoute(issue: (user: string, roles: string[]) => Promise<string>): ExtraRoute {
  return async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    if (url.pathname !== DEV_SIGN_IN_PATH) return false;
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST', 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'POST { "user", "roles" }' }));
      return true;
    }
    if ((req.headers['content-type'] ?? '').split(';')[0]?.trim() !== 'application/json') {
      req.resume();
      answer(res, 415, { error: 'the body must be JSON (Content-Type: application/json)' });
      return true;
    }
    const parsed = signInBodySchema.safeParse(await readJson(req).catch(() => null));
    if (!parsed.success) {
      answer(res, 400, {
        error: 'invalid_request',
        error_description: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      });
      return true;
    }
    const accessToken = await issue(parsed.data.user, parsed.data.roles);
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(
      JSON.stringify({ access_token: accessToken, token_type: 'Bearer', expires_in: DEV_TOKEN_LIFETIME_SECONDS }),
    );
    return true;
  };
}
