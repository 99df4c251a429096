import { accessoryKindSchema, isoDateSchema, userPrincipalNameSchema, type Needs } from '../schemas/hr-events';
import {
  byLine,
  DATE_FORMATS,
  fold,
  isoDate,
  OncePerFile,
  PRIORITY_WORDS,
  priorityOf,
  readTable,
  type ImportError,
} from './csv';

/**
 * The CODIR's list (contract: "Equipment for an agent in post", its import): a table of `./csv` naming agents
 * in post by `userPrincipalName` or `employeeId`, with their priority, the day they need it, what they need
 * and the device they hand back. Who they are (department, site, manager) is the directory's, looked up by
 * the import. Pure: bytes in, rows or every error out.
 */

type Field = 'userPrincipalName' | 'employeeId' | 'priority' | 'neededBy' | 'needs' | 'replaces' | 'name';

/** Headers, folded (`fold`), in English and French; a name column is for the people who read the file. */
const HEADERS: Record<string, Field> = {
  userprincipalname: 'userPrincipalName',
  upn: 'userPrincipalName',
  employeeid: 'employeeId',
  matricule: 'employeeId',
  priority: 'priority',
  priorite: 'priority',
  neededby: 'neededBy',
  datesouhaitee: 'neededBy',
  needs: 'needs',
  besoins: 'needs',
  replaces: 'replaces',
  remplace: 'replaces',
  name: 'name',
  displayname: 'name',
  nom: 'name',
  prenom: 'name',
  givenname: 'name',
  surname: 'name',
  agent: 'name',
};

const REQUIRED: readonly (Field | readonly Field[])[] = [['userPrincipalName', 'employeeId'], 'priority'];

/** The steps a `needs` list names, in English and French (folded); anything else is an accessory kind. */
const STEP_WORDS: Record<string, 'laptop' | 'vpn' | 'officeLicense' | 'teams'> = {
  laptop: 'laptop',
  portable: 'laptop',
  pc: 'laptop',
  vpn: 'vpn',
  officelicense: 'officeLicense',
  office: 'officeLicense',
  licence: 'officeLicense',
  teams: 'teams',
};

/** With no `needs`: what an agent sent home needs (contract), no accessory. */
const DEFAULT_NEEDS: Needs = { laptop: true, vpn: true, officeLicense: true, teams: true, accessories: [] };

/** What an import of the CODIR's list (or its dry run) comes to (contract: "Equipment for an agent in post"). */
export interface EquipmentImportSummary {
  rows: number;
  valid: number;
  errors: ImportError[];
  /** Rows under the continuity plan (PCA). */
  continuity: number;
  /** Rows asking for a laptop for an agent who holds one already (not the one `replaces` names): none given. */
  alreadyEquipped: number;
  /** Laptops the list takes from the stock: rows asking for one, less those already equipped. */
  laptopsNeeded: number;
  laptopsAvailable: number;
  /** The agents the directory does not know (as the file names them). */
  unknownAgents: string[];
  /** The events queued (a real import without errors). */
  eventIds?: string[];
  /** Rows whose request was applied already (the same list imported before): nothing new for them. */
  alreadyImported?: number;
}

/** One row of the list, checked, before the directory says who the agent is. */
export interface EquipmentRow {
  line: number;
  /** How the row names the agent (the upn when it has both). */
  agent: { userPrincipalName: string } | { employeeId: string };
  priority: 'continuity' | 'standard';
  neededBy?: string;
  needs: Needs;
  replaces?: string;
}

export interface ParsedEquipmentList {
  rows: number;
  requests: EquipmentRow[];
  errors: ImportError[];
  /** The file's header for each column it has (`matricule`, `upn`...): what an error names. */
  headerOf: Partial<Record<Field, string>>;
}

