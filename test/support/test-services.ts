import { createLocalJWKSet } from 'jose';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createJwtValidator } from '../../shared/adapters/auth/jwt-validator';
import { CosmosOnboardingStore } from '../../shared/adapters/cosmos/cosmos-onboarding-store';
import { InProcessTenant } from '../../shared/adapters/provisioning/in-process-provisioners';
import { createServices, type Services } from '../../shared/app/services';
import { loadConfig } from '../../shared/config';
import { systemClock } from '../../shared/ports/clock';
import type { Provisioners } from '../../shared/ports/provisioners';
import { issueToken, loadOrCreateSigningKey } from '../../local/dev-issuer';
import { EmbeddedCosmos } from '../../local/embedded-cosmos';
import { LocalServiceBus } from '../../local/local-bus';

export const TEST_ISSUER = 'https://login.dev.local/test/v2.0';
export const TEST_AUDIENCE = 'api://dsi-onboarding-test';

export interface TestServices {
  services: Services;
  cosmos: EmbeddedCosmos;
  /** A bus nobody consumes: tests read what was sent from its snapshot. */
  bus: LocalServiceBus;
  tenant: InProcessTenant;
  token(
    user: string,
    roles: string[],
    options?: { issuer?: string; audience?: string; lifetimeSeconds?: number; issuedAt?: Date },
  ): Promise<string>;
  sent(queue: string): { messageId: string; body: unknown; scheduledEnqueueTimeUtc?: string }[];
  stop(): Promise<void>;
}

/** The real use cases over the embedded Cosmos DB endpoint, a local bus, the in-process tenant and real JWTs. */
export async function startTestServices(
  options: { wrapProvisioners?: (real: Provisioners) => Provisioners; laptopStock?: number } = {},
): Promise<TestServices> {
  const cosmos = await EmbeddedCosmos.start('onboarding');
  const bus = new LocalServiceBus({ maxDeliveryCount: 10, duplicateDetectionWindowMs: 600_000, maxConcurrentCalls: 4 });
  const tenant = new InProcessTenant({
    laptopStock: options.laptopStock ?? 10,
    licenseSeats: 1000,
    recheckSeconds: 30,
  });
  const key = await loadOrCreateSigningKey(mkdtempSync(path.join(tmpdir(), 'issuer-')));
  const config = loadConfig({
    CosmosDb__accountEndpoint: cosmos.endpoint,
    CosmosDb__key: EmbeddedCosmos.KEY,
    Auth__issuer: TEST_ISSUER,
    Auth__audience: TEST_AUDIENCE,
    Auth__jwksUri: 'http://127.0.0.1:9/unused',
  });
  const services = createServices({
    config,
    clock: systemClock,
    store: new CosmosOnboardingStore(cosmos.database),
    bus,
    provisioners: options.wrapProvisioners ? options.wrapProvisioners(tenant.provisioners()) : tenant.provisioners(),
    tokenValidator: createJwtValidator({
      issuer: TEST_ISSUER,
      audience: TEST_AUDIENCE,
      keys: createLocalJWKSet({ keys: [key.publicJwk] }),
    }),
  });
  return {
    services,
    cosmos,
    bus,
    tenant,
    token: (user, roles, o = {}) =>
      issueToken(key, {
        user,
        roles,
        issuer: o.issuer ?? TEST_ISSUER,
        audience: o.audience ?? TEST_AUDIENCE,
        ...(o.lifetimeSeconds !== undefined ? { lifetimeSeconds: o.lifetimeSeconds } : {}),
        ...(o.issuedAt ? { issuedAt: o.issuedAt } : {}),
      }),
    sent: (queue) => {
      const q = bus.snapshot().queues[queue];
      return q ? [...q.active, ...q.scheduled] : [];
    },
    async stop() {
      await bus.close();
      await cosmos.stop();
    },
  };
}
