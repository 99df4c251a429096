import { appendFileSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { compact, openDurableState, replay, STATE_FILE, type LocalRecord } from '../../local/durable-state';
import { generations, Journal, JournalCorrupt, readJournal } from '../../local/journal';

const dir = () => mkdtempSync(path.join(tmpdir(), 'journal-'));
const log = () => undefined;

describe('the journal', () => {
  it('when many records are appended and flushed concurrently, then each flush waits for its records, and they are read back in order', async () => {
    const d = dir();
    const journal = await Journal.open(d, 0);
    const flushes: Promise<void>[] = [];
    for (let i = 0; i < 1000; i++) {
      journal.append({ n: i });
      if (i % 10 === 0) flushes.push(journal.flush());
    }
    await Promise.all(flushes);
    await journal.flush();
    expect(readJournal(d, 0).records).toEqual(Array.from({ length: 1000 }, (_, n) => ({ n })));
    await journal.close();
    expect(statSync(path.join(d, 'journal-0.log')).mode & 0o777).toBe(0o600);
  });

  it('when the journal rotates while records keep coming and flushing, then no write goes to a closed file and every record is in one generation or the next', async () => {
    const d = dir();
    const journal = await Journal.open(d, 0);
    let n = 0;
    const stream = { writing: true };
    // A stream of appends, each flushed, as the local host's handlers do under load.
    const writer = (async () => {
      while (stream.writing) {
        journal.append({ n: n++ });
        await journal.flush();
      }
    })();
    const extra = Array.from({ length: 50 }, async () => {
      for (let i = 0; i < 20; i++) {
        journal.append({ n: n++ });
        await journal.flush();
      }
    });
    await new Promise((r) => setTimeout(r, 20));
    const rotations = [await journal.rotate(), await journal.rotate(), await journal.rotate()];
    await Promise.all(extra);
    stream.writing = false;
    await writer;
    await journal.flush();
    expect(rotations).toEqual([1, 2, 3]);
    const read = [0, 1, 2, 3].flatMap((g) => readJournal(d, g).records as { n: number }[]).map((r) => r.n);
    expect(read.sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    await journal.close();
  });

  it('when the last record was torn by a crash mid-write, then it is dropped, the file cut back, and appending goes on', async () => {
    const d = dir();
    const journal = await Journal.open(d, 0);
    journal.append({ n: 1 });
    journal.append({ n: 2 });
    await journal.close();
    appendFileSync(path.join(d, 'journal-0.log'), '0badc0de {"n":3, "tor');
    expect(readJournal(d, 0)).toEqual({ records: [{ n: 1 }, { n: 2 }], tornTail: true });
    const again = await Journal.open(d, 0);
    again.append({ n: 4 });
    await again.close();
    expect(readJournal(d, 0).records).toEqual([{ n: 1 }, { n: 2 }, { n: 4 }]);
  });

  it('when a record in the middle is damaged, then it is corruption, not a torn write: the journal is refused', async () => {
    const d = dir();
    const journal = await Journal.open(d, 0);
    for (let n = 0; n < 3; n++) journal.append({ n });
    await journal.close();
    const file = path.join(d, 'journal-0.log');
    writeFileSync(file, readFileSync(file, 'utf8').replace('{"n":1}', '{"n":7}'));
    expect(() => readJournal(d, 0)).toThrow(JournalCorrupt);
  });

  it('when compacted, then the snapshot covers the old generation, which is deleted; records after go to the new one', async () => {
    const d = dir();
    const { journal } = await openDurableState(d, { startAfresh: false, log });
    journal.append({ s: 'tenant', r: { op: 'seats', skuId: 'sku', seats: 5 } } satisfies LocalRecord);
    await compact(d, journal, () =>
      Promise.resolve({
        cosmos: {},
        bus: { nextSequence: 1, queues: {} },
        tenant: {
          users: [],
          groups: {},
          seats: { sku: 5 },
          autopilot: [],
          effects: [],
          teamsCards: [],
          teams: [],
          accessPasses: [],
        },
      }),
    );
    journal.append({ s: 'tenant', r: { op: 'seats', skuId: 'sku', seats: 9 } } satisfies LocalRecord);
    await journal.close();
    expect(generations(d)).toEqual([1]);
    expect(statSync(path.join(d, STATE_FILE)).mode & 0o777).toBe(0o600);
    const reopened = await openDurableState(d, { startAfresh: false, log });
    expect(reopened.state?.tenant.seats).toEqual({ sku: 9 });
    await reopened.journal.close();
  });
});

describe('replaying records', () => {
  it('when the same records are replayed twice over a state that already holds some of them, then the result is the same', () => {
    const records: LocalRecord[] = [
      {
        s: 'cosmos',
        r: { container: 'onboardings', id: 'E1.1', partitionKey: 'E1', doc: { id: 'E1.1', employeeId: 'E1', v: 1 } },
      },
      {
        s: 'cosmos',
        r: { container: 'onboardings', id: 'E1.1', partitionKey: 'E1', doc: { id: 'E1.1', employeeId: 'E1', v: 2 } },
      },
      {
        s: 'cosmos',
        r: { container: 'onboardings', id: 'E2.1', partitionKey: 'E2', doc: { id: 'E2.1', employeeId: 'E2' } },
      },
      { s: 'cosmos', r: { container: 'onboardings', id: 'E2.1', partitionKey: 'E2', doc: null } },
      {
        s: 'bus',
        r: {
          op: 'put',
          queue: 'q',
          m: {
            messageId: 'm',
            body: 1,
            sequenceNumber: 4,
            enqueuedTimeUtc: '2026-11-29T10:00:00.000Z',
            deliveryCount: 0,
          },
        },
      },
      {
        s: 'bus',
        r: {
          op: 'put',
          queue: 'q',
          m: {
            messageId: 'm',
            body: 1,
            sequenceNumber: 4,
            enqueuedTimeUtc: '2026-11-29T10:00:00.000Z',
            deliveryCount: 1,
          },
        },
      },
      {
        s: 'tenant',
        r: { op: 'effect', index: 0, effect: { kind: 'member-added', target: 'u', detail: 'g', at: 'now' } },
      },
    ];
    const empty = () => ({
      cosmos: {},
      bus: { nextSequence: 1, queues: {} },
      tenant: {
        users: [],
        groups: {},
        seats: {},
        autopilot: [],
        effects: [],
        teamsCards: [],
        teams: [],
        accessPasses: [],
      },
    });
    const once = replay(empty(), records);
    const twice = replay(replay(empty(), records.slice(0, 5)), records);
    expect(twice).toEqual(once);
    expect(once.cosmos.onboardings).toEqual([{ id: 'E1.1', employeeId: 'E1', v: 2 }]);
    expect(once.bus.queues.q?.messages).toEqual([expect.objectContaining({ deliveryCount: 1 })]);
    expect(once.bus.nextSequence).toBe(5);
    expect(once.tenant.effects).toHaveLength(1);
  });
});

describe('the state folder', () => {
  it('when state.json comes from the version before the journal, then it is migrated and loaded', async () => {
    const d = dir();
    writeFileSync(
      path.join(d, STATE_FILE),
      JSON.stringify({
        cosmos: { onboardings: [{ id: 'E1.1', employeeId: 'E1' }] },
        bus: { nextSequence: 7, queues: { provisioning: { active: [], scheduled: [], deadLetter: [] } } },
        tenant: {
          users: [{ id: 'u1', userPrincipalName: 'a@example.org', licenses: ['sku'] }],
          groupMembers: { g: ['u1'] },
          seats: { sku: 3 },
          autopilot: [],
        },
      }),
    );
    const messages: string[] = [];
    const { state, journal } = await openDurableState(d, { startAfresh: false, log: (l) => messages.push(l) });
    await journal.close();
    expect(messages.join('\n')).toContain('from an earlier version');
    expect(state?.cosmos.onboardings).toEqual([{ id: 'E1.1', employeeId: 'E1' }]);
    expect(state?.tenant.groups).toEqual({ g: { members: ['u1'], licenses: [] } });
    expect(state?.tenant.users[0]).toMatchObject({ userPrincipalName: 'a@example.org', usageLocation: null });
    expect(state?.bus.nextSequence).toBe(7);
  });
});
