import { createLocalJWKSet } from 'jose';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequestAllocation } from '../../shared/app/laptops/allocation-requests';
import { createLaptopStep } from '../../shared/app/laptops/laptop-step';
import { createLaptopStock, createResumeLaptopSteps, type LaptopStock } from '../../shared/app/laptops/laptop-stock';
import type { Ports, Services } from '../../shared/app/services';
import { systemClock } from '../../shared/ports/clock';
import type { Connectors, Provisioner } from '../../shared/ports/provisioners';
import { issueToken, loadOrCreateSigningKey } from '../../local/dev-issuer';
import type { EmbeddedCosmos } from '../../local/embedded-cosmos';
import { LocalServiceBus } from '../../local/local-bus';
import { startLocalStack } from '../../local/local-stack';
import type { SimulatedTenant, SimulatedTenantOptions } from '../../local/simulated-tenant';

export const TEST_ISSUER = 'https://login.dev.local/test/v2.0';
export const TEST_AUDIENCE = 'api://dsi-onboarding-test';

export interface TokenOptions {
  issuer?: string;
  audience?: string;
  lifetimeSeconds?: number;
  issuedAt?: Date;
  /** Claims to set or override, signed all the same (an attacker's token). */
  claims?: Record<string, unknown>;
}

export interface TestServices {
  services: Services;
  /** The adapters under the services (the stores, the stock, the connectors). */
  ports: Ports;
  /** The stock's own use cases over those ports (the sweeper's view of the line, a release). */
  stock: LaptopStock;
  /** The laptop step over the stock and Autopilot. */
  laptopStep: Provisioner;
  cosmos: EmbeddedCosmos;
  /** A bus nobody consumes: tests read what was sent from its snapshot. */
  bus: LocalServiceBus;
  tenant: SimulatedTenant;
  /** A person's token (`user` is a upn), or an application's (`{ app: name }`). */
  token(user: string | { app: string }, roles: string[], options?: TokenOptions): Promise<string>;
  sent(queue: string): {
    messageId: string;
    body: unknown;
    scheduledEnqueueTimeUtc?: string;
    applicationProperties?: Record<string, string | number | boolean>;
  }[];
  stop(): Promise<void>;
}

/** The real use cases over the embedded Cosmos DB endpoint, the simulated tenant, a local bus and real JWTs. */
export async function startTestServices(
  options: {
    wrapConnectors?: (real: Connectors) => Connectors;
    laptopStock?: number;
    tenant?: SimulatedTenantOptions;
    env?: NodeJS.ProcessEnv;
  } = {},
): Promise<TestServices> {
  const bus = new LocalServiceBus({ maxDeliveryCount: 10, duplicateDetectionWindowMs: 600_000, maxConcurrentCalls: 4 });
  const key = await loadOrCreateSigningKey(mkdtempSync(path.join(tmpdir(), 'issuer-')));
  const stack = await startLocalStack({
    env: { Provisioning__retryBaseSeconds: '0.05', ...options.env },
    clock: systemClock,
    bus,
    jwks: { keys: createLocalJWKSet({ keys: [key.publicJwk] }) },
    issuer: TEST_ISSUER,
    audience: TEST_AUDIENCE,
    laptopStock: options.laptopStock ?? 10,
    ...(options.tenant ? { tenant: options.tenant } : {}),
    ...(options.wrapConnectors ? { wrapConnectors: options.wrapConnectors } : {}),
  });
  const { ports } = stack;
  const requestAllocation = createRequestAllocation(ports.bus, ports.clock);
  return {
    services: stack.services,
    ports,
    stock: createLaptopStock({
      laptops: ports.laptops,
      store: ports.store,
      resume: createResumeLaptopSteps(ports.bus, ports.clock),
      requestAllocation,
      clock: ports.clock,
    }),
    laptopStep: createLaptopStep({ laptops: ports.laptops, autopilot: ports.autopilot, requestAllocation }),
    cosmos: stack.cosmos,
    bus,
    tenant: stack.tenant,
    token: (user, roles, o = {}) =>
      issueToken(key, {
        ...(typeof user === 'string' ? { user } : user),
        roles,
        ...(o.claims ? { claims: o.claims } : {}),
        issuer: o.issuer ?? TEST_ISSUER,
        audience: o.audience ?? TEST_AUDIENCE,
        ...(o.lifetimeSeconds !== undefined ? { lifetimeSeconds: o.lifetimeSeconds } : {}),
        ...(o.issuedAt ? { issuedAt: o.issuedAt } : {}),
      }),
    sent: (queue) => {
      const q = bus.snapshot().queues[queue];
      return q ? q.messages : [];
    },
    async stop() {
      await bus.close();
      await stack.stop();
    },
  };
}
