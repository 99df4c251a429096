import { IN_LINE } from '../../shared/domain/decide';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalHost, type LocalHost } from '../../local/host';
import { Roles } from '../../shared/domain/roles';
import { buildHireJson } from '../support/factories';
import { apiClient, eventually } from '../support/http-client';
import { loadOpenApi } from '../support/openapi';

interface OnboardingBody {
  id: string;
  status: string;
  employeeId: string;
  steps: Record<string, { status: string; serialNumber?: string; detail?: string }>;
  decision: { by: string } | null;
}
interface Page {
  items: OnboardingBody[];
  continuationToken: string | null;
}

const quiet = () => undefined;
let host: LocalHost;
let api: ReturnType<typeof apiClient>;
let hr: string;
let chef: string;
let auditor: string;

beforeAll(async () => {
  host = await startLocalHost({
    port: 0,
    stateDir: mkdtempSync(path.join(tmpdir(), 'host-')),
    laptopStock: 3,
    logHandler: quiet,
  });
  api = apiClient(host.url, loadOpenApi());
  hr = await host.token('sirh@example.org', [Roles.hrEventsSend]);
  chef = await host.token('chef.dsi@example.org', [Roles.onboardingApprove]);
  auditor = await host.token('audit@example.org', [Roles.onboardingRead]);
});
afterAll(() => host.stop());

async function hireAndFind(json = buildHireJson()): Promise<OnboardingBody> {
  const employeeId = (json.employee as { employeeId: string }).employeeId;
  expect((await api.post('/api/hr-events', json, hr)).status).toBe(202);
  const page = await eventually(
    () => api.get<Page>(`/api/onboardings?employeeId=${employeeId}`, auditor),
    (r) => r.body.items.length > 0,
  );
  return page.body.items[0]!;
}

const byId = (id: string) => api.get<OnboardingBody>(`/api/onboardings/${id}`, chef);

