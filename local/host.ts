import type { GraphBudget } from '../shared/adapters/graph/graph-budget';
import { ALLOCATION_TICK_MS } from '../shared/app/laptops/allocation-requests';
import { InvocationContext, type InvocationContextInit, type LogHandler } from '@azure/functions';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { allFunctions } from '../functions/all-functions';
import type { FunctionDefinition, HttpFunctionDefinition, TimerFunctionDefinition } from '../functions/definition';
import { durationMs, QUEUE_DEFINITIONS, QUEUES, type QueueDefinition } from '../shared/app/queues';
import type { Ports, Services } from '../shared/app/services';
import { createSetAsideMessages } from '../shared/app/operations/set-aside-messages';
import { systemClock, type Clock } from '../shared/ports/clock';
import { describeError } from '../shared/telemetry/redaction';
import { adminRoutes, loadOrCreateAdminToken } from './admin';
import { issueToken, loadOrCreateSigningKey } from './dev-issuer';
import { DEV_TOKEN_LIFETIME_SECONDS, devSignInRoute } from './dev-sign-in';
import { compact, openDurableState, type LocalRecord } from './durable-state';
import { syncDirectoryFromHr } from './hr-directory-sync';
import { listen } from './http-listener';
import type { EmbeddedCosmos } from './embedded-cosmos';
import type { Journal } from './journal';
import { LocalServiceBus, type BusFaults, type LocalMessage, type QueueExpiry } from './local-bus';
import { localSettings, PROJECT_ROOT, simulatedTenantOptions } from './local-settings';
import { startLocalStack } from './local-stack';
import type { SimulatedTenant, SimulatedTenantOptions } from './simulated-tenant';

export interface LocalHostOptions {
  /** 0 picks a free port. Default: PORT, else 7071. */
  port?: number;
  /** Where state and the issuer key live. Default: LOCAL_STATE_DIR, else .local/. */
  stateDir?: string;
  /**
   * Keep state on disk: every acknowledged change is journaled before the answer, and replayed at the next
   * start (npm start does; tests usually don't).
   */
  persist?: boolean;
  env?: NodeJS.ProcessEnv;
  laptopStock?: number;
  /** How long a delivery holds its message lock (tests shorten it to stage redeliveries). Default 5 minutes. */
  lockDurationMs?: number;
  /** The simulated Microsoft 365 tenant's settings (seats, throttling, faults...). */
  tenant?: SimulatedTenantOptions;
  /** Faults of the local bus (tests of at-least-once delivery). */
  busFaults?: BusFaults;
  /** Tests only: wrap the adapters the services use (crash injection). */
  wrapPorts?: (ports: Ports) => Ports;
  clock?: Clock;
  /** Where the functions' logs go. Default: the console. */
  logHandler?: LogHandler;
  /**
   * Instances of the function app consuming the queues, as Azure scales out (competing consumers, one
   * Graph budget). Default: LOCAL_INSTANCES, else 1. HTTP and timers run on the first.
   */
  instances?: number;
}

export interface LocalHost {
  url: string;
  port: number;
  bus: LocalServiceBus;
  tenant: SimulatedTenant;
  /** The embedded Cosmos DB endpoint (its `stats` count operations when set). */
  cosmos: EmbeddedCosmos;
  services: Services;
  /** The adapters of the first instance: tests and the benchmark read and seed the stores through them. */
  ports: Ports;
  /** The Graph budget of each instance (what it leased, waited, was told); none if the tenant does not throttle. */
  budgets: GraphBudget[];
  /** A bearer token from the development issuer, for a person (`claims`: tests only, set or override claims). */
  token(user: string, roles: string[], claims?: Record<string, unknown>): Promise<string>;
  /** An application token (client credentials), as the HR system gets one. */
  appToken(app: string, roles: string[]): Promise<string>;
  /** The token of the operator endpoints under /.local/ (kept in the state folder). */
  adminToken: string;
  /** Runs each timer function once now (the sweepers), as their schedule would. */
  runTimers(): Promise<void>;
  /** Resolves once no message is waiting or being handled (scheduled ones aside). */
  whenIdle(timeoutMs?: number): Promise<void>;
  /** A clean stop, bounded in time: requests and handlers in flight get `deadlineMs` (default 5 s). */
  stop(deadlineMs?: number): Promise<void>;
  /**
   * Tests only, as a kill -9 at this instant seen from outside: synchronously, every connection is cut, no
   * message is delivered and no timer fires any more; nothing it acknowledged after this returns. (What is on
   * disk is what it was: copy the state folder just before, and start a host on the copy.) The promise frees
   * the embedded servers once the handlers still running have finished.
   */
  crash(): Promise<void>;
}

