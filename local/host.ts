import {
  HttpRequest,
  HttpResponse,
  InvocationContext,
  type HttpResponseInit,
  type InvocationContextInit,
  type LogHandler,
} from '@azure/functions';
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { allFunctions } from '../functions/all-functions';
import type { FunctionDefinition, HttpFunctionDefinition } from '../functions/definition';
import { durationMs, QUEUE_DEFINITIONS, QUEUES } from '../shared/app/queues';
import type { Services } from '../shared/app/services';
import { MAX_BODY_BYTES } from '../shared/http/http-handler';
import { problem } from '../shared/http/problem';
import { systemClock, type Clock } from '../shared/ports/clock';
import { issueToken, loadOrCreateSigningKey, type DevSigningKey } from './dev-issuer';
import { createSetAsideMessages } from '../shared/app/set-aside-messages';
import { adminRoutes, loadOrCreateAdminToken } from './admin';
import { syncDirectoryFromHr } from './hr-directory-sync';
import { startLocalStack } from './local-stack';
import { simulatedTenantStateSchema, type SimulatedTenant, type SimulatedTenantOptions } from './simulated-tenant';
import { localBusSnapshotSchema, LocalServiceBus, type LocalMessage } from './local-bus';
import { localSettings, simulatedTenantOptions } from './local-settings';

export interface LocalHostOptions {
  /** 0 picks a free port. Default: PORT, else 7071. */
  port?: number;
  /** Where state and the issuer key live. Default: LOCAL_STATE_DIR, else .local/. */
  stateDir?: string;
  /** Save state at stop and load it at start (npm start does; tests usually don't). */
  persist?: boolean;
  env?: NodeJS.ProcessEnv;
  laptopStock?: number;
  /** How long a delivery holds its message lock (tests shorten it to stage redeliveries). Default 5 minutes. */
  lockDurationMs?: number;
  /** The simulated Microsoft 365 tenant's settings (seats, throttling, faults...). */
  tenant?: SimulatedTenantOptions;
  clock?: Clock;
  /** Where the functions' logs go. Default: the console. */
  logHandler?: LogHandler;
}

export interface LocalHost {
  url: string;
  port: number;
  bus: LocalServiceBus;
  tenant: SimulatedTenant;
  services: Services;
  /** A bearer token from the development issuer, for a person. */
  token(user: string, roles: string[]): Promise<string>;
  /** An application token (client credentials), as the HR system gets one. */
  appToken(app: string, roles: string[]): Promise<string>;
  /** The token of the operator endpoints under /.local/ (kept in the state folder). */
  adminToken: string;
  /** Resolves once no message is waiting or being handled (scheduled ones aside). */
  whenIdle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const STATE_FILE = 'state.json';
export const JWKS_PATH = '/.dev-issuer/discovery/v2.0/keys';

/** The shape of state.json; a file of another shape (an older version's) is set aside, not loaded half-way. */
const savedStateSchema = z.object({
  cosmos: z.record(z.string(), z.array(z.record(z.string(), z.unknown()))),
  bus: localBusSnapshotSchema,
  tenant: simulatedTenantStateSchema,
});
type SavedState = z.infer<typeof savedStateSchema>;

async function readState(stateDir: string): Promise<SavedState | null> {
  const file = path.join(stateDir, STATE_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let parsed: ReturnType<typeof savedStateSchema.safeParse> | undefined;
  try {
    parsed = savedStateSchema.safeParse(JSON.parse(text));
  } catch {
    parsed = undefined;
  }
  if (parsed?.success) return parsed.data;
  const aside = `${file}.unreadable-${Date.now()}`;
  await rename(file, aside);
  console.error(`local host: ${file} is not state this version can load; moved to ${aside}, starting afresh`);
  return null;
}

async function writeState(stateDir: string, state: SavedState): Promise<void> {
  await mkdir(stateDir, { recursive: true });
  const tmp = path.join(stateDir, `${STATE_FILE}.${process.pid}.tmp`);
  await writeFile(tmp, JSON.stringify(state));
  await rename(tmp, path.join(stateDir, STATE_FILE));
}

/** Matches `onboardings/{id}/history` against a path; returns the route parameters. */
function matchRoute(template: string, pathname: string): Record<string, string> | null {
  const want = template.split('/');
  const got = pathname.split('/');
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] ?? '';
    const g = got[i] ?? '';
    const param = /^\{(\w+)\}$/.exec(w);
    if (param?.[1]) {
      if (!g) return null;
      try {
        params[param[1]] = decodeURIComponent(g);
      } catch {
        return null; // a malformed escape (%E0): no such route
      }
    } else if (w.toLowerCase() !== g.toLowerCase()) return null;
  }
  return params;
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: Buffer | string): void {
  res.writeHead(status, headers);
  res.end(body);
}

