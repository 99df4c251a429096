import { equipmentEventId } from '../../shared/app/intake/equipment-import';
import { needsOf, parseEquipmentCsv } from '../../shared/import/equipment-csv';

// The CODIR's list as a file (contract: "Equipment for an agent in post", its import): columns in English or
// French, what is needed as a list separated by `|`, every error by line.

const csv = (text: string) => Buffer.from(text.replace(/\n/g, '\r\n'), 'latin1');

describe("the CODIR's list, read", () => {
  it('when the French headers name agents by upn or matricule, then each row is read with its priority, date, needs and device to hand back', () => {
    const parsed = parseEquipmentCsv(
      csv(
        'Matricule;UPN;Nom;Priorité;Date souhaitée;Besoins;Remplace\n' +
          'A0713;agent0713@example.org;Hélène Lefèvre;PCA;03/12/2026;portable|vpn|casque;DESKTOP-0713\n' +
          'A0042;;François Bérubé;standard;;;\n',
      ),
    );
    expect(parsed.errors).toEqual([]);
    expect(parsed.rows).toBe(2);
    expect(parsed.requests).toEqual([
      {
        line: 2,
        agent: { userPrincipalName: 'agent0713@example.org' },
        priority: 'continuity',
        neededBy: '2026-12-03',
        needs: { laptop: true, vpn: true, officeLicense: false, teams: false, accessories: ['casque'] },
        replaces: 'DESKTOP-0713',
      },
      {
        line: 3,
        agent: { employeeId: 'A0042' },
        priority: 'standard',
        needs: { laptop: true, vpn: true, officeLicense: true, teams: true, accessories: [] },
      },
    ]);
  });

  it('when the needs are given in English, or name an accessory twice, then each is counted once', () => {
    expect(needsOf('laptop | officeLicense | teams | headset | headset')).toEqual({
      laptop: true,
      vpn: false,
      officeLicense: true,
      teams: true,
      accessories: ['headset'],
    });
    expect(needsOf('Office|VPN')).toEqual({
      laptop: false,
      vpn: true,
      officeLicense: true,
      teams: false,
      accessories: [],
    });
    expect(needsOf('écran 27"')).toMatch(/is neither laptop, vpn, officeLicense, teams nor an accessory kind/);
  });

  it('when rows are wrong, then every error is listed in the order of the file, and no row of them is kept', () => {
    const parsed = parseEquipmentCsv(
      csv(
        'upn,priority,neededBy,needs\n' +
          'agent0001@example.org,urgent,2026-12-03,laptop\n' +
          'pas-un-upn,PCA,31/02/2027,laptop|Écran!\n' +
          'agent0003@example.org,PCA,,\n' +
          'AGENT0003@example.org,standard,,\n' +
          ',PCA,,\n',
      ),
    );
    expect(parsed.errors.map((e) => [e.line, e.path])).toEqual([
      [2, 'priority'],
      [3, 'userPrincipalName'],
      [3, 'neededBy'],
      [3, 'needs'],
      [5, 'userPrincipalName'],
      [6, 'userPrincipalName'],
    ]);
    expect(parsed.errors[4]?.message).toBe('agent AGENT0003@example.org is already on line 4');
    expect(parsed.requests.map((r) => r.line)).toEqual([4]);
  });

  it('when the header has neither upn nor matricule, or a column it does not know, then the header is the error', () => {
    expect(parseEquipmentCsv(csv('Nom;Priorité\nX;PCA\n')).errors).toEqual([
      {
        line: 1,
        path: 'header',
        message: 'no column userPrincipalName or employeeId',
        code: 'missing-column',
        expected: ['userPrincipalName', 'employeeId'],
      },
    ]);
    expect(parseEquipmentCsv(csv('upn;priorité;bureau\na@example.org;PCA;12\n')).errors).toEqual([
      {
        line: 1,
        path: 'header',
        message: 'column 3 "bureau" is not a known column',
        code: 'unknown-column',
        column: 'bureau',
        value: '3',
      },
    ]);
  });

  it('when a row is wrong, then its error names the column as the file does, the value, and what is taken there', () => {
    const { errors } = parseEquipmentCsv(
      csv('UPN;Priorité;Date souhaitée;Besoins\nagent0001@example.org;urgent;31/11/2026;portable|imprimante 3D\n'),
    );
    expect(errors).toEqual([
      expect.objectContaining({
        code: 'invalid-priority',
        column: 'Priorité',
        value: 'urgent',
        expected: ['PCA', 'continuity', 'standard'],
      }),
      expect.objectContaining({
        code: 'invalid-date',
        column: 'Date souhaitée',
        value: '31/11/2026',
        expected: ['DD/MM/YYYY', 'YYYY-MM-DD'],
      }),
      expect.objectContaining({ code: 'invalid-needs', column: 'Besoins', value: 'portable|imprimante 3D' }),
    ]);
  });

  it('when the same agent asks the same thing, then the event id is the same whatever the line; asking otherwise is another', () => {
    const [a] = parseEquipmentCsv(csv('upn;priorité\nagent0001@example.org;PCA\n')).requests;
    const [b] = parseEquipmentCsv(
      csv('upn;priorité\nagent0002@example.org;standard\nagent0001@example.org;PCA\n'),
    ).requests.slice(1);
    const [c] = parseEquipmentCsv(csv('upn;priorité\nagent0001@example.org;standard\n')).requests;
    if (!a || !b || !c) throw new Error('rows not read');
    expect(b.line).not.toBe(a.line);
    expect(equipmentEventId('A0001', b)).toBe(equipmentEventId('A0001', a));
    expect(equipmentEventId('A0001', c)).not.toBe(equipmentEventId('A0001', a));
    expect(equipmentEventId('A0002', a)).not.toBe(equipmentEventId('A0001', a));
  });
});
