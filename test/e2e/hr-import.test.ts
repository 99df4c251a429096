import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ImportSummary } from '../../shared/app/intake/hr-import';
import { QUEUES } from '../../shared/app/queues';
import { startApiHost, type ApiHost } from '../support/api-host';
import { eventually } from '../support/http-client';

// Crisis intake (contract: POST /api/hr-events/import, "CSV import"; npm run hr -- import): a 1,000-row file
// written the way Excel writes it in French (Windows-1252, `;`, DD/MM/YYYY, accents in names, CRLF).

const run = promisify(execFile);
const ROWS = 1000;
const GIVEN = ['Hélène', 'François', 'Zoé', 'Gaëlle', 'Jérôme', 'Cécile', 'Anaïs', 'Noël'];
const SURNAMES = ['Lefèvre', 'Bérubé', 'Dupré', 'Mégane', 'Castaño', 'Åkesson', 'Ménard', 'Thérèse'];

interface OnboardingBody {
  id: string;
  displayName: string;
  department: string;
  site: string | null;
  priority: string;
  startDate: string;
  status: string;
}

/** The file as Excel saves "CSV (séparateur : point-virgule)" on a French Windows: Windows-1252, CRLF. */
function excelFile(rows: number, broken: (i: number) => boolean = () => false): Buffer {
  const lines = ["Matricule;Prénom;Nom;UPN;Direction;Site;Date d'arrivée;Priorité;Pays"];
  for (let i = 0; i < rows; i++) {
    const id = `IMP${String(i).padStart(5, '0')}`;
    const day = String((i % 28) + 1).padStart(2, '0');
    lines.push(
      [
        id,
        GIVEN[i % GIVEN.length],
        SURNAMES[i % SURNAMES.length],
        broken(i) ? 'pas-un-upn' : `agent.${id.toLowerCase()}@example.org`,
        'Direction des lycées',
        i % 3 === 0 ? 'Orléans' : 'Châteauroux',
        broken(i) ? '31/02/2027' : `${day}/01/2027`,
        i % 5 === 0 ? 'PCA' : 'standard',
        'FR',
      ].join(';'),
    );
  }
  // Latin-1 covers every letter used: the same bytes as Windows-1252 (é is 0xE9 in both).
  return Buffer.from(`${lines.join('\r\n')}\r\n`, 'latin1');
}

let h: ApiHost;
let stateDir: string;
const work = mkdtempSync(path.join(tmpdir(), 'hr-import-'));

beforeAll(async () => {
  stateDir = mkdtempSync(path.join(tmpdir(), 'hr-import-state-'));
  h = await startApiHost('hr-import', { stateDir, laptopStock: 120 });
});
afterAll(() => h.host.stop());

const importCsv = (bytes: Uint8Array, query = '', contentType = 'text/csv') =>
  h.api.call<ImportSummary>('POST', `/api/hr-events/import${query}`, { token: h.hr, bytes, contentType });
const awaiting = async () =>
  (await h.api.get<{ byStatus: Record<string, number> }>('/api/reports/summary', h.chef)).body.byStatus[
    'awaiting-approval'
  ] ?? 0;