function sendInit(res: ServerResponse, init: HttpResponseInit): void {
  const headers = new Headers(init.headers);
  const out: Record<string, string> = {};
  headers.forEach((v, k) => (out[k] = v));
  send(res, init.status ?? 200, out, typeof init.body === 'string' ? init.body : '');
}

/** Reads the request body; null when it exceeds the limit (the caller answers 413). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Structured logs: one JSON object a line, with the function and invocation (as Application Insights keeps them). */
function jsonLog(functionName: string, invocationId: string): LogHandler {
  return (level, ...args) => {
    if (level === 'trace' || level === 'debug') return;
    const message = args
      .map((a) => (a instanceof Error ? (a.stack ?? a.message) : typeof a === 'string' ? a : JSON.stringify(a)))
      .join(' ');
    const line = JSON.stringify({
      time: new Date().toISOString(),
      level,
      function: functionName,
      invocationId,
      message,
    });
    if (level === 'error' || level === 'critical' || level === 'warning') console.error(line);
    else console.log(line);
  };
}

/**
 * The local stand-in for `func start`: every function of functions/ behind one HTTP listener, fed the
 * same HttpRequest and InvocationContext objects as the Functions host, with the embedded Cosmos DB
 * endpoint, the in-process Service Bus, the simulated Microsoft 365 tenant and the development token issuer.
 */
