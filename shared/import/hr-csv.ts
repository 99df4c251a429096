import { employeeHiredSchema, type EmployeeHired } from '../schemas/hr-events';
import { toFieldErrors } from '../schemas/validation';
import {
  byLine,
  DATE_FORMATS,
  isoDate,
  OncePerFile,
  PRIORITY_WORDS,
  priorityOf,
  readTable,
  type ImportError,
  type ImportErrorCode,
} from './csv';

/**
 * The HR import file (contract: "CSV import"), a table of `./csv`: one header row in the hire event's field
 * names or in French; priority `continuity`, `standard` or `PCA`. Pure: bytes in, hire events or every error
 * out.
 */

/** What an import (or its dry run) comes to (contract: "CSV import"). */
export interface ImportSummary {
  rows: number;
  valid: number;
  errors: ImportError[];
  continuity: number;
  laptopsNeeded: number;
  laptopsAvailable: number;
  seatsNeeded: number;
  seatsFree: number;
  /** The events queued (a real import without errors). */
  eventIds?: string[];
  /** Rows whose event was applied already (the same file imported before): nothing new for them. */
  alreadyImported?: number;
}

export interface ParsedImport {
  rows: number;
  /** The valid rows' events (an import goes ahead only when `errors` is empty). */
  hires: EmployeeHired[];
  errors: ImportError[];
}

type Field =
  | 'employeeId'
  | 'givenName'
  | 'surname'
  | 'userPrincipalName'
  | 'department'
  | 'site'
  | 'startDate'
  | 'priority'
  | 'usageLocation';

const REQUIRED: readonly Field[] = [
  'employeeId',
  'givenName',
  'surname',
  'userPrincipalName',
  'department',
  'startDate',
];

/** Headers, folded (`fold`), in English and French. */
const HEADERS: Record<string, Field> = {
  employeeid: 'employeeId',
  matricule: 'employeeId',
  givenname: 'givenName',
  prenom: 'givenName',
  surname: 'surname',
  nom: 'surname',
  userprincipalname: 'userPrincipalName',
  upn: 'userPrincipalName',
  department: 'department',
  direction: 'department',
  site: 'site',
  startdate: 'startDate',
  datedarrivee: 'startDate',
  priority: 'priority',
  priorite: 'priority',
  usagelocation: 'usageLocation',
  pays: 'usageLocation',
};

/**
 * The hire event of one row: its `eventId` is derived from the employee and the start date, so that importing
 * the same file again gives the same events (each applied once).
 */
export function importEventId(employeeId: string, startDate: string): string {
  return `import/${employeeId}/${startDate}`;
}

/** What is wrong with a field, and what would be taken there. */
function fieldFault(field: Field, value: string | undefined): { code: ImportErrorCode; expected?: string[] } {
  if (value === undefined) return { code: 'required' };
  switch (field) {
    case 'startDate':
      return { code: 'invalid-date', expected: DATE_FORMATS };
    case 'priority':
      return { code: 'invalid-priority', expected: PRIORITY_WORDS };
    case 'userPrincipalName':
      return { code: 'invalid-upn', expected: ['prenom.nom@domaine'] };
    case 'usageLocation':
      return { code: 'invalid-country', expected: ['FR'] };
    default:
      return { code: 'invalid' };
  }
}

/** Parses the file into hire events; every error of every row, or none. */
export function parseHrCsv(bytes: Uint8Array, occurredAt: string): ParsedImport {
  const { rows, table, errors, headerOf } = readTable(bytes, HEADERS, REQUIRED);
  const hires: EmployeeHired[] = [];
  const seen = new OncePerFile('employee');
  for (const { line, values } of table) {
    const startDate = isoDate(values.startDate ?? '');
    const employeeId = values.employeeId ?? '';
    const event = {
      eventId: importEventId(employeeId, startDate),
      type: 'employee.hired',
      occurredAt,
      employee: {
        employeeId,
        givenName: values.givenName ?? '',
        surname: values.surname ?? '',
        userPrincipalName: values.userPrincipalName ?? '',
        department: values.department ?? '',
        ...(values.site !== undefined ? { site: values.site } : {}),
        startDate,
        priority: priorityOf(values.priority ?? ''),
        ...(values.usageLocation !== undefined ? { usageLocation: values.usageLocation.toUpperCase() } : {}),
      },
    };
    const parsed = employeeHiredSchema.safeParse(event);
    if (!parsed.success) {
      for (const e of toFieldErrors(parsed.error)) {
        const path = e.path.replace(/^employee\./, '');
        const field = path as Field;
        const value = values[field];
        errors.push({
          line,
          path,
          message: e.message,
          ...fieldFault(field, value),
          ...(headerOf[field] !== undefined ? { column: headerOf[field] } : {}),
          ...(value !== undefined ? { value } : {}),
        });
      }
      continue;
    }
    const again = seen.claim(employeeId, line, 'employeeId', headerOf.employeeId);
    if (again) {
      errors.push(again);
      continue;
    }
    hires.push(parsed.data);
  }
  return { rows, hires, errors: byLine(errors) };
}
