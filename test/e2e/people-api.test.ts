import { csvRecords } from '../../shared/import/csv';
import { Roles } from '../../shared/domain/roles';
import { startApiHost, type ApiHost } from '../support/api-host';
import { buildHireJson } from '../support/factories';
import { eventually } from '../support/http-client';
import { movableClock } from '../support/movable-clock';

// What people need of the API (contract: "What people need of the API (the console's, and anyone's)"), over
// HTTP against the local host, every answer checked against openapi.yaml: search ignoring case and accents,
// sort and totals, the tabs' counts and what needs a person, a upn corrected while the account is not found,
// a decision undone within its window, the deliveries listed, the French Excel export read back byte by byte.

interface Step {
  status: string;
  detail?: string;
  waitingOn?: string;
}
interface OnboardingBody {
  id: string;
  employeeId: string;
  displayName: string;
  userPrincipalName: string;
  status: string;
  startDate: string;
  kind: string;
  decision: { decision: string; by: string } | null;
  steps: Record<'laptop' | 'vpn' | 'officeLicense' | 'teams' | 'accessories', Step>;
}
interface ListBody {
  items: OnboardingBody[];
  continuationToken: string | null;
  total: number;
}
interface HistoryBody {
  items: { type: string; actor: string; details: Record<string, unknown> }[];
}

const time = movableClock(Date.parse('2026-12-01T08:00:00.000Z'));
let h: ApiHost;
let stock: string;
beforeAll(async () => {
  h = await startApiHost('people-api', {
    laptopStock: 3,
    clock: time.clock,
    env: {
      ...process.env,
      LOCAL_AGENTS: '950',
      Approval__undoMinutes: '10',
      Provisioning__retryBaseSeconds: '0.2',
      Provisioning__maxTransientRetries: '30',
    },
  });
  time.onMove(() => h.host.bus.clockChanged());
  stock = await h.host.token('stock.dsi@example.org', [Roles.inventoryManage]);
}, 60_000);
afterAll(() => h.host.stop());

const read = async (id: string) => (await h.api.get<OnboardingBody>(`/api/onboardings/${id}`, h.chef)).body;
const list = async (query: string) => (await h.api.get<ListBody>(`/api/onboardings?${query}`, h.chef)).body;
const history = async (id: string) =>
  (await h.api.get<HistoryBody>(`/api/onboardings/${id}/history`, h.chef)).body.items;
const hire = (givenName: string, surname: string, employee: Record<string, unknown> = {}) =>
  h.hired<OnboardingBody>(
    buildHireJson({ employee: { givenName, surname, department: 'Direction des sports', ...employee } }),
  );

