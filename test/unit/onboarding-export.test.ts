import { createRequestAllocation } from '../../shared/app/laptops/allocation-requests';
import { csvField, csvRow, exportOnboardings } from '../../shared/app/onboarding/onboarding-export';
import { durationMs, QUEUES } from '../../shared/app/queues';
import type { OutgoingMessage } from '../../shared/ports/message-bus';
import type { OnboardingStore } from '../../shared/ports/onboarding-store';
import { approvedOnboarding } from '../support/factories';

describe('CSV fields (RFC 4180, and no formula for Excel)', () => {
  it.each([
    ['plain', 'plain'],
    ['a, b', '"a, b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\r', '"cr\r"'],
    ['=SUM(A1)', "'=SUM(A1)"],
    ['+33 1', "'+33 1"],
    ['-1', "'-1"],
    ['@x', "'@x"],
    ['\tx', "'\tx"],
    ['=a,b', `"'=a,b"`],
    ['a=b', 'a=b'],
    // French Excel splits on `;`: each piece is guarded, and the field quoted.
    ['Dupont;=1+1', `"Dupont;'=1+1"`],
    ['a;+1', `"a;'+1"`],
    ['a;b', '"a;b"'],
    ['x,-2;@y', `"x,'-2;'@y"`],
  ])('when the value is %j, then the field is %j', (value, field) => {
    expect(csvField(value)).toBe(field);
  });

  it('when a row is split on `;` as French Excel splits it, then no piece starts with a formula character', () => {
    const row = csvRow(['E1', 'Dupont;=1+1', 'a;+1', '-3;@SUM(A1)']);
    const pieces = row.replace(/\r\n$/, '').split(/[;,]/);
    expect(pieces.length).toBeGreaterThan(4);
    for (const piece of pieces) expect(piece.replace(/^"/, '')).not.toMatch(/^[=+\-@\t\r]/);
  });

  it('when a value is absent, then the field is empty; a row ends with CRLF', () => {
    expect(csvRow([undefined, null, 'x'])).toBe(',,x\r\n');
  });
});

describe('the export', () => {
  it('when rows come in pages, then the BOM and header first, then one line per row, a page read at a time', async () => {
    const o = approvedOnboarding();
    const pages: (string | undefined)[] = [];
    const store = {
      rowsPage: (_f: unknown, limit: number, token?: string) => {
        pages.push(`${limit} ${token ?? '-'}`);
        return Promise.resolve({ items: [o], continuationToken: token ? null : 'next' });
      },
    } as unknown as OnboardingStore;
    const lines = exportOnboardings(store, { status: 'provisioning' });
    const first = await lines.next();
    expect(first.value).toMatch(/^\uFEFFid,kind,employeeId,displayName,userPrincipalName,department,site,priority,/);
    expect(first.value).toMatch(/,completedAt\r\n$/);
    expect(pages).toEqual([]);
    const second = await lines.next();
    expect(pages).toEqual(['200 -']);
    expect(second.value).toBe(
      csvRow([
        o.id,
        o.kind,
        o.employeeId,
        o.displayName,
        o.userPrincipalName,
        o.department,
        o.site,
        o.priority,
        o.startDate,
        o.status,
        o.createdAt,
        'approve',
        o.decision?.by,
        o.decision?.byId,
        o.decision?.at,
        undefined,
        'waiting',
        undefined,
        'in line for a laptop',
        'pending',
        undefined,
        'pending',
        undefined,
        undefined,
      ]),
    );
    await lines.next();
    expect(pages).toEqual(['200 -', '200 next']);
    expect((await lines.next()).done).toBe(true);
  });
});

describe('allocation requests and queue settings', () => {
  it("when passes are asked for within one tick, then one message for the tick, in the pool's session, due at its end", async () => {
    const sent: { queue: string; messages: OutgoingMessage[] }[] = [];
    let now = new Date('2026-12-01T10:00:00.250Z');
    const request = createRequestAllocation(
      {
        send: (queue, messages) => {
          sent.push({ queue, messages });
          return Promise.resolve();
        },
      },
      { now: () => now },
      1000,
    );
    await request('approved/E1.1/1');
    now = new Date('2026-12-01T10:00:00.999Z');
    await request('add/x');
    now = new Date('2026-12-01T10:00:01.000Z');
    await request('release/E2.1/cancelled');
    const tick = Date.parse('2026-12-01T10:00:01.000Z') / 1000;
    expect(
      sent.map((s) => [s.queue, s.messages[0]?.messageId, s.messages[0]?.scheduledEnqueueTime?.toISOString()]),
    ).toEqual([
      [QUEUES.laptopAllocation, `allocate/default/${tick}`, '2026-12-01T10:00:01.000Z'],
      [QUEUES.laptopAllocation, `allocate/default/${tick}`, '2026-12-01T10:00:01.000Z'],
      [QUEUES.laptopAllocation, `allocate/default/${tick + 1}`, '2026-12-01T10:00:02.000Z'],
    ]);
    expect(sent[0]?.messages[0]).toMatchObject({
      sessionId: 'default',
      subject: 'allocate',
      contentType: 'application/json',
      body: { pool: 'default', reason: 'approved/E1.1/1' },
    });
  });

  it('when a queue setting is an ISO 8601 duration, then it is read in milliseconds; anything else is refused', () => {
    expect(durationMs('PT1M')).toBe(60_000);
    expect(durationMs('P14D')).toBe(14 * 86_400_000);
    expect(durationMs('P1DT2H3M4S')).toBe(((26 * 60 + 3) * 60 + 4) * 1000);
    expect(() => durationMs('1 hour')).toThrow('not an ISO 8601 duration: 1 hour');
  });
});
