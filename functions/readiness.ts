import type { HttpFunctionDefinition } from './definition';
import type { ServicesProvider } from '../shared/app/services';
import { json, problem } from '../shared/http/problem';
import type { ReadinessCheck } from '../shared/ports/readiness';
import { describeError } from '../shared/telemetry/redaction';

/** A readiness result is reused this long: the route is anonymous, and each evaluation reads Cosmos DB. */
export const READINESS_CACHE_MS = 10_000;
/** A check that has not answered by then has failed (a dependency that hangs is not ready). */
export const READINESS_TIMEOUT_MS = 10_000;

/** A reference App Service left as it is: the platform could not resolve it (the role, the secret's name, the vault). */
const UNRESOLVED_KEY_VAULT_REFERENCE = '@Microsoft.KeyVault(';

interface Failure {
  name: string;
  reason: string;
}

function withDeadline(check: ReadinessCheck, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(new Error(`no answer within ${READINESS_TIMEOUT_MS} ms`));
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    check.check(signal).then(resolve, reject);
  });
}

/**
 * GET /api/health/ready: anonymous readiness, for the deployment's smoke test and any probe. Unlike /api/health
 * (the process answers), it uses what a request would: the settings (a Key Vault reference the platform left
 * unresolved fails it), Cosmos DB with the identity's data role, Service Bus with its send role, a Microsoft Graph
 * token with the granted permissions (shared/ports/readiness.ts, the composition roots). 200 when every check
 * holds; otherwise 503 problem+json with Retry-After and nothing of what failed or why: that goes to the logs
 * (Application Insights), not to anyone who asks.
 */
export function readiness(
  services: ServicesProvider,
  options: { cacheMs?: number; timeoutMs?: number; now?: () => number } = {},
): HttpFunctionDefinition {
  const cacheMs = options.cacheMs ?? READINESS_CACHE_MS;
  const timeoutMs = options.timeoutMs ?? READINESS_TIMEOUT_MS;
  const now = options.now ?? Date.now;
  let last: { at: number; failures: Promise<Failure[]> } | undefined;

  async function evaluate(): Promise<Failure[]> {
    let s;
    try {
      s = await services();
    } catch (err) {
      return [{ name: 'settings', reason: describeError(err) }];
    }
    const unresolved = Object.entries(s.config)
      .filter(([, value]) => typeof value === 'string' && value.startsWith(UNRESOLVED_KEY_VAULT_REFERENCE))
      .map(([name]) => name);
    const failures: Failure[] =
      unresolved.length > 0
        ? [{ name: 'settings', reason: `Key Vault reference not resolved: ${unresolved.join(', ')}` }]
        : [];
    const signal = AbortSignal.timeout(timeoutMs);
    const results = await Promise.allSettled(s.readiness.map((c) => withDeadline(c, signal)));
    results.forEach((r, i) => {
      if (r.status === 'rejected')
        failures.push({ name: s.readiness[i]?.name ?? '?', reason: describeError(r.reason) });
    });
    return failures;
  }

  return {
    kind: 'http',
    name: 'health-ready',
    methods: ['GET'],
    route: 'health/ready',
    async handler(_req, context) {
      let current = last;
      const fresh = !current || now() - current.at >= cacheMs;
      if (!current || fresh) current = last = { at: now(), failures: evaluate() };
      const failures = await current.failures;
      if (failures.length === 0) return json(200, { status: 'ready' }, { 'cache-control': 'no-store' });
      if (fresh) for (const f of failures) context.warn(`readiness: ${f.name} is not ready: ${f.reason}`);
      return problem(503, 'the service is not ready; try again later', {
        headers: { 'retry-after': '30', 'cache-control': 'no-store' },
      });
    },
  };
}