describe('finding people', () => {
  let helene: OnboardingBody;
  beforeAll(async () => {
    helene = await hire('Hélène', 'Lœuvre', { startDate: '2026-12-20' });
    await hire('Eric', 'Dupont', { startDate: '2026-12-10' });
    await hire('Élodie', 'Zéphyr', { startDate: '2026-12-15' });
    await hire('Zoé', 'Aubry', { startDate: '2026-12-05' });
  });

  it('when q has no accents or capitals, then it finds the name that has them, by each word in any order, by upn or employee id, with the total', async () => {
    for (const q of ['helene', 'LOEUVRE', 'loeuvre%20hel', helene.employeeId.toLowerCase(), 'camille.martin']) {
      const found = await list(`q=${q}&department=Direction%20des%20sports`);
      expect(found.items.map((o) => o.id)).toEqual(
        q === 'camille.martin' ? expect.arrayContaining([helene.id]) : [helene.id],
      );
      expect(found.total).toBe(found.items.length);
    }
    expect(await list('q=h%C3%A9l%C3%A8ne&status=awaiting-approval')).toMatchObject({ total: 1 });
    expect(await list('q=nobody-like-this')).toMatchObject({ items: [], total: 0 });
  });

  it('when sorted by name, then accents sort beside their letter, page after page, and the total counts every match', async () => {
    const names: string[] = [];
    let token: string | null = null;
    do {
      const page: ListBody = await list(
        `department=Direction%20des%20sports&sort=displayName&order=asc&limit=2${token ? `&continuationToken=${token}` : ''}`,
      );
      expect(page.total).toBe(4);
      names.push(...page.items.map((o) => o.displayName));
      token = page.continuationToken;
    } while (token);
    expect(names).toEqual(['Élodie Zéphyr', 'Eric Dupont', 'Hélène Lœuvre', 'Zoé Aubry']);
    const byStart = await list('department=Direction%20des%20sports&sort=startDate&order=asc');
    expect(byStart.items.map((o) => o.startDate)).toEqual(['2026-12-05', '2026-12-10', '2026-12-15', '2026-12-20']);
    const newest = await list('department=Direction%20des%20sports&sort=startDate');
    expect(newest.items[0]?.startDate).toBe('2026-12-20');
  });

  it("when a token is sent with another sort than its own, then 400: it never gives another order's page", async () => {
    const first = await list('department=Direction%20des%20sports&sort=displayName&limit=1');
    const res = await h.api.get(
      `/api/onboardings?department=Direction%20des%20sports&sort=startDate&limit=1&continuationToken=${first.continuationToken ?? ''}`,
      h.chef,
    );
    expect(res.status).toBe(400);
  });

  it('when the tabs ask for counts, then each status is counted and departments on request', async () => {
    const counts = await h.api.get<{
      byStatus: Record<string, number>;
      toHandle: number;
      byDepartment?: Record<string, number>;
    }>('/api/onboardings/counts?include=departments', h.chef);
    expect(counts.status).toBe(200);
    const awaiting = await list('status=awaiting-approval&limit=1');
    expect(counts.body.byStatus['awaiting-approval']).toBe(awaiting.total);
    expect(counts.body.byDepartment?.['Direction des sports']).toBe(4);
    const auditor = await h.host.token('auditeur@example.org', [Roles.onboardingRead]);
    expect((await h.api.get('/api/onboardings/counts', auditor)).status).toBe(200);
    expect((await h.api.get('/api/onboardings/counts', stock)).status).toBe(403);
  });
});

describe('a stuck agent, found and fixed', () => {
  it('when a hire with a mistyped upn is approved, then its steps wait on the account at once, no laptop is held, it is to handle; the upn corrected, it is equipped; a second correction is 409', async () => {
    const typo = 'camille.renard@exemple.org';
    const o = await hire('Camille', 'Renard', { userPrincipalName: typo });
    expect((await h.api.post(`/api/onboardings/${o.id}/decision`, { decision: 'approve' }, h.chef)).status).toBe(200);
    const stuck = await eventually(
      () => read(o.id),
      (x) => x.steps.laptop.waitingOn === 'account' && x.steps.vpn.waitingOn === 'account',
    );
    expect(stuck.steps.laptop.status).toBe('waiting');
    expect(stuck.steps.vpn.detail).toContain(typo);
    const reserved = await h.api.get<{ items: { onboardingId: string | null }[] }>(
      '/api/laptops?status=reserved',
      stock,
    );
    expect(reserved.body.items.filter((l) => l.onboardingId === o.id)).toEqual([]);
    const toHandle = await h.api.get<{ items: { onboarding: { id: string }; reasons: string[] }[]; total: number }>(
      '/api/onboardings/to-handle',
      h.chef,
    );
    expect(toHandle.body.items.find((i) => i.onboarding.id === o.id)?.reasons).toEqual(['account-missing']);
    const counts = await h.api.get<{ toHandle: number }>('/api/onboardings/counts', h.chef);
    expect(counts.body.toHandle).toBe(toHandle.body.total);

    // HR's provisioning made the account under the right upn; the DSI corrects it here.
    const right = 'camille.renard@example.org';
    h.host.tenant.provisionFromHr({ userPrincipalName: right, givenName: 'Camille', surname: 'Renard' });
    const app = await h.host.appToken('sirh', [Roles.onboardingApprove]);
    expect((await h.api.patch(`/api/onboardings/${o.id}`, { userPrincipalName: right }, app)).status).toBe(403);
    const patched = await h.api.patch<OnboardingBody>(`/api/onboardings/${o.id}`, { userPrincipalName: right }, h.chef);
    expect(patched.status).toBe(200);
    expect(patched.body.userPrincipalName).toBe(right);
    const corrected = (await history(o.id)).filter((e) => e.type === 'onboarding.upn-corrected');
    expect(corrected).toEqual([
      expect.objectContaining({
        actor: 'chef.dsi@example.org',
        details: expect.objectContaining({ from: typo, to: right }) as unknown,
      }),
    ]);
    const equipped = await eventually(
      () => read(o.id),
      (x) => x.status === 'completed',
      20_000,
    );
    expect(equipped.steps.vpn.waitingOn).toBeUndefined();
    expect(h.host.tenant.isVpnMember(right)).toBe(true);
    const again = await h.api.patch(`/api/onboardings/${o.id}`, { userPrincipalName: 'autre@example.org' }, h.chef);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'ONBOARDING.UPN_NOT_CORRECTABLE' });
  }, 40_000);

  it("when an agent in post's request names an unknown upn, then it needs attention with UserNotFound; corrected, it takes the directory's name and department", async () => {
    const res = await h.api.post(
      '/api/hr-events',
      {
        eventId: 'codir-typo-0042',
        type: 'employee.equipment-requested',
        occurredAt: '2026-12-01T08:00:00Z',
        employee: { employeeId: 'A0042', userPrincipalName: 'agent0042@exemple.org', priority: 'continuity' },
        needs: { laptop: false, vpn: true, officeLicense: false, teams: false },
      },
      h.hr,
    );
    expect(res.status).toBe(202);
    const listed = await eventually(
      () => list('employeeId=A0042&kind=equipment'),
      (x) => x.items.length > 0,
    );
    const o = listed.items[0]!;
    expect(o.displayName).toBe('agent0042@exemple.org');
    await h.api.post(`/api/onboardings/${o.id}/decision`, { decision: 'approve' }, h.chef);
    await eventually(
      () => read(o.id),
      (x) => x.status === 'needs-attention',
    );
    const patched = await h.api.patch<OnboardingBody>(
      `/api/onboardings/${o.id}`,
      { userPrincipalName: 'agent0042@example.org' },
      h.chef,
    );
    expect(patched.status).toBe(200);
    expect(patched.body.displayName).not.toContain('@');
    const done = await eventually(
      () => read(o.id),
      (x) => x.status === 'completed',
      20_000,
    );
    expect(done.steps.vpn.status).toBe('done');
  }, 40_000);
});