/** The Functions host's settings, as Azure reads them (concurrency per instance). */
const HOST_JSON = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'host.json'), 'utf8')) as {
  extensions: { serviceBus: { maxConcurrentCalls: number } };
};

export const JWKS_PATH = '/.dev-issuer/discovery/v2.0/keys';
const COMPACT_CHECK_MS = 10_000;

/** Each queue's message time to live and what expiry does, as the Bicep deploys them (service-bus-queues.json). */
export function queueExpiry(definitions: readonly QueueDefinition[] = QUEUE_DEFINITIONS): Record<string, QueueExpiry> {
  return Object.fromEntries(
    definitions.map((q) => [
      q.name,
      {
        timeToLiveMs: durationMs(q.defaultMessageTimeToLive),
        deadLetteringOnMessageExpiration: q.deadLetteringOnMessageExpiration,
      },
    ]),
  );
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

/** Journal sinks for each component, tagged with where the record comes from. */
function sinks(journal: Journal) {
  const flush = () => journal.flush();
  const append = (record: LocalRecord) => journal.append(record);
  return {
    cosmos: { append: (r: Extract<LocalRecord, { s: 'cosmos' }>['r']) => append({ s: 'cosmos', r }), flush },
    bus: { append: (r: Extract<LocalRecord, { s: 'bus' }>['r']) => append({ s: 'bus', r }), flush },
    tenant: { append: (r: Extract<LocalRecord, { s: 'tenant' }>['r']) => append({ s: 'tenant', r }), flush },
  };
}

/**
 * The local stand-in for `func start`: every function of functions/ behind one HTTP listener, fed the
 * same HttpRequest and InvocationContext objects as the Functions host, with the embedded Cosmos DB
 * endpoint, the in-process Service Bus, the simulated Microsoft 365 tenant and the development token issuer.
 * With `persist`, what it acknowledges survives a kill -9: the journal has it before the answer goes out.
 */
export async function startLocalHost(options: LocalHostOptions = {}): Promise<LocalHost> {
  const env = options.env ?? process.env;
  const settings = localSettings(env);
  const stateDir = options.stateDir ?? settings.LOCAL_STATE_DIR;
  const log = (line: string) => console.error(line);
  const durable = options.persist
    ? await openDurableState(stateDir, { startAfresh: settings.LOCAL_START_AFRESH, log })
    : null;
  const saved = durable?.state ?? null;
  const journal = durable?.journal;
  const journalSinks = journal ? sinks(journal) : undefined;

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

  const key = await loadOrCreateSigningKey(stateDir);
  const adminToken = await loadOrCreateAdminToken(stateDir);
  // Listening first (the issuer's keys are served at this address); requests get 503 until everything is up.
  const listener = await listen(options.port ?? settings.PORT);
  const { url, port } = listener;

  // The queues' limits as the Bicep declares them (one definition serves every queue here).
  const queue = QUEUE_DEFINITIONS[0];
  const bus = new LocalServiceBus({
    maxDeliveryCount: queue?.maxDeliveryCount ?? 10,
    duplicateDetectionWindowMs: durationMs(queue?.duplicateDetectionHistoryTimeWindow ?? 'PT10M'),
    maxConcurrentCalls: HOST_JSON.extensions.serviceBus.maxConcurrentCalls,
    sessionQueues: QUEUE_DEFINITIONS.filter((q) => q.requiresSession).map((q) => q.name),
    expiry: queueExpiry(),
    now: () => (options.clock ?? systemClock).now().getTime(),
    ...(options.lockDurationMs ? { lockDurationMs: options.lockDurationMs } : {}),
    ...(journalSinks ? { journal: journalSinks.bus } : {}),
    ...(options.busFaults ? { faults: options.busFaults } : {}),
  });
  const stack = await startLocalStack({
    env: { Console__publicUrl: `${url}/`, Console__signIn: 'development', ...env },
    clock: options.clock ?? systemClock,
    bus,
    jwks: { uri: `${url}${JWKS_PATH}` },
    issuer: settings.Auth__issuer,
    audience: settings.Auth__audience,
    laptopStock: options.laptopStock ?? settings.LOCAL_LAPTOP_STOCK,
    licenseSeats: settings.LOCAL_LICENSE_SEATS,
    saved,
    tenant: { ...simulatedTenantOptions(settings), ...options.tenant },
    ...(journalSinks ? { journal: { cosmos: journalSinks.cosmos, tenant: journalSinks.tenant } } : {}),
    ...(options.wrapPorts ? { wrapPorts: options.wrapPorts } : {}),
  });
  const { services, tenant } = stack;
  const config = services.config;

  const definitions: FunctionDefinition[] = allFunctions(() => Promise.resolve(services));
  const timerDefinitions = definitions.filter((d): d is TimerFunctionDefinition => d.kind === 'timer');
  const timers: NodeJS.Timeout[] = [];
  const jwks = JSON.stringify({ keys: [key.publicJwk] });
  const admin = adminRoutes({
    token: adminToken,
    tenant,
    setAside: createSetAsideMessages({ rejected: services.operations.rejectedMessages, deadLetters: bus }),
  });

  /** An instance's queue functions consume their queues (each instance competes for the messages). */
  const consume = (queueDefinitions: FunctionDefinition[]) => {
    for (const def of queueDefinitions) {
      if (def.kind !== 'serviceBusQueue') continue;
      bus.subscribe(def.queueName, (message: LocalMessage, lockToken: string) => {
        if (def.queueName === QUEUES.hrEvents) syncDirectoryFromHr(tenant, message.body);
        const context = invocation(def.name, {
          triggerMetadata: {
            messageId: message.messageId,
            deliveryCount: message.deliveryCount,
            lockToken,
            sequenceNumber: message.sequenceNumber,
            enqueuedTimeUtc: message.enqueuedTimeUtc,
            ...(message.expiresAtUtc ? { expiresAtUtc: message.expiresAtUtc } : {}),
            contentType: message.contentType,
            correlationId: message.correlationId,
            subject: message.subject,
            sessionId: message.sessionId,
            applicationProperties: message.applicationProperties ?? {},
          },
          options: { trigger: { type: 'serviceBusTrigger', name: 'message' } },
        });
        // As the Functions host does: a failed invocation is logged with its exception (the bus redelivers).
        return def.handler(message.body, context).catch((err: unknown) => {
          context.error(
            `Executed 'Functions.${def.name}' (Failed): ${err instanceof Error ? err.message : String(err)}`,
          );
          throw err;
        });
      });
    }
  };
  consume(definitions);
  const budgets = stack.budget ? [stack.budget] : [];
  for (let i = 1; i < (options.instances ?? settings.LOCAL_INSTANCES); i++) {
    const other = stack.instance();
    if (other.budget) budgets.push(other.budget);
    consume(allFunctions(() => Promise.resolve(other.services)));
  }
  for (const def of timerDefinitions) {
    const timer = setInterval(
      () => {
        const context = invocation(def.name);
        def
          .handler(context)
          .catch((err: unknown) => context.error(`Executed 'Functions.${def.name}' (Failed): ${describeError(err)}`));
      },
      settings.LOCAL_TIMER_SECONDS * 1000 || def.everyMinutes * 60_000,
    );
    timer.unref();
    timers.push(timer);
  }
  if (saved) bus.restore(saved.bus);

  // From time to time the journal is folded into a new snapshot, so that a start replays little.
  let compacting: Promise<void> | null = null;
  const compactNow = (): Promise<void> => {
    if (!journal) return Promise.resolve();
    compacting ??= compact(stateDir, journal, async () => ({
      cosmos: await stack.cosmos.snapshot(),
      bus: bus.snapshot(),
      tenant: tenant.snapshot(),
    })).finally(() => (compacting = null));
    return compacting;
  };
  if (journal) {
    const check = setInterval(() => {
      if (journal.bytes > settings.LOCAL_JOURNAL_COMPACT_BYTES) {
        compactNow().catch((err: unknown) => log(`local host: compaction failed: ${String(err)}`));
      }
    }, COMPACT_CHECK_MS);
    check.unref();
    timers.push(check);
  }

  listener.serve({
    functions: definitions.filter((d): d is HttpFunctionDefinition => d.kind === 'http'),
    invocation: (name) => invocation(name, { options: { trigger: { type: 'httpTrigger', name: 'request' } } }),
    extra: [
      (_req, res, requestUrl) => {
        if (requestUrl.pathname !== JWKS_PATH) return Promise.resolve(false);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(jwks);
        return Promise.resolve(true);
      },
      admin,
      devSignInRoute((user, roles) =>
        issueToken(key, {
          user,
          roles,
          issuer: config.Auth__issuer,
          audience: config.Auth__audience,
          lifetimeSeconds: DEV_TOKEN_LIFETIME_SECONDS,
        }),
      ),
    ],
  });

  let stopped: Promise<void> | null = null;
  return {
    url,
    port,
    bus,
    tenant,
    cosmos: stack.cosmos,
    services,
    ports: stack.ports,
    budgets,
    adminToken,
    token: (user, roles, claims) =>
      issueToken(key, {
        user,
        roles,
        issuer: config.Auth__issuer,
        audience: config.Auth__audience,
        ...(claims ? { claims } : {}),
      }),
    appToken: (app, roles) =>
      issueToken(key, { app, roles, issuer: config.Auth__issuer, audience: config.Auth__audience }),
    async runTimers() {
      for (const def of timerDefinitions) await def.handler(invocation(def.name));
    },
    async whenIdle(timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      // Two idle readings in a row: a handler that just finished may have queued the next message. A
      // message scheduled within the allocation tick (a pass asked for) is work under way.
      let idleReadings = 0;
      while (idleReadings < 2) {
        if (Date.now() > deadline) throw new Error(`the local bus was still busy after ${timeoutMs} ms`);
        idleReadings = bus.isIdle({ [QUEUES.laptopAllocation]: ALLOCATION_TICK_MS + 100 }) ? idleReadings + 1 : 0;
        await new Promise((r) => setTimeout(r, 15));
      }
    },
    crash() {
      listener.abort();
      timers.forEach(clearInterval);
      // The handlers still running finish against this host's own stores and tenant (nobody sees them any
      // more), rather than retrying against servers gone.
      const closing = bus.close(10_000);
      stopped ??= (async () => {
        await closing;
        await journal?.close();
        await stack.stop();
      })();
      return stopped;
    },
    stop(deadlineMs = 5000) {
      stopped ??= (async () => {
        timers.forEach(clearInterval);
        await listener.close(deadlineMs);
        await bus.close(deadlineMs);
        if (journal) {
          await compacting;
          await compactNow();
          await journal.close();
        }
        await stack.stop();
      })();
      return stopped;
    },
  };
}
