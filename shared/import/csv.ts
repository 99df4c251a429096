/**
 * CSV files as the HR system or Excel writes them (contract: "CSV import"): UTF-8 (with or without a BOM) or
 * Windows-1252; `,` or `;`; one header row, in English or French; dates `YYYY-MM-DD` or `DD/MM/YYYY`. Pure:
 * bytes in, rows or every error out. The HR file (hr-csv) and the CODIR's list (equipment-csv) are tables of it.
 */

/** What is wrong with a line of a file, for its reader to say it in their own language. */
export const IMPORT_ERROR_CODES = [
  'empty-file',
  'unknown-column',
  'missing-column',
  'row-width',
  'required',
  'invalid-date',
  'invalid-priority',
  'invalid-upn',
  'invalid-country',
  'invalid-needs',
  'too-long',
  'duplicate',
  'unknown-agent',
  'no-employee-id',
  'invalid',
] as const;
export type ImportErrorCode = (typeof IMPORT_ERROR_CODES)[number];

export interface ImportError {
  /** The file's line (1: the header); a quoted field over several lines counts from where its row starts. */
  line: number;
  /** The column (the hire event's field name), or `header`, or `file`. */
  path: string;
  /** In English, for logs and scripts; `code`, `column`, `value` and `expected` say it in parts. */
  message: string;
  code?: ImportErrorCode;
  /** The column as the file's header names it (`date d'arrivée`). */
  column?: string;
  /** The value the file has there. */
  value?: string;
  /** What would be taken instead: values (`PCA`, `continuity`, `standard`) or formats (`DD/MM/YYYY`). */
  expected?: string[];
  /** A duplicate: the line the first one is on. */
  firstLine?: number;
}

/** The formats of a date a file may have. */
export const DATE_FORMATS = ['DD/MM/YYYY', 'YYYY-MM-DD'];
/** The priorities a file may name. */
export const PRIORITY_WORDS = ['PCA', 'continuity', 'standard'];

/** A header folded: lower case, no accents, spaces, apostrophes, dashes or underscores. */
export const fold = (header: string) =>
  header
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[\s'’_-]/g, '');

/** The text of the file: UTF-8 when it is valid UTF-8 (a BOM dropped), else Windows-1252 (as Excel saves it). */
export function decodeCsv(bytes: Uint8Array): string {
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const body = bytes.subarray(start);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return decodeWindows1252(body);
  }
}

/**
 * Windows-1252's 0x80–0x9F (€, ‚, ƒ, „, …, œ, Ÿ...; the WHATWG Encoding table); the rest is Latin-1. Decoded
 * here, since Node's TextDecoder('windows-1252') reads those 32 bytes as Latin-1 control characters.
 */
const CP1252_80_9F =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

function decodeWindows1252(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b >= 0x80 && b <= 0x9f ? CP1252_80_9F.charAt(b - 0x80) : String.fromCharCode(b);
  return out;
}

/** The separator of the header row: `;` or `,`, whichever it has more of outside quotes. */
export function separatorOf(text: string): ';' | ',' {
  let semicolons = 0;
  let commas = 0;
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && ch === ';') semicolons += 1;
    else if (!quoted && ch === ',') commas += 1;
  }
  return semicolons > commas ? ';' : ',';
}

/** RFC 4180 records (quotes doubled inside quoted fields; CRLF or LF), each with the line it starts on. */
export function csvRecords(text: string, separator: string): { line: number; fields: string[] }[] {
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let startLine = 1;
  let atFieldStart = true;
  const endRecord = () => {
    fields.push(field);
    records.push({ line: startLine, fields });
    fields = [];
    field = '';
    atFieldStart = true;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else {
        if (ch === '\n') line += 1;
        field += ch;
      }
      continue;
    }
    if (ch === '"' && atFieldStart) {
      quoted = true;
      atFieldStart = false;
    } else if (ch === separator) {
      fields.push(field);
      field = '';
      atFieldStart = true;
    } else if (ch === '\r' || ch === '\n') {
      if (ch === '\r' && text[i + 1] === '\n') i += 1;
      endRecord();
      line += 1;
      startLine = line;
    } else {
      field += ch;
      atFieldStart = false;
    }
  }
  if (field !== '' || fields.length > 0) endRecord();
  // Lines with nothing on them (a trailing newline, a blank line) are not rows.
  return records.filter((r) => r.fields.some((f) => f.trim() !== ''));
}