describe('crisis intake from a spreadsheet', () => {
  it('when a 1,000-row Excel file is checked (dry run), imported from the terminal, then imported again, then the dry run counts without queuing, the import creates 1,000 onboardings with their accents, and the second queues nothing new', async () => {
    const file = excelFile(ROWS);
    const sentFirst = h.host.bus.stats.sent;
    const dry = await importCsv(file, '?dryRun=true');
    expect(dry.status).toBe(200);
    expect(dry.body).toEqual({
      rows: ROWS,
      valid: ROWS,
      errors: [],
      continuity: ROWS / 5,
      laptopsNeeded: ROWS,
      laptopsAvailable: 120,
      seatsNeeded: ROWS,
      seatsFree: 1000,
      alreadyImported: 0,
    });
    await h.host.whenIdle();
    expect(h.host.bus.stats.sent).toBe(sentFirst);
    expect(await awaiting()).toBe(0);

    // From a terminal, as the DSI would: checked, then sent in parts with a progress bar.
    const csvPath = path.join(work, 'recrutements.csv');
    writeFileSync(csvPath, file);
    const cli = await run('npx', ['tsx', 'cli/hr.ts', 'import', csvPath, '--url', h.host.url], {
      env: { ...process.env, LOCAL_STATE_DIR: stateDir },
    });
    expect(cli.stdout).toContain(`${ROWS} rows, ${ROWS} valid, ${ROWS / 5} continuity`);
    expect(cli.stdout).toContain(`${ROWS} hires queued`);
    expect(cli.stderr).toContain(`[##############################] ${ROWS}/${ROWS} rows`);
    expect(cli.stderr).toContain(`100/${ROWS} rows`);
    await eventually(awaiting, (n) => n === ROWS, 120_000);

    const one = (await h.api.get<{ items: OnboardingBody[] }>('/api/onboardings?employeeId=IMP00005', h.chef)).body
      .items;
    expect(one).toEqual([
      expect.objectContaining({
        id: 'IMP00005.1',
        displayName: 'Cécile Åkesson',
        department: 'Direction des lycées',
        site: 'Châteauroux',
        priority: 'continuity',
        startDate: '2027-01-06',
        status: 'awaiting-approval',
      }),
    ]);

    // Again, over HTTP: the same event ids, nothing new anywhere.
    const sentBefore = h.host.bus.stats.sent;
    const duplicatesBefore = h.host.bus.stats.duplicates;
    const again = await importCsv(file);
    expect(again.status).toBe(202);
    expect(again.body.eventIds).toHaveLength(ROWS);
    expect(again.body.eventIds?.[5]).toBe('import/IMP00005/2027-01-06');
    await h.host.whenIdle();
    // Every message of the second import was dropped by duplicate detection (messageId = eventId).
    expect(h.host.bus.stats.duplicates - duplicatesBefore).toBe(ROWS);
    expect(h.host.bus.stats.sent - sentBefore).toBe(ROWS);
    expect(await awaiting()).toBe(ROWS);
  }, 180_000);

  it('when some rows are invalid, then 400 lists every error by line and nothing is queued, from HTTP as from the terminal', async () => {
    const file = excelFile(300, (i) => i === 17 || i === 230);
    const sentBefore = h.host.bus.stats.sent;
    const res = await importCsv(file);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ rows: 300, valid: 298, laptopsNeeded: 298 });
    expect(res.body.errors.map((e) => [e.line, e.path])).toEqual([
      [19, 'userPrincipalName'],
      [19, 'startDate'],
      [232, 'userPrincipalName'],
      [232, 'startDate'],
    ]);
    const csvPath = path.join(work, 'erreurs.csv');
    writeFileSync(csvPath, file);
    const cli = await run('npx', ['tsx', 'cli/hr.ts', 'import', csvPath, '--url', h.host.url], {
      env: { ...process.env, LOCAL_STATE_DIR: stateDir },
    }).then(
      () => ({ code: 0, stderr: '' }),
      (err: unknown) => err as { code: number; stderr: string },
    );
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain('line 232, startDate');
    await h.host.whenIdle();
    expect(h.host.bus.stats.sent).toBe(sentBefore);
    expect(h.host.bus.snapshot().queues[QUEUES.hrEvents]?.messages ?? []).toEqual([]);
  }, 60_000);

  it('when the body is not CSV, too large, or the caller may not send HR events, then 415, 413, 403', async () => {
    expect((await importCsv(excelFile(2), '', 'application/json')).status).toBe(415);
    expect((await importCsv(new Uint8Array(2 * 1024 * 1024 + 1).fill(0x41))).status).toBe(413);
    const res = await h.api.call('POST', '/api/hr-events/import', {
      token: h.chef,
      bytes: excelFile(2),
      contentType: 'text/csv',
    });
    expect(res.status).toBe(403);
  });
});
