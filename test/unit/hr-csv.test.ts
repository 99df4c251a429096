import { csvRecords, decodeCsv } from '../../shared/import/csv';
import { importEventId, parseHrCsv } from '../../shared/import/hr-csv';

// The HR import file as the contract describes it ("CSV import"): UTF-8 with or without a BOM or
// Windows-1252, `;` or `,`, French or English headers, DD/MM/YYYY or ISO dates, PCA for continuity.

const AT = '2026-11-29T08:00:00.000Z';

/** Windows-1252 bytes of a text made of Latin-1 letters (é is 0xE9 in both), as Excel saves a CSV in French. */
const cp1252 = (text: string) => Uint8Array.from(Buffer.from(text, 'latin1'));
const utf8 = (text: string, bom = false) =>
  Uint8Array.from([...(bom ? [0xef, 0xbb, 0xbf] : []), ...Buffer.from(text, 'utf8')]);

const FRENCH =
  "matricule;prénom;nom;upn;direction;site;date d'arrivée;priorité;pays\r\n" +
  'E1;Hélène;Lefèvre;helene.lefevre@example.org;Direction des lycées;Orléans;07/12/2026;PCA;FR\r\n' +
  'E2;Noël;Gaël;noel.gael@example.org;"Finances; budget";;2026-12-14;standard;\r\n';

describe('decoding', () => {
  it('when the bytes are valid UTF-8, with or without a BOM, then they are read as UTF-8 (the BOM dropped)', () => {
    expect(decodeCsv(utf8('é;ü', true))).toBe('é;ü');
    expect(decodeCsv(utf8('é;ü'))).toBe('é;ü');
  });
  it('when they are not valid UTF-8, then as Windows-1252 (Excel in French), € and œ included', () => {
    expect(decodeCsv(Uint8Array.from([0x48, 0xe9, 0x6c, 0x3b, 0x80, 0x3b, 0x9c]))).toBe('Hél;€;œ');
  });
});

describe('records (RFC 4180)', () => {
  it('when fields are quoted, with separators, doubled quotes and line breaks inside, then each record keeps them and starts on its own line', () => {
    const records = csvRecords('a,b\r\n"x, y","say ""hi"""\n"two\nlines",z\n\n', ',');
    expect(records).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, y', 'say "hi"'] },
      { line: 3, fields: ['two\nlines', 'z'] },
    ]);
  });
});