describe('a decision undone', () => {
  it('when the rejecter undoes within the window, then it awaits approval again with a new entry; another person, an application, or past the window is refused', async () => {
    const o = await hire('Noé', 'Bertin');
    expect(
      (await h.api.post(`/api/onboardings/${o.id}/decision`, { decision: 'reject', comment: 'par erreur' }, h.chef))
        .status,
    ).toBe(200);
    const other = await h.host.token('autre.approbateur@example.org', [Roles.onboardingApprove]);
    const byOther = await h.api.call('POST', `/api/onboardings/${o.id}/decision/undo`, { token: other });
    expect(byOther.status).toBe(409);
    expect(byOther.body).toMatchObject({ code: 'ONBOARDING.UNDO_NOT_YOURS' });
    const app = await h.host.appToken('sirh', [Roles.onboardingApprove]);
    expect((await h.api.call('POST', `/api/onboardings/${o.id}/decision/undo`, { token: app })).status).toBe(403);

    const undone = await h.api.call<OnboardingBody>('POST', `/api/onboardings/${o.id}/decision/undo`, {
      token: h.chef,
    });
    expect(undone.status).toBe(200);
    expect(undone.body).toMatchObject({ status: 'awaiting-approval', decision: null });
    expect(undone.body.steps.vpn.status).toBe('pending');
    const types = (await history(o.id)).map((e) => e.type);
    expect(types.slice(-2)).toEqual(['onboarding.rejected', 'onboarding.decision-undone']);

    // Decided again, then the window passes.
    await h.api.post(`/api/onboardings/${o.id}/decision`, { decision: 'reject' }, h.chef);
    time.moveTo(time.clock.now().getTime() + 11 * 60_000);
    const late = await h.api.call('POST', `/api/onboardings/${o.id}/decision/undo`, { token: h.chef });
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({ code: 'ONBOARDING.UNDO_TOO_LATE' });
  });

  it('when an approval has a step done already, then it cannot be undone (409)', async () => {
    const o = await hire('Inès', 'Marchal', { userPrincipalName: 'ines.marchal@example.org' });
    await h.api.post(`/api/onboardings/${o.id}/decision`, { decision: 'approve' }, h.chef);
    await eventually(
      () => read(o.id),
      (x) => x.steps.vpn.status === 'done',
    );
    const res = await h.api.call('POST', `/api/onboardings/${o.id}/decision/undo`, { token: h.chef });
    expect(res.status).toBe(409);
    expect((await read(o.id)).status).not.toBe('awaiting-approval');
  });
});

