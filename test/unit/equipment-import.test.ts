import { createImportEquipmentRequests, equipmentEventId } from '../../shared/app/intake/equipment-import';
import { QUEUES } from '../../shared/app/queues';
import type { Directory, DirectoryAgent } from '../../shared/ports/directory';
import type { LaptopPool } from '../../shared/ports/laptop-pool';
import type { OutgoingMessage } from '../../shared/ports/message-bus';
import type { EquipmentRequested } from '../../shared/schemas/hr-events';
import type { Laptop } from '../../shared/schemas/laptops';
import { person } from '../support/factories';

// Importing the CODIR's list (contract: "Equipment for an agent in post", POST /api/equipment-requests/import):
// each row's agent found in the directory, one employee.equipment-requested a row, the summary the DSI reads
// before it queues anything, and nothing queued while any row is wrong.

const NOW = new Date('2026-12-01T09:00:00.000Z');
const IMPORTER = { ...person('pca.codir@example.org'), id: person('pca.codir@example.org').id ?? '' };

const agent = (n: number, over: Partial<DirectoryAgent> = {}): DirectoryAgent => {
  const id = String(n).padStart(4, '0');
  return {
    objectId: `00000000-0000-4000-8000-00000000${id}`,
    userPrincipalName: `agent${id}@example.org`,
    employeeId: `A${id}`,
    displayName: `Agent ${id}`,
    department: 'Direction des lycées',
    site: 'Orléans',
    managerUpn: null,
    managerObjectId: null,
    ...over,
  };
};
const csv = (text: string) => Buffer.from(text.replace(/\n/g, '\r\n'), 'utf8');

function harness(agents: DirectoryAgent[], options: { holds?: Record<string, string>; available?: number } = {}) {
  const sends: { queue: string; messages: OutgoingMessage[] }[] = [];
  const looked: string[] = [];
  const directory = {
    agent: (upn: string) => {
      looked.push(`upn ${upn}`);
      return Promise.resolve(agents.find((a) => a.userPrincipalName.toLowerCase() === upn.toLowerCase()) ?? null);
    },
    agentByEmployeeId: (employeeId: string) => {
      looked.push(`matricule ${employeeId}`);
      return Promise.resolve(agents.find((a) => a.employeeId === employeeId) ?? null);
    },
  } as unknown as Directory;
  const laptops = {
    assignedTo: (upn: string) => {
      looked.push(`laptop ${upn}`);
      const serial = options.holds?.[upn];
      return Promise.resolve(serial ? ({ serialNumber: serial } as Laptop) : null);
    },
    count: (status: string) => Promise.resolve(status === 'available' ? (options.available ?? 7) : 0),
  } as unknown as LaptopPool;
  const importList = createImportEquipmentRequests({
    bus: {
      send: (queue, messages) => {
        sends.push({ queue, messages });
        return Promise.resolve();
      },
    },
    laptops,
    directory,
    clock: { now: () => NOW },
    appliedEvents: () => Promise.resolve(new Set<string>()),
  });
  const events = () => sends.flatMap((s) => s.messages.map((m) => m.body as EquipmentRequested));
  return { importList, sends, looked, events };
}