/** A date as `YYYY-MM-DD` from `YYYY-MM-DD` or `DD/MM/YYYY` (as Excel writes it in French); else as given. */
export function isoDate(value: string): string {
  const fr = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(value);
  return fr ? `${fr[3]}-${fr[2]?.padStart(2, '0')}-${fr[1]?.padStart(2, '0')}` : value;
}

/** The priority as the event says it: `PCA` (plan de continuité d'activité) is continuity; empty: standard. */
export function priorityOf(value: string): string {
  const v = value.trim().toLowerCase();
  if (v === 'pca' || v === 'continuity') return 'continuity';
  if (v === '' || v === 'standard') return 'standard';
  return value;
}

/** A data row of a table: the file's line it starts on, and its non-empty values by field. */
export interface TableRow<F extends string> {
  line: number;
  values: Partial<Record<F, string>>;
}

/**
 * A CSV file read as a table of known columns: decoded (UTF-8 or Windows-1252), split on its separator, its
 * header mapped through `headers` (folded names, English and French), then each row's values by field. Every
 * unknown column, missing required column and row of the wrong width is an error; with a header error no
 * row is read.
 */
export function readTable<F extends string>(
  bytes: Uint8Array,
  headers: Readonly<Record<string, F>>,
  required: readonly (F | readonly F[])[],
): { rows: number; table: TableRow<F>[]; errors: ImportError[]; headerOf: Partial<Record<F, string>> } {
  const text = decodeCsv(bytes);
  const [header, ...rows] = csvRecords(text, separatorOf(text));
  if (!header) {
    return {
      rows: 0,
      table: [],
      errors: [{ line: 1, path: 'file', message: 'the file is empty', code: 'empty-file' }],
      headerOf: {},
    };
  }
  const errors: ImportError[] = [];
  const headerOf: Partial<Record<F, string>> = {};
  const columns = header.fields.map((h, i): F | null => {
    const field = headers[fold(h)];
    if (!field) {
      errors.push({
        line: header.line,
        path: 'header',
        message: `column ${i + 1} "${h.trim()}" is not a known column`,
        code: 'unknown-column',
        column: h.trim(),
        value: String(i + 1),
      });
      return null;
    }
    headerOf[field] ??= h.trim();
    return field;
  });
  for (const need of required) {
    const oneOf: readonly F[] = typeof need === 'string' ? [need] : need;
    if (!oneOf.some((f) => columns.includes(f))) {
      errors.push({
        line: header.line,
        path: 'header',
        message: `no column ${oneOf.join(' or ')}`,
        code: 'missing-column',
        expected: [...oneOf],
      });
    }
  }
  if (errors.length > 0) return { rows: rows.length, table: [], errors, headerOf };
  const table: TableRow<F>[] = [];
  for (const row of rows) {
    if (row.fields.length !== columns.length) {
      errors.push({
        line: row.line,
        path: 'row',
        message: `${row.fields.length} fields where the header has ${columns.length}`,
        code: 'row-width',
        value: String(row.fields.length),
        expected: [String(columns.length)],
      });
      continue;
    }
    const values: Partial<Record<F, string>> = {};
    columns.forEach((field, i) => {
      const value = row.fields[i]?.trim() ?? '';
      if (field && value !== '') values[field] = value;
    });
    table.push({ line: row.line, values });
  }
  return { rows: rows.length, table, errors, headerOf };
}

/** Each key (an employee, an agent) once a file: a second row of it is an error naming the first's line. */
export class OncePerFile {
  private readonly lines = new Map<string, number>();
  constructor(private readonly noun: string) {}

  /** Records `key` on `line`; the error when an earlier line had it. Case-insensitive. */
  claim(key: string, line: number, path: string, column?: string): ImportError | null {
    const first = this.lines.get(key.toLowerCase());
    if (first !== undefined) {
      return {
        line,
        path,
        message: `${this.noun} ${key} is already on line ${first}`,
        code: 'duplicate',
        value: key,
        firstLine: first,
        ...(column !== undefined ? { column } : {}),
      };
    }
    this.lines.set(key.toLowerCase(), line);
    return null;
  }
}

/** The errors in the file's order (those of one line in the order found). */
export function byLine(errors: readonly ImportError[]): ImportError[] {
  return [...errors].sort((a, b) => a.line - b.line);
}