describe('the import file', () => {
  it.each([
    ['Windows-1252, ;', cp1252(FRENCH)],
    ['UTF-8 with a BOM, ;', utf8(FRENCH, true)],
    [
      'UTF-8, ,, English headers',
      utf8(
        'employeeId,givenName,surname,userPrincipalName,department,site,startDate,priority,usageLocation\n' +
          'E1,Hélène,Lefèvre,helene.lefevre@example.org,Direction des lycées,Orléans,2026-12-07,continuity,FR\n' +
          'E2,Noël,Gaël,noel.gael@example.org,"Finances; budget",,14/12/2026,,\n',
      ),
    ],
  ])('when written as %s, then each row is one employee.hired event with its derived eventId', (_, bytes) => {
    const parsed = parseHrCsv(bytes, AT);
    expect(parsed.errors).toEqual([]);
    expect(parsed.rows).toBe(2);
    expect(parsed.hires).toEqual([
      {
        eventId: importEventId('E1', '2026-12-07'),
        type: 'employee.hired',
        occurredAt: AT,
        employee: {
          employeeId: 'E1',
          givenName: 'Hélène',
          surname: 'Lefèvre',
          userPrincipalName: 'helene.lefevre@example.org',
          department: 'Direction des lycées',
          site: 'Orléans',
          startDate: '2026-12-07',
          priority: 'continuity',
          usageLocation: 'FR',
        },
        needs: { laptop: true, vpn: true, officeLicense: true, teams: true, accessories: [] },
      },
      {
        eventId: importEventId('E2', '2026-12-14'),
        type: 'employee.hired',
        occurredAt: AT,
        employee: {
          employeeId: 'E2',
          givenName: 'Noël',
          surname: 'Gaël',
          userPrincipalName: 'noel.gael@example.org',
          department: 'Finances; budget',
          startDate: '2026-12-14',
          priority: 'standard',
        },
        needs: { laptop: true, vpn: true, officeLicense: true, teams: true, accessories: [] },
      },
    ]);
  });

  it('when the same file is read twice, then the events are the same (the import is idempotent by eventId)', () => {
    const ids = (bytes: Uint8Array) => parseHrCsv(bytes, AT).hires.map((h) => h.eventId);
    expect(ids(cp1252(FRENCH))).toEqual(ids(utf8(FRENCH, true)));
    expect(importEventId('E1', '2026-12-07')).toBe('import/E1/2026-12-07');
  });

  it('when rows are invalid, then every error is listed with its line and column, and the valid rows alone are not enough to import', () => {
    const file =
      'matricule;prénom;nom;upn;direction;date d’arrivée;priorité\n' +
      'E1;Ana;Lopes;ana.lopes@example.org;DSI;31/02/2026;PCA\n' +
      'E 2;;Roy;not-an-upn;DSI;2026-12-01;urgent\n' +
      'E3;Léa;Roy;lea.roy@example.org;DSI;2026-12-01\n' +
      'E4;Léa;Roy;lea.roy@example.org;DSI;2026-12-01;standard\n' +
      'e4;Léo;Roy;leo.roy@example.org;DSI;2026-12-02;standard\n';
    const parsed = parseHrCsv(utf8(file), AT);
    expect(parsed.rows).toBe(5);
    expect(parsed.hires.map((h) => h.employee.employeeId)).toEqual(['E4']);
    expect(parsed.errors.map((e) => [e.line, e.path])).toEqual([
      [2, 'startDate'],
      [3, 'employeeId'],
      [3, 'givenName'],
      [3, 'userPrincipalName'],
      [3, 'priority'],
      [4, 'row'],
      [6, 'employeeId'],
    ]);
    expect(parsed.errors.at(-1)?.message).toBe('employee e4 is already on line 5');
  });

  it('when the header is wrong, then the header is the error: an unknown column, a missing one', () => {
    const parsed = parseHrCsv(
      utf8('matricule;prénom;nom;courriel;direction;date d’arrivée\nE1;A;B;a@b.org;DSI;2026-12-01\n'),
      AT,
    );
    expect(parsed.errors).toEqual([
      {
        line: 1,
        path: 'header',
        message: 'column 4 "courriel" is not a known column',
        code: 'unknown-column',
        column: 'courriel',
        value: '4',
      },
      {
        line: 1,
        path: 'header',
        message: 'no column userPrincipalName',
        code: 'missing-column',
        expected: ['userPrincipalName'],
      },
    ]);
    expect(parsed.hires).toEqual([]);
    expect(parseHrCsv(utf8(''), AT).errors).toEqual([
      { line: 1, path: 'file', message: 'the file is empty', code: 'empty-file' },
    ]);
  });

  it('when a value is wrong or missing, then the error names the column as the file does, the value and what is taken', () => {
    const { errors } = parseHrCsv(
      utf8('matricule;prénom;nom;upn;direction;date d’arrivée;priorité\nE1;;B;a@b.org;DSI;31/11/2026;prioritaire\n'),
      AT,
    );
    expect(errors).toEqual([
      expect.objectContaining({ line: 2, path: 'givenName', code: 'required', column: 'prénom' }),
      expect.objectContaining({
        line: 2,
        path: 'startDate',
        code: 'invalid-date',
        column: 'date d’arrivée',
        value: '31/11/2026',
        expected: ['DD/MM/YYYY', 'YYYY-MM-DD'],
      }),
      expect.objectContaining({ path: 'priority', code: 'invalid-priority', value: 'prioritaire' }),
    ]);
  });
});
