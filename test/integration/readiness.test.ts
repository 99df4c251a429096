import { InvocationContext, HttpRequest } from '@azure/functions';
import { readiness } from '../../functions/readiness';
import type { Services } from '../../shared/app/services';
import { ConfigError } from '../../shared/config';
import { startTestServices, type TestServices } from '../support/test-services';

// The readiness route's handler, called directly over the real services (test/support/test-services.ts) or over
// services whose checks fail: each reason for 503 the smoke test must not miss.

const logs: string[] = [];
const context = () =>
  new InvocationContext({
    invocationId: 't',
    functionName: 'health-ready',
    logHandler: (_l, ...a) => logs.push(a.map(String).join(' ')),
  });
const request = () => new HttpRequest({ method: 'GET', url: 'http://127.0.0.1/api/health/ready' });
const ask = (def: ReturnType<typeof readiness>) => def.handler(request(), context());

let t: TestServices;
beforeAll(async () => {
  t = await startTestServices();
});
afterAll(() => t.stop());
beforeEach(() => logs.splice(0));

describe('readiness', () => {
  it('when every check holds, then 200', async () => {
    expect(await ask(readiness(() => Promise.resolve(t.services)))).toMatchObject({ status: 200 });
  });

  it('when a setting is a Key Vault reference the platform did not resolve, then 503 and the log names the setting', async () => {
    const services: Services = {
      ...t.services,
      config: {
        ...t.services.config,
        Notifications__teamsWebhookUrl: '@Microsoft.KeyVault(VaultName=kv;SecretName=teams-webhook-url)',
      },
    };
    const res = await ask(readiness(() => Promise.resolve(services)));
    expect(res.status).toBe(503);
    expect(logs.join('\n')).toContain('Key Vault reference not resolved: Notifications__teamsWebhookUrl');
  });

  it('when the settings do not even load (the composition root throws), then 503, not 500', async () => {
    const res = await ask(
      readiness(() => Promise.reject(new ConfigError('Invalid or missing settings: Auth__issuer'))),
    );
    expect(res.status).toBe(503);
    expect(res.headers).toMatchObject({ 'content-type': 'application/problem+json', 'retry-after': '30' });
  });

  it('when a dependency does not answer, then 503 once the deadline passes', async () => {
    const hangs: Services = {
      ...t.services,
      readiness: [{ name: 'serviceBus', check: () => new Promise<void>(() => undefined) }],
    };
    const started = Date.now();
    const res = await ask(readiness(() => Promise.resolve(hangs), { timeoutMs: 200 }));
    expect(res.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(logs.join('\n')).toContain('serviceBus is not ready: Error: no answer within');
  });

  it('when asked again within the cache window, then the checks are not run again (an anonymous route reads Cosmos DB)', async () => {
    let runs = 0;
    const counted: Services = {
      ...t.services,
      readiness: [{ name: 'cosmos', check: () => Promise.resolve(void (runs += 1)) }],
    };
    let clock = 0;
    const def = readiness(() => Promise.resolve(counted), { cacheMs: 10_000, now: () => clock });
    await ask(def);
    await ask(def);
    expect(runs).toBe(1);
    clock = 10_000;
    await ask(def);
    expect(runs).toBe(2);
  });

  it('when Cosmos DB cannot be reached, then 503', async () => {
    const other = await startTestServices();
    await other.cosmos.stop();
    try {
      const res = await ask(readiness(() => Promise.resolve(other.services), { timeoutMs: 5000 }));
      expect(res.status).toBe(503);
      expect(logs.join('\n')).toContain('cosmos is not ready');
    } finally {
      await other.bus.close();
      await other.tenant.stop();
    }
  });
});
