import type { OnboardingFilter, OnboardingRow, OnboardingStore } from '../../ports/onboarding-store';

// The export of `GET /api/onboardings/export`: CSV (RFC 4180: comma, CRLF, fields quoted when they hold a
// comma, a semicolon, a quote or a line break, quotes doubled), UTF-8 with a byte order mark so that Excel shows accents.
// Produced a page at a time as the reader takes it: 10,000 rows never sit in memory at once.

const BOM = '\uFEFF';
const PAGE = 200;

const COLUMNS: [string, (o: OnboardingRow) => string | undefined | null][] = [
  ['id', (o) => o.id],
  ['kind', (o) => o.kind],
  ['employeeId', (o) => o.employeeId],
  ['displayName', (o) => o.displayName],
  ['userPrincipalName', (o) => o.userPrincipalName],
  ['department', (o) => o.department],
  ['site', (o) => o.site],
  ['priority', (o) => o.priority],
  ['startDate', (o) => o.startDate],
  ['status', (o) => o.status],
  ['createdAt', (o) => o.createdAt],
  ['decision', (o) => o.decision?.decision],
  ['decidedBy', (o) => o.decision?.by],
  ['decidedById', (o) => o.decision?.byId],
  ['decidedAt', (o) => o.decision?.at],
  ['decisionComment', (o) => o.decision?.comment],
  ['laptop', (o) => o.steps.laptop.status],
  ['laptopSerialNumber', (o) => o.steps.laptop.serialNumber],
  ['laptopDetail', (o) => o.steps.laptop.detail],
  ['vpn', (o) => o.steps.vpn.status],
  ['vpnDetail', (o) => o.steps.vpn.detail],
  ['officeLicense', (o) => o.steps.officeLicense.status],
  ['officeLicenseDetail', (o) => o.steps.officeLicense.detail],
  ['completedAt', (o) => o.completedAt],
];

const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One field. A value a spreadsheet would take for a formula (=, +, -, @, a tab or a carriage return first)
 * is prefixed with an apostrophe (OWASP, "CSV injection"): a name in the export never runs in Excel. So is
 * each piece of it between separators, `,` or `;`: French Excel splits a comma file on `;`, so `Dupont;=1+1`
 * would otherwise become a cell `=1+1`. A field holding either separator, a quote or a line break is quoted.
 */
export function csvField(value: string | undefined | null): string {
  const text = (value ?? '')
    .split(/([,;])/)
    .map((piece) => (FORMULA_START.test(piece) ? `'${piece}` : piece))
    .join('');
  return /[",;\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvRow = (fields: (string | undefined | null)[]) => `${fields.map(csvField).join(',')}\r\n`;

/** The lines of the export: the BOM and header, then a page of rows at a time (read when the reader asks). */
export async function* exportOnboardings(store: OnboardingStore, filter: OnboardingFilter): AsyncGenerator<string> {
  yield BOM + csvRow(COLUMNS.map(([name]) => name));
  let token: string | undefined;
  do {
    const page = await store.rowsPage(filter, PAGE, token);
    yield page.items.map((o) => csvRow(COLUMNS.map(([, value]) => value(o)))).join('');
    token = page.continuationToken ?? undefined;
  } while (token);
}