/** A `needs` cell: `laptop|vpn|headset` (French `portable|vpn|office|teams`); the error of an unknown word. */
export function needsOf(cell: string | undefined): Needs | string {
  if (cell === undefined) return DEFAULT_NEEDS;
  const needs: Needs = { laptop: false, vpn: false, officeLicense: false, teams: false, accessories: [] };
  for (const word of cell
    .split('|')
    .map((w) => w.trim())
    .filter(Boolean)) {
    const step = STEP_WORDS[fold(word)];
    if (step) {
      needs[step] = true;
      continue;
    }
    const kind = word.toLowerCase();
    if (!accessoryKindSchema.safeParse(kind).success) {
      return `"${word}" is neither laptop, vpn, officeLicense, teams nor an accessory kind (^[a-z][a-z0-9-]{1,31}$)`;
    }
    if (!needs.accessories.includes(kind)) needs.accessories.push(kind);
  }
  if (needs.accessories.length > 10) return 'at most 10 accessory kinds';
  return needs;
}

/** Parses the CODIR's list; every error of every row, or none. */
export function parseEquipmentCsv(bytes: Uint8Array): ParsedEquipmentList {
  const { rows, table, errors, headerOf } = readTable(bytes, HEADERS, REQUIRED);
  const requests: EquipmentRow[] = [];
  const seen = new OncePerFile('agent');
  for (const { line, values } of table) {
    const before = errors.length;
    const fail = (path: Field, message: string, fault: Pick<ImportError, 'code' | 'expected'>) => {
      const value = values[path];
      errors.push({
        line,
        path,
        message,
        ...fault,
        ...(headerOf[path] !== undefined ? { column: headerOf[path] } : {}),
        ...(value !== undefined ? { value } : {}),
      });
    };
    const upn = values.userPrincipalName;
    const employeeId = values.employeeId;
    if (upn === undefined && employeeId === undefined) {
      fail('userPrincipalName', 'no upn nor matricule: who is it?', { code: 'required' });
    }
    if (upn !== undefined && !userPrincipalNameSchema.safeParse(upn).success) {
      fail('userPrincipalName', `"${upn}" is not a user principal name (name@domain)`, {
        code: 'invalid-upn',
        expected: ['prenom.nom@domaine'],
      });
    }
    const priority = priorityOf(values.priority ?? '');
    if (priority !== 'continuity' && priority !== 'standard') {
      fail('priority', `"${values.priority ?? ''}" is not PCA, continuity or standard`, {
        code: 'invalid-priority',
        expected: PRIORITY_WORDS,
      });
    }
    const neededBy = values.neededBy === undefined ? undefined : isoDate(values.neededBy);
    if (neededBy !== undefined && !isoDateSchema.safeParse(neededBy).success) {
      fail('neededBy', `"${values.neededBy ?? ''}" is not a date (DD/MM/YYYY or YYYY-MM-DD)`, {
        code: 'invalid-date',
        expected: DATE_FORMATS,
      });
    }
    const needs = needsOf(values.needs);
    if (typeof needs === 'string') {
      fail('needs', needs, { code: 'invalid-needs', expected: ['portable', 'vpn', 'office', 'teams'] });
    }
    if (values.replaces !== undefined && values.replaces.length > 64) {
      fail('replaces', 'at most 64 characters', { code: 'too-long', expected: ['64'] });
    }
    const key = upn ?? employeeId ?? '';
    const path = upn !== undefined ? 'userPrincipalName' : 'employeeId';
    const again = key === '' ? null : seen.claim(key, line, path, headerOf[path]);
    if (again) errors.push(again);
    if (errors.length > before || typeof needs === 'string') continue;
    requests.push({
      line,
      agent: upn !== undefined ? { userPrincipalName: upn } : { employeeId: employeeId ?? '' },
      priority: priority === 'continuity' ? 'continuity' : 'standard',
      ...(neededBy !== undefined ? { neededBy } : {}),
      needs,
      ...(values.replaces !== undefined ? { replaces: values.replaces } : {}),
    });
  }
  return { rows, requests, errors: byLine(errors), headerOf };
}
