import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalHost, type LocalHost } from '../../local/host';
import { CONTAINERS } from '../../shared/adapters/cosmos/containers';
import { atHourInParis, startOfDayInParis } from '../../shared/domain/paris-time';
import { Roles } from '../../shared/domain/roles';
import { buildHireJson } from '../support/factories';
import { apiClient, eventually } from '../support/http-client';
import { movableClock } from '../support/movable-clock';

// Day one from home (contract: "Day one from home: a Temporary Access Pass"): from the day before the start
// date, a person asks for the agent's pass, usable once from 07:00 in Paris on the first day; it is answered
// once and then is nowhere: not in the history, the stored documents, the files on disk, a log line, a span or
// the tenant's operator view. The tenant holds one pass per user, as Graph does.

const START = '2026-12-07';
const time = movableClock(startOfDayInParis('2026-12-05').getTime() + 10 * 3600_000);
const spans = new InMemorySpanExporter();
const lines: string[] = [];
let host: LocalHost;
let stateDir: string;
const api = () => apiClient(host.url);

interface PassBody {
  temporaryAccessPass: string;
  startDateTime: string;
  lifetimeInMinutes: number;
  isUsableOnce: boolean;
}
interface OnboardingBody {
  id: string;
  userPrincipalName: string;
  status: string;
}

beforeAll(async () => {
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }));
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      lines.push(args.map((a) => (a instanceof Error ? `${a.message}\n${a.stack ?? ''}` : String(a))).join(' '));
    });
  }
  stateDir = mkdtempSync(path.join(tmpdir(), 'access-pass-'));
  host = await startLocalHost({
    port: 0,
    stateDir,
    persist: true,
    clock: time.clock,
    laptopStock: 2,
    logHandler: (_level, ...args) => lines.push(args.map(String).join(' ')),
    env: { ...process.env, Provisioning__retryBaseSeconds: '0.2' },
  });
  time.onMove(() => host.bus.clockChanged());
}, 30_000);
afterAll(async () => {
  await host.stop();
  trace.disable();
  jest.restoreAllMocks();
});

async function approvedHire(needs?: Record<string, boolean>): Promise<OnboardingBody> {
  const hr = await host.token('sirh@example.org', [Roles.hrEventsSend]);
  const chef = await host.token('chef.dsi@example.org', [Roles.onboardingApprove]);
  const json = buildHireJson({ employee: { startDate: START }, ...(needs ? { needs } : {}) });
  expect((await api().post('/api/hr-events', json, hr)).status).toBe(202);
  const employeeId = (json.employee as { employeeId: string }).employeeId;
  const listed = await eventually(
    () => api().get<{ items: OnboardingBody[] }>(`/api/onboardings?employeeId=${employeeId}`, chef),
    (res) => res.body.items.length > 0,
  );
  const id = listed.body.items[0]!.id;
  expect((await api().post(`/api/onboardings/${id}/decision`, { decision: 'approve' }, chef)).status).toBe(200);
  return eventually(
    async () => (await api().get<OnboardingBody>(`/api/onboardings/${id}`, chef)).body,
    (o) => o.status === 'completed',
    15_000,
  );
}

