import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { EquipmentImportSummary } from '../../shared/app/intake/equipment-import';
import { objectIdFor } from '../../local/dev-issuer';
import { Roles } from '../../shared/domain/roles';
import { startApiHost, type ApiHost } from '../support/api-host';
import { eventually } from '../support/http-client';

// The CODIR's list (contract: "Equipment for an agent in post", POST /api/equipment-requests/import; npm run
// hr -- import-equipment): 300 agents in post of the Région's directory named under the continuity plan, in
// the file Excel writes in French (Windows-1252, `;`, DD/MM/YYYY, CRLF), two of them unknown to the directory.

const run = promisify(execFile);
const UNKNOWN = ['agent9998@example.org', 'agent9999@example.org'];
/** Agents 601…898: 601…712 hold a laptop in the Région (112 of them here), the others a desktop. */
const FIRST = 601;
const KNOWN = 298;

interface OnboardingBody {
  id: string;
  kind: string;
  employeeId: string;
  department: string;
  site: string | null;
  priority: string;
  startDate: string;
  status: string;
  replaces: { serialNumber: string } | null;
}
interface HistoryBody {
  type: string;
  actor: string;
  actorId?: string;
}

const upnOf = (n: number) => `agent${String(n).padStart(4, '0')}@example.org`;

/** The list as Excel saves "CSV (séparateur : point-virgule)" on a French Windows. */
function codirFile(o: { unknown: boolean; badLine?: boolean }): Buffer {
  const lines = ['UPN;Nom;Priorité;Date souhaitée;Besoins;Remplace'];
  for (let i = 0; i < KNOWN; i++) {
    const n = FIRST + i;
    const desktop = n > 712;
    lines.push(
      [
        upnOf(n),
        i % 2 === 0 ? 'Hélène Lefèvre' : 'François Bérubé',
        i < 200 ? 'PCA' : 'standard',
        o.badLine && i === 40 ? '31/02/2027' : '07/12/2026',
        i % 3 === 0 ? 'portable|vpn|office|teams' : i % 3 === 1 ? '' : 'vpn|teams',
        desktop ? `DESKTOP-${String(n).padStart(4, '0')}` : '',
      ].join(';'),
    );
  }
  if (o.unknown) {
    lines.splice(51, 0, `${UNKNOWN[0]};Zoé Dupré;PCA;07/12/2026;portable;`);
    lines.push(`${UNKNOWN[1]};Noël Ménard;standard;;;`);
  }
  return Buffer.from(`${lines.join('\r\n')}\r\n`, 'latin1');
}

let h: ApiHost;
let stateDir: string;
let codir: string;
const IMPORTER = 'directrice.dsi@example.org';
const work = mkdtempSync(path.join(tmpdir(), 'codir-'));

beforeAll(async () => {
  stateDir = mkdtempSync(path.join(tmpdir(), 'codir-state-'));
  h = await startApiHost('codir', { stateDir, laptopStock: 120, env: { ...process.env, LOCAL_AGENTS: '950' } });
  codir = await h.host.token(IMPORTER, [Roles.onboardingApprove]);
}, 30_000);
afterAll(() => h.host.stop());

const importCsv = (bytes: Uint8Array, query = '', token = codir) =>
  h.api.call<EquipmentImportSummary & { detail?: string }>('POST', `/api/equipment-requests/import${query}`, {
    token,
    bytes,
    contentType: 'application/vnd.ms-excel',
  });
/** Every equipment request, page by page. */
async function requests(): Promise<OnboardingBody[]> {
  const items: OnboardingBody[] = [];
  let token: string | null = null;
  do {
    const query: string = `kind=equipment&limit=200${token ? `&continuationToken=${encodeURIComponent(token)}` : ''}`;
    const page = await h.api.get<{ items: OnboardingBody[]; continuationToken: string | null }>(
      `/api/onboardings?${query}`,
      h.chef,
    );
    items.push(...page.body.items);
    token = page.body.continuationToken;
  } while (token);
  return items;
}