export async function startLocalHost(options: LocalHostOptions = {}): Promise<LocalHost> {
  const env = options.env ?? process.env;
  const settings = localSettings(env);
  const stateDir = options.stateDir ?? settings.LOCAL_STATE_DIR;
  const saved = options.persist ? await readState(stateDir) : null;
  /** An InvocationContext as the Functions host makes one: a fresh invocation id, logs tied to it. */
  const invocation = (
    functionName: string,
    init: Omit<InvocationContextInit, 'invocationId' | 'functionName' | 'logHandler'> = {},
  ) => {
    const invocationId = randomUUID();
    return new InvocationContext({
      ...init,
      invocationId,
      functionName,
      logHandler: options.logHandler ?? jsonLog(functionName, invocationId),
    });
  };

  const key: DevSigningKey = await loadOrCreateSigningKey(stateDir);

  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? settings.PORT, '127.0.0.1', resolve);
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  // The queues' limits as the Bicep declares them (one definition serves every queue here).
  const queue = QUEUE_DEFINITIONS[0];
  const bus = new LocalServiceBus({
    maxDeliveryCount: queue?.maxDeliveryCount ?? 10,
    duplicateDetectionWindowMs: durationMs(queue?.duplicateDetectionHistoryTimeWindow ?? 'PT10M'),
    maxConcurrentCalls: 16,
    ...(options.lockDurationMs ? { lockDurationMs: options.lockDurationMs } : {}),
  });
  const stack = await startLocalStack({
    env,
    clock: options.clock ?? systemClock,
    bus,
    jwks: { uri: `${url}${JWKS_PATH}` },
    issuer: settings.Auth__issuer,
    audience: settings.Auth__audience,
    laptopStock: options.laptopStock ?? settings.LOCAL_LAPTOP_STOCK,
    licenseSeats: settings.LOCAL_LICENSE_SEATS,
    saved,
    tenant: { ...simulatedTenantOptions(settings), ...options.tenant },
  });
  const { services, tenant } = stack;
  const config = services.config;

  const definitions: FunctionDefinition[] = allFunctions(() => Promise.resolve(services));
  const httpFunctions = definitions.filter((d): d is HttpFunctionDefinition => d.kind === 'http');
  const timers: NodeJS.Timeout[] = [];
  const jwks = JSON.stringify({ keys: [key.publicJwk] });
  const adminToken = await loadOrCreateAdminToken(stateDir);
  const admin = adminRoutes({
    token: adminToken,
    tenant,
    setAside: createSetAsideMessages({ rejected: services.rejectedMessages, deadLetters: bus }),
  });

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const requestUrl = new URL(req.url ?? '/', url);
      if (requestUrl.pathname === JWKS_PATH) {
        send(res, 200, { 'content-type': 'application/json' }, jwks);
        return;
      }
      if (await admin(req, res, requestUrl)) return;
      const routePath = requestUrl.pathname.startsWith('/api/') ? requestUrl.pathname.slice(5) : null;
      const matches =
        routePath === null
          ? []
          : httpFunctions.flatMap((fn) => {
              const params = matchRoute(fn.route, routePath);
              return params ? [{ fn, params }] : [];
            });
      const method = (req.method ?? 'GET').toUpperCase();
      const match = matches.find((m) => m.fn.methods.includes(method as HttpFunctionDefinition['methods'][number]));
      if (!match) {
        req.resume();
        if (matches.length > 0) {
          const allow = matches.flatMap((m) => m.fn.methods).join(', ');
          sendInit(res, problem(405, `${method} is not allowed here; use ${allow}`, { headers: { allow } }));
        } else sendInit(res, problem(404, `no route ${requestUrl.pathname}`));
        return;
      }
      const body = await readBody(req, MAX_BODY_BYTES);
      if (body === null) {
        sendInit(res, problem(413, `the body is larger than ${MAX_BODY_BYTES} bytes`));
        return;
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers))
        if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      const request = new HttpRequest({
        method,
        url: requestUrl.toString(),
        headers,
        params: match.params,
        ...(body.length > 0 && method !== 'GET' && method !== 'HEAD' ? { body: { bytes: body } } : {}),
      });
      const context = invocation(match.fn.name, { options: { trigger: { type: 'httpTrigger', name: 'request' } } });
      let response: HttpResponse;
      try {
        const result = await match.fn.handler(request, context);
        response = result instanceof HttpResponse ? result : new HttpResponse(result);
      } catch (err) {
        context.error('unhandled error', err);
        response = new HttpResponse(problem(500, 'an unexpected error occurred; it has been logged'));
      }
      const out: Record<string, string> = {};
      response.headers.forEach((v, k) => (out[k] = v));
      send(res, response.status, out, Buffer.from(await response.arrayBuffer()));
    })().catch((err: unknown) => {
      console.error('local host: request failed', err);
      if (!res.headersSent) sendInit(res, problem(500, 'the local host failed to serve this request'));
      else res.destroy();
    });
  });

  for (const def of definitions) {
    if (def.kind === 'serviceBusQueue') {
      bus.subscribe(def.queueName, (message: LocalMessage, lockToken: string) => {
        if (def.queueName === QUEUES.hrEvents) syncDirectoryFromHr(tenant, message.body);
        return def.handler(
          message.body,
          invocation(def.name, {
            triggerMetadata: {
              messageId: message.messageId,
              deliveryCount: message.deliveryCount,
              lockToken,
              sequenceNumber: message.sequenceNumber,
              enqueuedTimeUtc: message.enqueuedTimeUtc,
              contentType: message.contentType,
              correlationId: message.correlationId,
              subject: message.subject,
              sessionId: message.sessionId,
              applicationProperties: message.applicationProperties ?? {},
            },
            options: { trigger: { type: 'serviceBusTrigger', name: 'message' } },
          }),
        );
      });
    } else if (def.kind === 'timer') {
      const timer = setInterval(() => {
        const context = invocation(def.name);
        def.handler(context).catch((err: unknown) => context.error(err));
      }, def.everyMinutes * 60_000);
      timer.unref();
      timers.push(timer);
    }
  }
  if (saved) bus.restore(saved.bus);

  let stopped = false;
  return {
    url,
    port,
    bus,
    tenant,
    services,
    token: (user, roles) =>
      issueToken(key, { user, roles, issuer: config.Auth__issuer, audience: config.Auth__audience }),
    adminToken,
    appToken: (app, roles) =>
      issueToken(key, { app, roles, issuer: config.Auth__issuer, audience: config.Auth__audience }),
    async whenIdle(timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      // Two idle readings in a row: a handler that just finished may have queued the next message.
      let idleReadings = 0;
      while (idleReadings < 2) {
        if (Date.now() > deadline) throw new Error(`the local bus was still busy after ${timeoutMs} ms`);
        idleReadings = bus.isIdle() ? idleReadings + 1 : 0;
        await new Promise((r) => setTimeout(r, 15));
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      timers.forEach(clearInterval);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await bus.close();
      if (options.persist) {
        await writeState(stateDir, {
          cosmos: await stack.cosmos.snapshot(),
          bus: bus.snapshot(),
          tenant: tenant.snapshot(),
        });
      }
      await stack.stop();
    },
  };
}