/** Every file under the state folder (the journals and snapshots of the stores, the bus and the tenant). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

describe('a Temporary Access Pass for the first day', () => {
  it('when asked before the day before the start, then 409; on that day, 201 usable once from 07:00 in Paris; a second replaces the first; and the pass is then nowhere', async () => {
    const o = await approvedHire();
    const lead = await host.token('chef.dsi@example.org', [Roles.onboardingApprove]);
    const ask = () => api().post<PassBody & { detail?: string }>(`/api/onboardings/${o.id}/access-pass`, {}, lead);

    // Two days before: too early.
    const early = await ask();
    expect(early.status).toBe(409);
    expect(early.body.detail).toContain('2026-12-06');
    expect(host.tenant.accessPassOf(o.userPrincipalName)).toBeUndefined();

    time.moveTo(startOfDayInParis('2026-12-06').getTime() + 9 * 3600_000);
    const first = await ask();
    expect(first.status).toBe(201);
    expect(first.headers.get('cache-control')).toBe('no-store');
    const { temporaryAccessPass, ...validity } = first.body;
    expect(temporaryAccessPass).toMatch(/^\S{8,}$/);
    expect(validity).toEqual({
      startDateTime: atHourInParis(START, 7).toISOString(),
      lifetimeInMinutes: 480,
      isUsableOnce: true,
    });
    const second = await ask();
    expect(second.status).toBe(201);
    expect(second.body.temporaryAccessPass).not.toBe(first.body.temporaryAccessPass);
    // One pass a user, as Graph holds it: the first no longer signs in, the second does.
    expect(host.tenant.accessPassOf(o.userPrincipalName)).toMatchObject({ lifetimeInMinutes: 480, isUsableOnce: true });
    // The first morning, in the kitchen: the first pass no longer signs in, the second does, once.
    const firstMorning = atHourInParis(START, 8).getTime();
    const signIn = (pass: string) => host.tenant.signInWithAccessPass(o.userPrincipalName, pass, firstMorning);
    expect(signIn(first.body.temporaryAccessPass)).toBe(false);
    expect(signIn(second.body.temporaryAccessPass)).toBe(true);
    expect(signIn(second.body.temporaryAccessPass)).toBe(false);

    // Who asked, and the validity: in the history; the pass: nowhere.
    const history = await api().get<{ items: { type: string; actor: string; details: Record<string, unknown> }[] }>(
      `/api/onboardings/${o.id}/history`,
      lead,
    );
    const issued = history.body.items.filter((e) => e.type === 'onboarding.access-pass-issued');
    expect(issued).toHaveLength(2);
    expect(issued[0]).toMatchObject({
      actor: 'chef.dsi@example.org',
      details: { startDateTime: first.body.startDateTime, lifetimeInMinutes: 480, isUsableOnce: true },
    });
    await host.whenIdle();
    const passes = [first.body.temporaryAccessPass, second.body.temporaryAccessPass];
    const documents: string[] = [];
    for (const def of Object.values(CONTAINERS)) {
      const { resources } = await host.cosmos.database.container(def.id).items.readAll().fetchAll();
      documents.push(JSON.stringify(resources));
    }
    const places = {
      history: JSON.stringify(history.body),
      documents: documents.join('\n'),
      files: filesUnder(stateDir)
        .map((f) => readFileSync(f, 'latin1'))
        .join('\n'),
      logs: lines.join('\n'),
      spans: JSON.stringify(
        spans.getFinishedSpans().map((s) => ({ name: s.name, attributes: s.attributes, events: s.events })),
      ),
      tenant: JSON.stringify(host.tenant.operatorView()),
    };
    expect(places.documents.length).toBeGreaterThan(1000);
    expect(places.files.length).toBeGreaterThan(1000);
    expect(spans.getFinishedSpans().length).toBeGreaterThan(0);
    for (const [where, text] of Object.entries(places)) {
      for (const pass of passes) expect([where, text.includes(pass)]).toEqual([where, false]);
    }
  }, 60_000);

  it('when the licence is not done, or an application asks, or a person without Onboarding.Approve, then 409, 403, 403', async () => {
    const noLicence = await approvedHire({ laptop: true, vpn: true, officeLicense: false });
    const lead = await host.token('chef.dsi@example.org', [Roles.onboardingApprove]);
    const refused = await api().post<{ detail: string }>(`/api/onboardings/${noLicence.id}/access-pass`, {}, lead);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain('licence');
    const app = await host.appToken('onboarding-robot', [Roles.onboardingApprove]);
    expect((await api().post(`/api/onboardings/${noLicence.id}/access-pass`, {}, app)).status).toBe(403);
    const reader = await host.token('auditeur@example.org', [Roles.onboardingRead]);
    expect((await api().post(`/api/onboardings/${noLicence.id}/access-pass`, {}, reader)).status).toBe(403);
    expect((await api().post('/api/onboardings/NOPE.1/access-pass', {}, lead)).status).toBe(404);
  }, 60_000);
});