describe('the stock as its manager reads it', () => {
  it('when deliveries are announced, then anyone with the role lists and withdraws them; the line shows names, sites and lateness', async () => {
    const added = await h.api.post<{ id: string }>(
      '/api/laptops/deliveries',
      { expectedOn: '2026-12-18', count: 40, model: 'Latitude 5450', site: 'Tours' },
      stock,
    );
    expect(added.status).toBe(201);
    const listed = await h.api.get<{
      items: { id: string; count: number; model: string | null; site: string | null }[];
    }>('/api/laptops/deliveries', h.chef);
    expect(listed.body.items).toContainEqual({
      id: added.body.id,
      expectedOn: '2026-12-18',
      count: 40,
      model: 'Latitude 5450',
      site: 'Tours',
    });
    const colleague = await h.host.token('logistique@example.org', [Roles.inventoryManage]);
    expect((await h.api.call('DELETE', `/api/laptops/deliveries/${added.body.id}`, { token: colleague })).status).toBe(
      204,
    );
    expect((await h.api.get<{ items: unknown[] }>('/api/laptops/deliveries', stock)).body.items).toEqual([]);

    const counts = await h.api.get<{ byStatus: Record<string, number> }>('/api/laptops/counts', stock);
    expect(counts.status).toBe(200);
    expect(counts.body.byStatus.assigned).toBeGreaterThanOrEqual(712);

    // More agents than laptops approved: the line names them, says who is late, and what is missing.
    const line: OnboardingBody[] = [];
    for (let i = 0; i < 5; i++) {
      // Starting before today: late, whatever the forecast finds for them.
      const o = await hire('Agent', `Ligne${i}`, { startDate: '2026-11-25', site: i < 3 ? 'Chartres' : 'Orléans' });
      await h.api.post(`/api/onboardings/${o.id}/decision`, { decision: 'approve' }, h.chef);
      line.push(o);
    }
    const forecast = await eventually(
      () =>
        h.api.get<{
          waiting: {
            onboardingId: string;
            displayName?: string;
            site?: string | null;
            late: boolean;
            expectedBy: string | null;
          }[];
          shortfall: { laptops: number; bySite: { site: string | null; waiting: number; missing: number }[] };
        }>('/api/forecast', stock),
      (f) => line.every((o) => f.body.waiting.some((w) => w.onboardingId === o.id)),
    );
    const mine = forecast.body.waiting.filter((w) => line.some((o) => o.id === w.onboardingId));
    expect(mine.map((w) => w.displayName)).toEqual(expect.arrayContaining(['Agent Ligne0', 'Agent Ligne4']));
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((w) => w.late)).toBe(true);
    // The stock had one laptop left (an earlier test took the others), and no delivery is expected now.
    const inLine = forecast.body.waiting.filter((w) => w.expectedBy === null).length;
    expect(forecast.body.shortfall.laptops).toBe(inLine);
    // No laptop at Chartres: each agent waiting there is one missing there.
    const chartres = forecast.body.shortfall.bySite.find((s) => s.site === 'Chartres');
    expect(chartres?.waiting).toBeGreaterThan(0);
    expect(chartres?.missing).toBe(chartres?.waiting);
  }, 40_000);
});