describe("the CODIR's list", () => {
  it('when the list names two agents the directory does not know, then 400 lists them by line and queues nothing; once they are taken out the dry run counts, the import opens one request an agent, and the same file again opens nothing', async () => {
    const sentBefore = h.host.bus.stats.sent;
    const refused = await importCsv(codirFile({ unknown: true }));
    expect(refused.status).toBe(400);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body).toMatchObject({ rows: 300, valid: KNOWN, unknownAgents: UNKNOWN });
    expect(refused.body.errors.map((e) => [e.line, e.path, e.message])).toEqual([
      [52, 'userPrincipalName', `the directory has no agent ${UNKNOWN[0]}`],
      [301, 'userPrincipalName', `the directory has no agent ${UNKNOWN[1]}`],
    ]);
    await h.host.whenIdle();
    expect(h.host.bus.stats.sent).toBe(sentBefore);
    expect(await requests()).toEqual([]);

    const file = codirFile({ unknown: false });
    const dry = await importCsv(file, '?dryRun=true');
    expect(dry.status).toBe(200);
    // Laptops asked by two rows in three (named, or by default); those of agents up to 712 hold one already.
    const asking = Array.from({ length: KNOWN }, (_, i) => i).filter((i) => i % 3 !== 2);
    const holding = asking.filter((i) => FIRST + i <= 712).length;
    expect(dry.body).toEqual({
      rows: KNOWN,
      valid: KNOWN,
      errors: [],
      continuity: 200,
      alreadyEquipped: holding,
      laptopsNeeded: asking.length - holding,
      laptopsAvailable: 120,
      unknownAgents: [],
      alreadyImported: 0,
    });
    await h.host.whenIdle();
    expect(h.host.bus.stats.sent).toBe(sentBefore);

    // From the terminal, as the DSI would: checked, then sent in parts with a progress bar.
    const csvPath = path.join(work, 'liste-codir.csv');
    writeFileSync(csvPath, file);
    const cli = await run(
      'npx',
      ['tsx', 'cli/hr.ts', 'import-equipment', csvPath, '--url', h.host.url, '--user', IMPORTER],
      { env: { ...process.env, LOCAL_STATE_DIR: stateDir } },
    );
    expect(cli.stdout).toContain(
      `${KNOWN} rows, ${KNOWN} valid, 200 continuity (PCA); ${holding} already hold a laptop`,
    );
    expect(cli.stdout).toContain(`${KNOWN} equipment requests queued`);
    expect(cli.stderr).toContain(`[##############################] ${KNOWN}/${KNOWN} rows`);
    const opened = await eventually(requests, (items) => items.length === KNOWN, 60_000);
    expect(new Set(opened.map((o) => o.employeeId)).size).toBe(KNOWN);
    const desk = opened.find((o) => o.employeeId === 'A0713');
    expect(desk).toMatchObject({
      kind: 'equipment',
      priority: 'continuity',
      startDate: '2026-12-07',
      status: 'awaiting-approval',
      replaces: { serialNumber: 'DESKTOP-0713' },
    });
    // The directory's department and site; the person who imported the list is the one who asked.
    const agent = h.host.tenant.operatorView().users.find((u) => u.userPrincipalName === upnOf(713));
    expect(desk?.department).toBe(agent?.department);
    const created = (await h.api.get<{ items: HistoryBody[] }>(`/api/onboardings/${desk?.id ?? ''}/history`, h.chef))
      .body.items[0];
    expect(created).toMatchObject({ type: 'onboarding.created', actor: IMPORTER, actorId: objectIdFor(IMPORTER) });

    // Again, over HTTP: the same event ids, nothing new.
    const again = await importCsv(file);
    expect(again.status).toBe(202);
    expect(again.body.eventIds).toHaveLength(KNOWN);
    // The summary says so: every row was there already.
    expect(again.body.alreadyImported).toBe(KNOWN);
    await h.host.whenIdle();
    expect(await requests()).toHaveLength(KNOWN);
    const entries = (await h.api.get<{ items: HistoryBody[] }>(`/api/onboardings/${desk?.id ?? ''}/history`, h.chef))
      .body.items;
    expect(entries.filter((e) => e.type === 'onboarding.created')).toHaveLength(1);
  }, 180_000);

  it('when a row is invalid, then 400 names its line and column and nothing is queued', async () => {
    const sentBefore = h.host.bus.stats.sent;
    const res = await importCsv(codirFile({ unknown: false, badLine: true }));
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e) => [e.line, e.path])).toEqual([[42, 'neededBy']]);
    await h.host.whenIdle();
    expect(h.host.bus.stats.sent).toBe(sentBefore);
  });

  it('when the list names agents by matricule only, then the directory finds them by employee id (an unknown one is an error of its line)', async () => {
    const res = await importCsv(
      Buffer.from('Matricule;Priorité;Besoins\r\nA0800;PCA;vpn\r\nZ0000;PCA;vpn\r\n', 'latin1'),
      '?dryRun=true',
    );
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ valid: 1, unknownAgents: ['Z0000'], laptopsNeeded: 0 });
    expect(res.body.errors).toEqual([
      {
        line: 3,
        path: 'employeeId',
        message: 'the directory has no agent Z0000',
        code: 'unknown-agent',
        column: 'Matricule',
        value: 'Z0000',
      },
    ]);
  });

  it('when HR posts an equipment request naming who asked, then 400: only the import names the requester', async () => {
    const res = await h.api.post<{ errors: { path: string }[] }>(
      '/api/hr-events',
      {
        eventId: 'forged-requester',
        type: 'employee.equipment-requested',
        occurredAt: '2026-12-01T08:00:00Z',
        employee: { employeeId: 'A0801', userPrincipalName: upnOf(801) },
        requestedBy: { userPrincipalName: IMPORTER, objectId: objectIdFor(IMPORTER) },
      },
      h.hr,
    );
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e) => e.path)).toEqual(['requestedBy']);
  });

  it('when an application, or a person without Onboarding.Approve, sends the list, then 403', async () => {
    const file = codirFile({ unknown: false });
    const app = await h.host.appToken('codir-robot', [Roles.onboardingApprove]);
    expect((await importCsv(file, '?dryRun=true', app)).status).toBe(403);
    expect((await importCsv(file, '?dryRun=true', h.hr)).status).toBe(403);
  });
});