describe('the local host, driven over HTTP through the contract', () => {
  it('when a hire is approved, then it reaches completed, and the history names the approver', async () => {
    const created = await hireAndFind();
    expect(created.status).toBe('awaiting-approval');
    const decided = await api.post<OnboardingBody>(
      `/api/onboardings/${created.id}/decision`,
      { decision: 'approve', comment: 'PCA' },
      chef,
    );
    expect(decided.status).toBe(200);
    const done = await eventually(
      () => byId(created.id),
      (r) => r.body.status === 'completed',
    );
    expect(done.body.steps.laptop).toMatchObject({
      status: 'done',
      serialNumber: expect.stringMatching(/^LOCAL-/) as unknown,
    });
    expect(done.body.steps.vpn?.status).toBe('done');
    expect(done.body.steps.officeLicense?.status).toBe('done');
    const history = await api.get<{ items: { type: string; actor: string; at: string }[] }>(
      `/api/onboardings/${created.id}/history`,
      auditor,
    );
    expect(history.status).toBe(200);
    expect(history.body.items.find((h) => h.type === 'onboarding.approved')?.actor).toBe('chef.dsi@example.org');
    expect(history.body.items.at(-1)?.type).toBe('onboarding.completed');
    const ats = history.body.items.map((h) => h.at);
    expect(ats).toEqual([...ats].sort());
    expect((await fetch(`${host.url}/.local/simulated-tenant`)).status).toBe(401);
    const tenant = (await (
      await fetch(`${host.url}/.local/simulated-tenant`, { headers: { authorization: `Bearer ${host.adminToken}` } })
    ).json()) as {
      effects: { kind: string }[];
    };
    expect(tenant.effects.map((e) => e.kind).sort()).toEqual(
      expect.arrayContaining(['device-user-assigned', 'license-assigned', 'member-added']),
    );
  });

  it('when a stored history entry is altered behind the API, then ?verify=true says where the chain breaks', async () => {
    const created = await hireAndFind();
    await api.post(`/api/onboardings/${created.id}/decision`, { decision: 'approve', comment: 'PCA' }, chef);
    await eventually(
      () => byId(created.id),
      (r) => r.body.status === 'completed',
    );
    type Verified = {
      items: { type: string; hash: string }[];
      verification: { intact: boolean; brokenAt: number | null };
    };
    const intact = await api.get<Verified>(`/api/onboardings/${created.id}/history?verify=true`, auditor);
    expect(intact.body.verification).toEqual({ intact: true, brokenAt: null });
    expect(intact.body.items.every((h) => /^[0-9a-f]{64}$/.test(h.hash))).toBe(true);
    // Without verify, no verification; anything else than true or false is refused.
    expect(await api.get(`/api/onboardings/${created.id}/history`, auditor)).toMatchObject({
      body: expect.not.objectContaining({ verification: expect.anything() as unknown }) as unknown,
    });
    expect((await api.get(`/api/onboardings/${created.id}/history?verify=yes`, auditor)).status).toBe(400);

    // Someone with write access to the database rewrites who approved (the entry keeps its old hash).
    const item = host.cosmos.database.container('onboardings').item(created.id, created.employeeId);
    const { resource } = await item.read<{ history: { type: string; actor: string }[] }>();
    const at = resource!.history.findIndex((h) => h.type === 'onboarding.approved');
    resource!.history[at]!.actor = 'someone.else@example.org';
    await item.replace(resource!);
    const broken = await api.get<Verified>(`/api/onboardings/${created.id}/history?verify=true`, auditor);
    expect(broken.body.verification).toEqual({ intact: false, brokenAt: at });

    // Removing an entry breaks the chain at the next one.
    resource!.history[at]!.actor = 'chef.dsi@example.org';
    resource!.history.splice(1, 1);
    await item.replace(resource!);
    const removed = await api.get<Verified>(`/api/onboardings/${created.id}/history?verify=true`, auditor);
    expect(removed.body.verification).toEqual({ intact: false, brokenAt: 1 });
  });

  it('when the export is downloaded over HTTP, then it streams the CSV with its byte order mark', async () => {
    const created = await hireAndFind();
    const res = await fetch(`${host.url}/api/onboardings/export?employeeId=${created.employeeId}`, {
      headers: { authorization: `Bearer ${auditor}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString('utf8').split('\r\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(created.id);
  });

  it("when the HR system posts with its application token, then 202; the same token's decision is 403: it needs a person", async () => {
    const sirh = await host.appToken('sirh', [Roles.hrEventsSend, Roles.onboardingApprove]);
    const json = buildHireJson();
    expect((await api.post('/api/hr-events', json, sirh)).status).toBe(202);
    const created = await hireAndFind(json);
    const refused = await api.post(`/api/onboardings/${created.id}/decision`, { decision: 'approve' }, sirh);
    expect(refused.status).toBe(403);
    expect((await byId(created.id)).body.status).toBe('awaiting-approval');
  });

  it('when the same eventId is posted five times at once, then there is one onboarding', async () => {
    const json = buildHireJson();
    const answers = await Promise.all(Array.from({ length: 5 }, () => api.post('/api/hr-events', json, hr)));
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202, 202]);
    await host.whenIdle();
    const page = await api.get<Page>(
      `/api/onboardings?employeeId=${(json.employee as { employeeId: string }).employeeId}`,
      auditor,
    );
    expect(page.body.items).toHaveLength(1);
  });

  it('when an HR event is invalid, then 400 problem+json naming the bad field', async () => {
    const res = await api.post('/api/hr-events', buildHireJson({ employee: { startDate: '2026-13-45' } }), hr);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status: 400, errors: [{ path: 'employee.startDate' }] });
  });

  it('when a message on hr-events does not parse, then it is set aside with its reason and completed, not redelivered nor dead-lettered', async () => {
    await host.bus.send('hr-events', [
      { messageId: 'poison-1', body: { eventId: 'poison-1', type: 'employee.fired' } },
    ]);
    await host.whenIdle();
    const [set] = (await host.services.operations.rejectedMessages.list({ queue: 'hr-events' })).filter(
      (r) => r.messageId === 'poison-1',
    );
    expect(set).toMatchObject({ deliveryCount: 1, reason: 'InvalidHrEvent', body: { type: 'employee.fired' } });
    expect(set?.description).toContain('type');
    expect(host.bus.deadLetters('hr-events')).toEqual([]);
  });

  it('when the start date is already in the past, then the agent is still onboarded', async () => {
    const created = await hireAndFind(buildHireJson({ employee: { startDate: '2020-03-16' } }));
    await api.post(`/api/onboardings/${created.id}/decision`, { decision: 'approve' }, chef);
    await eventually(
      () => byId(created.id),
      (r) => r.body.status === 'completed',
    );
  });

  it('when stock runs out, then the laptop step waits while the other steps finish', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const created = await hireAndFind(buildHireJson({ needs: { officeLicense: false } }));
      await api.post(`/api/onboardings/${created.id}/decision`, { decision: 'approve' }, chef);
      ids.push(created.id);
    }
    await host.whenIdle();
    const states = await Promise.all(ids.map(async (id) => (await byId(id)).body));
    const waiting = states.filter((o) => o.steps.laptop?.status === 'waiting');
    expect(waiting.length).toBeGreaterThan(0);
    expect(waiting.every((o) => o.status === 'provisioning' && o.steps.vpn?.status === 'done')).toBe(true);
    expect(waiting[0]?.steps.laptop?.detail).toBe(IN_LINE);
    const serials = states.map((o) => o.steps.laptop?.serialNumber).filter(Boolean);
    expect(new Set(serials).size).toBe(serials.length);
  });

  it('when listing page by page over HTTP, then every onboarding comes exactly once', async () => {
    const seen: string[] = [];
    let token: string | null = null;
    do {
      const query: string = token ? `limit=2&continuationToken=${encodeURIComponent(token)}` : 'limit=2';
      const page = await api.get<Page>(`/api/onboardings?${query}`, auditor);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((o) => o.id));
      token = page.body.continuationToken;
    } while (token);
    const all = await api.get<Page>('/api/onboardings?limit=200', auditor);
    expect(seen).toEqual(all.body.items.map((o) => o.id));
    expect(new Set(seen).size).toBe(seen.length);
    expect((await api.get('/api/onboardings?limit=0', auditor)).status).toBe(400);
    expect((await api.get('/api/onboardings?status=lost', auditor)).status).toBe(400);
  });

  it('when a route is unknown, a method wrong, a body too large or a token missing, then the answer is problem+json', async () => {
    expect((await api.get('/api/health')).status).toBe(200);
    const doc = await api.get<string>('/api/openapi.yaml');
    expect(doc.status).toBe(200);
    expect(doc.body).toContain('openapi: 3.1.0');
    const unknown = await api.get('/api/nope', chef);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toContain('application/problem+json');
    expect((await api.call('DELETE', '/api/onboardings', { token: chef })).status).toBe(405);
    const big = await api.call('POST', '/api/hr-events', { token: hr, raw: 'x'.repeat(300 * 1024) });
    expect(big.status).toBe(413);
    const anonymous = await api.get('/api/onboardings');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    expect((await api.get('/api/onboardings', hr)).status).toBe(403);
    expect((await api.get('/api/onboardings/E0.1', chef)).status).toBe(404);
    expect((await api.get('/api/onboardings/%E0%A4%A', chef)).status).toBe(404);
  });
});
