import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { z } from 'zod';
import type { SetAsideMessages } from '../shared/app/operations/set-aside-messages';
import { createFileDurably } from './journal';
import type { SimulatedTenant } from './simulated-tenant';

/**
 * The local host's operator endpoints, outside the API (`/.local/...`): the simulated tenant's state and
 * the messages set aside (`npm run dlq`). Each needs the admin token kept in the state folder, readable by
 * its owner only, so that nothing else on the machine (a page in a browser, another user) reads them.
 */
export const ADMIN_PREFIX = '/.local/';
const TOKEN_FILE = 'admin-token';

export async function loadOrCreateAdminToken(stateDir: string): Promise<string> {
  const file = path.join(stateDir, TOKEN_FILE);
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const token = randomBytes(32).toString('base64url');
  try {
    createFileDurably(file, token);
    return token;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return (await readFile(file, 'utf8')).trim();
  }
}

/** The admin token of a local host whose state is in `stateDir` (for `npm run dlq`). */
export async function readAdminToken(stateDir: string): Promise<string> {
  return (await readFile(path.join(stateDir, TOKEN_FILE), 'utf8')).trim();
}

const resubmitBodySchema = z.object({ ids: z.array(z.string().min(1).max(512)).min(1).max(500) }).strict();

export function answer(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
}

function authorized(req: IncomingMessage, token: string): boolean {
  const given = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Serves `/.local/...`; answers false when the path is not one of them. */
export function adminRoutes(deps: { token: string; tenant: SimulatedTenant; setAside: SetAsideMessages }) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    if (!url.pathname.startsWith(ADMIN_PREFIX)) return false;
    if (!authorized(req, deps.token)) {
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' });
      res.end(JSON.stringify({ error: 'the admin token of the state folder (admin-token) is required' }));
      return true;
    }
    const route = `${req.method ?? 'GET'} ${url.pathname.slice(ADMIN_PREFIX.length)}`;
    switch (route) {
      case 'GET simulated-tenant':
        // Users with department and manager (object id), VPN and team members, licences, Autopilot, the Temporary
        // Access Passes without the passes, the ledger (SimulatedTenant.operatorView).
        answer(res, 200, deps.tenant.operatorView());
        return true;
      case 'GET teams':
        // What the DSI's Teams channel received, as the webhook took it (posted, or lost with its reason).
        answer(res, 200, { items: deps.tenant.teamsCards });
        return true;
      case 'GET set-aside': {
        const queue = url.searchParams.get('queue');
        answer(res, 200, { items: await deps.setAside.list(queue ? { queue } : {}) });
        return true;
      }
      case 'POST set-aside/resubmit': {
        const parsed = resubmitBodySchema.safeParse(await readJson(req).catch(() => null));
        if (!parsed.success) {
          answer(res, 400, { error: 'the body must be { "ids": [...] }' });
          return true;
        }
        const results = [];
        for (const id of parsed.data.ids) results.push({ id, messageId: await deps.setAside.resubmit(id) });
        answer(res, 200, { results });
        return true;
      }
      default:
        answer(res, 404, { error: `no admin route ${route}` });
        return true;
    }
  };
}