describe("importing the CODIR's list", () => {
  it('when every row names an agent the directory knows, then one equipment request a row is queued on hr-events, named by the agent and what the row asks, requested by the importer', async () => {
    const h = harness([agent(42), agent(713)]);
    const summary = await h.importList(
      csv(
        'upn;matricule;priorité;date souhaitée;besoins;remplace\n' +
          'agent0042@example.org;;PCA;03/12/2026;portable|vpn|casque;DESKTOP-0042\n' +
          ';A0713;standard;;;\n',
      ),
      { dryRun: false, by: IMPORTER },
    );
    const first: EquipmentRequested = {
      eventId: '',
      type: 'employee.equipment-requested',
      occurredAt: NOW.toISOString(),
      employee: {
        employeeId: 'A0042',
        userPrincipalName: 'agent0042@example.org',
        priority: 'continuity',
        neededBy: '2026-12-03',
      },
      needs: { laptop: true, vpn: true, officeLicense: false, teams: false, accessories: ['casque'] },
      replaces: { serialNumber: 'DESKTOP-0042' },
      reason: 'continuity',
      requestedBy: { userPrincipalName: IMPORTER.name, objectId: IMPORTER.id },
    };
    expect(h.events()).toEqual([
      { ...first, eventId: expect.stringMatching(/^codir\/A0042\//) as unknown },
      {
        eventId: expect.stringMatching(/^codir\/A0713\//) as unknown,
        type: 'employee.equipment-requested',
        occurredAt: NOW.toISOString(),
        employee: { employeeId: 'A0713', userPrincipalName: 'agent0713@example.org', priority: 'standard' },
        needs: { laptop: true, vpn: true, officeLicense: true, teams: true, accessories: [] },
        requestedBy: { userPrincipalName: IMPORTER.name, objectId: IMPORTER.id },
      },
    ]);
    expect(h.sends.map((s) => s.queue)).toEqual([QUEUES.hrEvents]);
    // The message id is the event id: the same file twice queues nothing new.
    expect(h.sends[0]?.messages.map((m) => m.messageId)).toEqual(h.events().map((e) => e.eventId));
    expect(summary).toEqual({
      rows: 2,
      valid: 2,
      errors: [],
      continuity: 1,
      alreadyEquipped: 0,
      laptopsNeeded: 2,
      laptopsAvailable: 7,
      unknownAgents: [],
      eventIds: h.events().map((e) => e.eventId),
      // Nothing of this list was applied before.
      alreadyImported: 0,
    });
  });

  it('when it is a dry run, then the summary says what it would queue, and nothing is queued', async () => {
    const h = harness([agent(42)]);
    const summary = await h.importList(csv('upn;priorité\nagent0042@example.org;PCA\n'), {
      dryRun: true,
      by: IMPORTER,
    });
    expect(summary).toMatchObject({ rows: 1, valid: 1, continuity: 1, laptopsNeeded: 1 });
    expect(summary).not.toHaveProperty('eventIds');
    expect(h.sends).toEqual([]);
  });

  it('when an agent already holds a laptop, then none is needed for them (already equipped), unless the row replaces that one; a row without a laptop counts in neither', async () => {
    const h = harness([agent(1), agent(2), agent(3), agent(4)], {
      holds: {
        'agent0001@example.org': 'PC-A0001',
        'agent0002@example.org': 'PC-A0002',
        'agent0003@example.org': 'PC-A0003',
      },
    });
    const summary = await h.importList(
      csv(
        'upn;priorité;besoins;remplace\n' +
          'agent0001@example.org;PCA;portable;\n' +
          'agent0002@example.org;PCA;portable;pc-a0002\n' +
          'agent0003@example.org;PCA;vpn;\n' +
          'agent0004@example.org;standard;portable;\n',
      ),
      { dryRun: true, by: IMPORTER },
    );
    expect(summary).toMatchObject({ valid: 4, continuity: 3, alreadyEquipped: 1, laptopsNeeded: 2 });
    // The stock is asked only for those who need a laptop.
    expect(h.looked.filter((l) => l.startsWith('laptop'))).toEqual([
      'laptop agent0001@example.org',
      'laptop agent0002@example.org',
      'laptop agent0004@example.org',
    ]);
  });

  it('when the directory does not know an agent, then their row is an error and they are listed, the other rows checked all the same, and nothing is queued', async () => {
    const h = harness([agent(42)]);
    const summary = await h.importList(
      csv('upn;matricule;priorité\nagent0042@example.org;;PCA\ninconnu@example.org;;PCA\n;A9999;standard\n'),
      { dryRun: false, by: IMPORTER },
    );
    expect(summary.errors).toEqual([
      {
        line: 3,
        path: 'userPrincipalName',
        column: 'upn',
        code: 'unknown-agent',
        value: 'inconnu@example.org',
        message: 'the directory has no agent inconnu@example.org',
      },
      {
        line: 4,
        path: 'employeeId',
        column: 'matricule',
        code: 'unknown-agent',
        value: 'A9999',
        message: 'the directory has no agent A9999',
      },
    ]);
    expect(summary).toMatchObject({ rows: 3, valid: 1, unknownAgents: ['inconnu@example.org', 'A9999'] });
    expect(h.sends).toEqual([]);
  });

  it('when the directory has the agent without a matricule, then their row is an error (their onboarding needs one)', async () => {
    const h = harness([agent(42, { employeeId: null })]);
    const summary = await h.importList(csv('upn;priorité\nagent0042@example.org;PCA\n'), {
      dryRun: false,
      by: IMPORTER,
    });
    expect(summary.errors).toEqual([
      {
        line: 2,
        path: 'userPrincipalName',
        column: 'upn',
        code: 'no-employee-id',
        value: 'agent0042@example.org',
        message: 'the directory has no employee id (matricule) for agent0042@example.org',
      },
    ]);
    expect(summary.unknownAgents).toEqual([]);
    expect(h.sends).toEqual([]);
  });

  it('when two rows name the same agent (once by upn, once by matricule), then the second is an error naming the first line', async () => {
    const h = harness([agent(42)]);
    const summary = await h.importList(csv('upn;matricule;priorité\nagent0042@example.org;;PCA\n;A0042;standard\n'), {
      dryRun: true,
      by: IMPORTER,
    });
    expect(summary.errors).toEqual([
      {
        line: 3,
        path: 'employeeId',
        column: 'matricule',
        code: 'duplicate',
        value: 'A0042',
        firstLine: 2,
        message: 'agent A0042 is already on line 2',
      },
    ]);
    expect(summary.valid).toBe(1);
  });

  it("when what the directory says would not make a valid event (a matricule HR's events refuse), then the row is an error of that field", async () => {
    const h = harness([agent(42, { employeeId: 'A 0042' })]);
    const summary = await h.importList(csv('upn;priorité\nagent0042@example.org;PCA\n'), {
      dryRun: false,
      by: IMPORTER,
    });
    expect(summary.errors).toEqual([{ line: 2, path: 'employeeId', message: expect.any(String) as unknown }]);
    expect(summary.valid).toBe(0);
    expect(h.sends).toEqual([]);
  });

  it("when the file itself is wrong, then its errors come with the rows', in the order of the file, and nothing is queued", async () => {
    const h = harness([agent(42)]);
    const summary = await h.importList(csv('upn;priorité\ninconnu@example.org;PCA\nagent0042@example.org;urgent\n'), {
      dryRun: false,
      by: IMPORTER,
    });
    expect(summary.errors.map((e) => [e.line, e.path])).toEqual([
      [2, 'userPrincipalName'],
      [3, 'priority'],
    ]);
    expect(summary.rows).toBe(2);
    expect(h.sends).toEqual([]);
  });

  it('when the list is long, then its agents are all looked up, each row keeps its own, and the events go out in batches of at most 100, in the order of the file', async () => {
    const agents = Array.from({ length: 230 }, (_, i) => agent(i + 1));
    const h = harness(agents);
    const rows = agents.map((a, i) => `${a.userPrincipalName};${i % 2 === 0 ? 'PCA' : 'standard'}`).join('\n');
    const summary = await h.importList(csv(`upn;priorité\n${rows}\n`), { dryRun: false, by: IMPORTER });
    expect(summary).toMatchObject({ rows: 230, valid: 230, continuity: 115, errors: [] });
    expect(h.sends.map((s) => s.messages.length)).toEqual([100, 100, 30]);
    expect(h.events().map((e) => e.employee.employeeId)).toEqual(agents.map((a) => a.employeeId));
    expect(new Set(h.sends.flatMap((s) => s.messages.map((m) => m.applicationProperties?.traceparent))).size).toBe(230);
  });

  it('when the same agent asks the same thing again, then the same event id; the device to hand back counts whatever its case', () => {
    const row = {
      line: 2,
      agent: { userPrincipalName: 'a@example.org' },
      priority: 'continuity' as const,
      needs: { laptop: true, vpn: true, officeLicense: true, teams: true, accessories: [] },
    };
    expect(equipmentEventId('A0001', { ...row, replaces: 'desktop-1' })).toBe(
      equipmentEventId('A0001', { ...row, line: 9, replaces: 'DESKTOP-1' }),
    );
    expect(equipmentEventId('A0001', { ...row, replaces: 'DESKTOP-1' })).not.toBe(equipmentEventId('A0001', row));
    expect(equipmentEventId('A0001', { ...row, neededBy: '2026-12-03' })).not.toBe(equipmentEventId('A0001', row));
  });
});
