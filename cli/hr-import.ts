import { readFile } from 'node:fs/promises';
import { issueToken, loadOrCreateSigningKey } from '../local/dev-issuer';
import { loadLocalSettings, localSettings } from '../local/local-settings';
import { csvRecords, decodeCsv, separatorOf, type ImportError } from '../shared/import/csv';
import { Roles } from '../shared/domain/roles';

/** Rows a part of the file carries: a progress step, well under the route's 2 MiB. */
export const IMPORT_PART_ROWS = 100;

/** What the route answers: the summary, or a problem (its `detail`, and with invalid rows the same counts). */
type Summary = Record<string, unknown> & {
  detail?: string;
  errors?: ImportError[];
  eventIds?: string[];
};

/** A field as RFC 4180 writes it: quoted when it holds the separator, a quote or a line break. */
const csvField = (value: string) => (/[;"\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
const csvLine = (fields: string[]) => `${fields.map(csvField).join(';')}\r\n`;

function progress(done: number, total: number): void {
  const width = 30;
  const filled = Math.round((done / Math.max(total, 1)) * width);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} rows`;
  if (process.stderr.isTTY) process.stderr.write(`\r${bar}${done === total ? '\n' : ''}`);
  else process.stderr.write(`${bar}\n`);
}

/** Which file the command sends: HR's hires, or the CODIR's list of agents in post. */
export interface ImportKind {
  route: string;
  /** Who the local token is for when none is given: an application (HR's), or a person. */
  localCaller: { app: string } | { user: string };
  role: string;
  /** One line of what the dry run found. */
  describe(summary: Record<string, unknown>): string;
  /** The noun of what is queued. */
  queued: string;
}

const count = (s: Record<string, unknown>, key: string) => (typeof s[key] === 'number' ? s[key] : 0);

export const HIRES: ImportKind = {
  route: 'hr-events/import',
  localCaller: { app: 'hr-import-cli' },
  role: Roles.hrEventsSend,
  describe: (s) =>
    `${count(s, 'rows')} rows, ${count(s, 'valid')} valid, ${count(s, 'continuity')} continuity; laptops ` +
    `${count(s, 'laptopsNeeded')} needed / ${count(s, 'laptopsAvailable')} available; seats ` +
    `${count(s, 'seatsNeeded')} needed / ${count(s, 'seatsFree')} free`,
  queued: 'hires',
};

export function equipmentRequests(user: string): ImportKind {
  return {
    route: 'equipment-requests/import',
    localCaller: { user },
    role: Roles.onboardingApprove,
    describe: (s) =>
      `${count(s, 'rows')} rows, ${count(s, 'valid')} valid, ${count(s, 'continuity')} continuity (PCA); ` +
      `${count(s, 'alreadyEquipped')} already hold a laptop; laptops ${count(s, 'laptopsNeeded')} needed / ` +
      `${count(s, 'laptopsAvailable')} available`,
    queued: 'equipment requests',
  };
}

async function localToken(kind: ImportKind): Promise<string> {
  loadLocalSettings();
  const settings = localSettings();
  const key = await loadOrCreateSigningKey(settings.LOCAL_STATE_DIR);
  return issueToken(key, {
    ...kind.localCaller,
    roles: [kind.role],
    issuer: settings.Auth__issuer,
    audience: settings.Auth__audience,
    lifetimeSeconds: 3600,
  });
}

/**
 * `npm run hr -- import <file.csv> [--dry-run]` (and `import-equipment`): checks the whole file with the service
 * (a dry run), then sends it in parts with a progress bar. Answers the exit code: 0 done, 1 refused (every
 * error printed).
 */
export async function importFile(
  file: string,
  o: { dryRun: boolean; url?: string; token?: string; kind?: ImportKind },
): Promise<number> {
  const kind = o.kind ?? HIRES;
  const base = (o.url ?? process.env.HR_API_URL ?? `http://127.0.0.1:${process.env.PORT ?? '7071'}`).replace(/\/$/, '');
  const token = o.token ?? process.env.HR_API_TOKEN ?? (await localToken(kind));
  const send = async (body: Uint8Array, dryRun: boolean): Promise<{ status: number; summary: Summary }> => {
    const res = await fetch(`${base}/api/${kind.route}${dryRun ? '?dryRun=true' : ''}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
      body,
    });
    return { status: res.status, summary: (await res.json()) as Summary };
  };
  const bytes = await readFile(file);
  const checked = await send(bytes, true);
  if (checked.status !== 200) {
    console.error(`${file}: ${checked.summary.detail ?? `refused (${checked.status})`}`);
    for (const e of checked.summary.errors ?? []) console.error(`  line ${e.line}, ${e.path}: ${e.message}`);
    return 1;
  }
  // A 200 is the dry run's whole summary.
  console.log(`${file}: ${kind.describe(checked.summary)}`);
  if (o.dryRun) return 0;
  // Sent again in parts of whole records (a quoted field may span lines), each with the header.
  const text = decodeCsv(bytes);
  const [header, ...rows] = csvRecords(text, separatorOf(text));
  if (!header) return 0;
  const encoder = new TextEncoder();
  let imported = 0;
  progress(0, rows.length);
  for (let i = 0; i < rows.length; i += IMPORT_PART_ROWS) {
    const part = rows.slice(i, i + IMPORT_PART_ROWS);
    const csv = csvLine(header.fields) + part.map((r) => csvLine(r.fields)).join('');
    const res = await send(encoder.encode(csv), false);
    if (res.status !== 202) {
      console.error(`\nrows ${i + 1}..${i + part.length}: ${res.summary.detail ?? `refused (${res.status})`}`);
      return 1;
    }
    imported += res.summary.eventIds?.length ?? 0;
    progress(i + part.length, rows.length);
  }
  console.log(`${imported} ${kind.queued} queued (the same file again queues nothing new)`);
  return 0;
}