describe('exports and imports that French Excel and people read', () => {
  it('when exported for French Excel, then the bytes are a BOM, `;`-separated French headers and values, Paris times as DD/MM/YYYY HH:mm', async () => {
    const o = await hire('Lucie', 'Fontaine', { startDate: '2026-12-07', priority: 'continuity' });
    await h.api.post(
      `/api/onboardings/${o.id}/decision`,
      { decision: 'reject', comment: 'poste gelé; à revoir' },
      h.chef,
    );
    const res = await fetch(`${h.host.url}/api/onboardings/export?format=excel-fr&employeeId=${o.employeeId}`, {
      headers: { authorization: `Bearer ${h.chef}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [header, row, ...rest] = csvRecords(new TextDecoder().decode(bytes.subarray(3)), ';');
    expect(rest).toEqual([]);
    expect(header?.fields.slice(0, 4)).toEqual(['Référence', 'Type', 'Matricule', 'Agent']);
    const cell = (name: string) => row?.fields[header?.fields.indexOf(name) ?? -1];
    expect(cell('Agent')).toBe('Lucie Fontaine');
    expect(cell('Type')).toBe('arrivée');
    expect(cell('Priorité')).toBe('PCA');
    expect(cell('Statut')).toBe('refusé');
    expect(cell('Décision')).toBe('refusée');
    expect(cell('Commentaire')).toBe('poste gelé; à revoir');
    expect(cell('Date d’arrivée ou souhaitée')).toBe('07/12/2026');
    expect(cell('Créée le')).toMatch(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/);
    expect(cell('Ordinateur portable')).toBe('sans objet');
    // The same instant in Paris: 08:00Z on 1 December is 09:00 there.
    expect(cell('Décidée le')).toMatch(/^01\/12\/2026 09:\d{2}$/);
    const machine = await fetch(`${h.host.url}/api/onboardings/export?employeeId=${o.employeeId}`, {
      headers: { authorization: `Bearer ${h.chef}` },
    });
    const machineBytes = Buffer.from(await machine.arrayBuffer());
    expect([...machineBytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(machineBytes.subarray(3).toString('utf8').split('\r\n')[0]).toMatch(/^id,kind,employeeId/);
  });

  it('when an HR file has bad rows, then each error names its line, the column as the file names it, the value and what is accepted; imported twice, the second says nothing is new', async () => {
    const bad = Buffer.from(
      "matricule;prénom;nom;upn;direction;date d'arrivée;priorité\r\n" +
        'E88001;Léa;Roy;lea.roy@example.org;DSI;31/11/2026;prioritaire\r\n' +
        'E88002;Noël;Dupré;noel.dupre@example.org;DSI;15/12/2026;PCA\r\n',
      'latin1',
    );
    const refused = await h.api.call<{ errors: Record<string, unknown>[] }>(
      'POST',
      '/api/hr-events/import?dryRun=true',
      {
        token: h.hr,
        bytes: bad,
        contentType: 'text/csv',
      },
    );
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([
      expect.objectContaining({
        line: 2,
        path: 'startDate',
        code: 'invalid-date',
        column: "date d'arrivée",
        value: '31/11/2026',
        expected: ['DD/MM/YYYY', 'YYYY-MM-DD'],
      }),
      expect.objectContaining({
        line: 2,
        path: 'priority',
        code: 'invalid-priority',
        column: 'priorité',
        value: 'prioritaire',
        expected: ['PCA', 'continuity', 'standard'],
      }),
    ]);
    const good = Buffer.from(
      "matricule;prénom;nom;upn;direction;date d'arrivée;priorité\r\n" +
        'E88001;Léa;Roy;lea.roy@example.org;DSI;30/11/2026;standard\r\n' +
        'E88002;Noël;Dupré;noel.dupre@example.org;DSI;15/12/2026;PCA\r\n',
      'latin1',
    );
    const send = () =>
      h.api.call<{ valid: number; alreadyImported: number }>('POST', '/api/hr-events/import', {
        token: h.hr,
        bytes: good,
        contentType: 'text/csv',
      });
    const first = await send();
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ valid: 2, alreadyImported: 0 });
    await eventually(
      () => list('q=E8800'),
      (x) => x.total === 2,
    );
    expect((await send()).body).toMatchObject({ valid: 2, alreadyImported: 2 });
  });

  it('when the report is read, then it has the onboardings created each day by status', async () => {
    const day = time.clock.now().toISOString().slice(0, 10);
    const report = await h.api.get<{ byDay: { day: string; byStatus: Record<string, number> }[] }>(
      `/api/reports/summary?from=${day}&to=${day}`,
      h.chef,
    );
    expect(report.status).toBe(200);
    const today = report.body.byDay.find((d) => d.day === day);
    const created = await list(`createdFrom=${day}&createdTo=${day}&limit=1`);
    expect(Object.values(today?.byStatus ?? {}).reduce((a, b) => a + b, 0)).toBe(created.total);
  });
});
