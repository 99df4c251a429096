import { waitingOnOf } from '../../domain/waiting-on';
import { FR } from '../../domain/words-fr';
import type { OnboardingFilter, OnboardingRow, OnboardingStore } from '../../ports/onboarding-store';
import { STEP_NAMES, type StepName } from '../../schemas/onboarding';

// The export of `GET /api/onboardings/export`: CSV (RFC 4180: comma, CRLF, fields quoted when they hold a
// comma, a semicolon, a quote or a line break, quotes doubled), UTF-8 with a byte order mark so that Excel shows accents.
// Produced a page at a time as the reader takes it: 10,000 rows never sit in memory at once.
// `excel-fr`: as French Excel opens it with a double click: `;` between fields, French headers and values,
// dates and times in Europe/Paris as DD/MM/YYYY and DD/MM/YYYY HH:mm.

const BOM = '\uFEFF';
const PAGE = 200;

type Column = [string, (o: OnboardingRow) => string | undefined | null];

const COLUMNS: Column[] = [
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

const parisDateTime = new Intl.DateTimeFormat('fr-FR', {
  timeZone: 'Europe/Paris',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** An instant as French Excel reads a date and time: DD/MM/YYYY HH:mm, in Paris. */
export function frenchDateTime(iso: string | undefined | null): string {
  if (!iso) return '';
  return parisDateTime.format(new Date(iso)).replace(',', '');
}

/** A day (YYYY-MM-DD) as DD/MM/YYYY. */
export function frenchDate(day: string | undefined | null): string {
  if (!day) return '';
  const [y, m, d] = day.split('-');
  return `${d}/${m}/${y}`;
}

/** A step in French: its status, and what it waits for when it waits. */
function frenchStep(o: OnboardingRow, name: StepName): string {
  const step = o.steps[name];
  const waiting = waitingOnOf(name, step);
  return waiting ? `${FR.stepStatus[step.status]} (${FR.waitingOn[waiting]})` : FR.stepStatus[step.status];
}

const FRENCH_COLUMNS: Column[] = [
  ['Référence', (o) => o.id],
  ['Type', (o) => FR.kind[o.kind]],
  ['Matricule', (o) => o.employeeId],
  ['Agent', (o) => o.displayName],
  ['UPN', (o) => o.userPrincipalName],
  ['Direction', (o) => o.department],
  ['Site', (o) => o.site],
  ['Priorité', (o) => FR.priority[o.priority]],
  ['Date d’arrivée ou souhaitée', (o) => frenchDate(o.startDate)],
  ['Statut', (o) => FR.onboardingStatus[o.status]],
  ['Créée le', (o) => frenchDateTime(o.createdAt)],
  ['Décision', (o) => (o.decision ? FR.decision[o.decision.decision] : '')],
  ['Décidée par', (o) => o.decision?.by],
  ['Décidée le', (o) => frenchDateTime(o.decision?.at)],
  ['Commentaire', (o) => o.decision?.comment],
  ...STEP_NAMES.map((name): Column => [FR.step[name], (o) => frenchStep(o, name)]),
  ['N° de série du portable', (o) => o.steps.laptop.serialNumber],
  ['Dernier jour', (o) => frenchDate(o.departure?.lastDay)],
  ['Équipé le', (o) => frenchDateTime(o.completedAt)],
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

export const csvRow = (fields: (string | undefined | null)[], separator = ',') =>
  `${fields.map(csvField).join(separator)}\r\n`;

/** The lines of the export: the BOM and header, then a page of rows at a time (read when the reader asks). */
export async function* exportOnboardings(
  store: OnboardingStore,
  filter: OnboardingFilter,
  format?: 'excel-fr',
): AsyncGenerator<string> {
  const columns = format === 'excel-fr' ? FRENCH_COLUMNS : COLUMNS;
  const separator = format === 'excel-fr' ? ';' : ',';
  yield (
    BOM +
    csvRow(
      columns.map(([name]) => name),
      separator,
    )
  );
  let token: string | undefined;
  do {
    const page = await store.rowsPage(filter, PAGE, token);
    yield page.items
      .map((o) =>
        csvRow(
          columns.map(([, value]) => value(o)),
          separator,
        ),
      )
      .join('');
    token = page.continuationToken ?? undefined;
  } while (token);
}
