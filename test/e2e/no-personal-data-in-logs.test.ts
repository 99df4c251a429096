import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalHost, type LocalHost } from '../../local/host';
import { Roles } from '../../shared/domain/roles';
import { RedactingSpanProcessor } from '../../shared/telemetry/redaction';
import { buildCancelJson, buildHireJson } from '../support/factories';
import { apiClient, eventually } from '../support/http-client';

// Logs and traces carry onboarding and employee ids, never names, upns, tokens or the webhook's URL. Every log
// line of the functions (as the Functions host receives them), everything written to the console, and every
// span with its attributes and events, over a run with a hire, an approval, steps, a failure and a cancellation.

const spans = new InMemorySpanExporter();
const lines: string[] = [];
let host: LocalHost;

beforeAll(async () => {
  // The processors telemetry-setup.ts gives Azure Monitor, in front of an in-memory exporter.
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ spanProcessors: [new RedactingSpanProcessor(), new SimpleSpanProcessor(spans)] }),
  );
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      lines.push(args.map((a) => (a instanceof Error ? `${a.message}\n${a.stack ?? ''}` : String(a))).join(' '));
    });
  }
  host = await startLocalHost({
    port: 0,
    stateDir: mkdtempSync(path.join(tmpdir(), 'pii-')),
    logHandler: (_level, ...args) => lines.push(args.map(String).join(' ')),
    env: {
      ...process.env,
      Provisioning__retryBaseSeconds: '0.2',
      Provisioning__maxTransientRetries: '1',
      Notifications__digestSeconds: '1',
    },
  });
});
afterAll(async () => {
  await host.stop();
  trace.disable();
  jest.restoreAllMocks();
});

describe('no personal data in logs and traces', () => {
  it('when an onboarding runs from hire to completed, another fails and a third is cancelled, then no log line or span names an agent, a upn, a token or the webhook', async () => {
    const api = apiClient(host.url);
    const hrToken = await host.token('sirh@example.org', [Roles.hrEventsSend]);
    const chefToken = await host.token('chef.dsi@example.org', [Roles.onboardingApprove]);
    const agents = [
      { givenName: 'Zéphyrine', surname: 'Quatrebarbes', userPrincipalName: 'zephyrine.quatrebarbes@example.org' },
      // Outside the verified domains: HR-driven provisioning creates no account, so Graph answers 404 naming it.
      { givenName: 'Anatole', surname: 'Vermandois', userPrincipalName: 'anatole.vermandois@partenaire.example' },
      { givenName: 'Eulalie', surname: 'Brisacier', userPrincipalName: 'eulalie.brisacier@example.org' },
    ];
    const hires = agents.map((a) => buildHireJson({ employee: { ...a, priority: 'continuity' } }));
    const ids: string[] = [];
    for (const json of hires) {
      expect((await api.post('/api/hr-events', json, hrToken)).status).toBe(202);
      const employeeId = (json.employee as { employeeId: string }).employeeId;
      const listed = await eventually(
        () => api.get<{ items: { id: string }[] }>(`/api/onboardings?employeeId=${employeeId}`, chefToken),
        (res) => res.body.items.length > 0,
      );
      ids.push(listed.body.items[0]!.id);
    }
    for (const id of ids) {
      expect((await api.post(`/api/onboardings/${id}/decision`, { decision: 'approve' }, chefToken)).status).toBe(200);
    }
    const status = async (id: string) =>
      (await api.get<{ status: string }>(`/api/onboardings/${id}`, chefToken)).body.status;
    await eventually(
      () => status(ids[0]!),
      (s) => s === 'completed',
      15_000,
    );
    await eventually(
      () => status(ids[1]!),
      (s) => s === 'needs-attention',
      20_000,
    );
    await eventually(
      () => status(ids[2]!),
      (s) => s === 'completed',
      15_000,
    );
    const third = (hires[2]!.employee as { employeeId: string }).employeeId;
    expect((await api.post('/api/hr-events', buildCancelJson(third), hrToken)).status).toBe(202);
    await eventually(
      () => status(ids[2]!),
      (s) => s === 'cancelled',
      15_000,
    );
    await host.whenIdle();
    // The notifications went out through the webhook meanwhile (a continuity agent equipped, a needs-attention).
    await eventually(
      () => Promise.resolve(host.tenant.teamsCards.length),
      (n) => n >= 3,
      10_000,
    );

    const texts = [
      ...lines,
      ...spans
        .getFinishedSpans()
        .flatMap((s) => [
          s.name,
          JSON.stringify(s.attributes),
          ...s.events.map((e) => `${e.name} ${JSON.stringify(e.attributes ?? {})}`),
        ]),
    ];
    // The run was observed: logs and spans of each part of it are there.
    expect(lines.join('\n')).toContain(ids[1]);
    expect(lines.join('\n')).toMatch(/needs-attention \(UserNotFound\)/);
    expect(spans.getFinishedSpans().length).toBeGreaterThan(10);

    const forbidden = [
      ...agents.flatMap((a) => [a.givenName, a.surname, a.userPrincipalName, `${a.givenName} ${a.surname}`]),
      hrToken,
      chefToken,
      host.tenant.teamsWebhookUrl,
      new URL(host.tenant.teamsWebhookUrl).searchParams.get('sig')!,
    ];
    const found = forbidden.filter((f) => texts.some((t) => t.includes(f)));
    expect(found).toEqual([]);
    // Nor do the cards of the Teams channel name the agents (ids and facts, the console link).
    const cards = JSON.stringify(host.tenant.teamsCards);
    expect(forbidden.slice(0, agents.length * 4).filter((f) => cards.includes(f))).toEqual([]);
  }, 90_000);
});
