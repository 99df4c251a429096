import { createAccessories } from '../../shared/app/accessories/accessory-stock';
import { createAccessoryStep, inLineFor } from '../../shared/app/accessories/accessory-step';
import { QUEUES } from '../../shared/app/queues';
import type { AccessoryHolding, AccessoryStock, AccessoryStockEntry } from '../../shared/ports/accessory-stock';
import type { OutgoingMessage } from '../../shared/ports/message-bus';
import type { OnboardingStore } from '../../shared/ports/onboarding-store';
import type { AccessoryRequest } from '../../shared/schemas/accessories';
import type { Onboarding } from '../../shared/schemas/onboarding';
import { accessoryRequest, approvedOnboarding, buildOnboarding } from '../support/factories';

// The accessories' stock, its pass and the accessories step (contract: "Accessories"), over a counted stock
// and a line in memory (the Cosmos stock and its conditional writes are tested on the embedded endpoint).

const NOW = new Date('2026-12-01T10:00:30.000Z');

const request = accessoryRequest;
const entry = (kind: string, site: string | null, available: number, holders: string[] = []): AccessoryStockEntry => ({
  id: `accessory:${kind}:${site ?? ''}`,
  kind,
  site,
  available,
  holds: Object.fromEntries(holders.map((h) => [h, { status: 'reserved' as const, at: NOW.toISOString() }])),
  etag: `e-${kind}-${site ?? ''}`,
});

function harness(
  line: AccessoryRequest[],
  entries: AccessoryStockEntry[],
  options: { conflict?: string[]; passSize?: number } = {},
) {
  const calls: string[] = [];
  const sent: { queue: string; message: OutgoingMessage }[] = [];
  const allocations: string[] = [];
  const stock = {
    add: (kind: string, site: string | null, count: number) => {
      calls.push(`add ${kind} ${site ?? '-'} ${count}`);
      return Promise.resolve({ kind, site, available: count, reserved: 0, given: 0 });
    },
    list: () => Promise.resolve([{ kind: 'headset', site: null, available: 3, reserved: 0, given: 0 }]),
    entries: () => {
      calls.push('entries');
      return Promise.resolve(entries);
    },
    reserve: (e: AccessoryStockEntry, ids: readonly string[]) => {
      calls.push(`reserve ${e.id} ${ids.join(',')}`);
      return Promise.resolve(!(options.conflict ?? []).includes(e.id));
    },
  } as unknown as AccessoryStock;
  const store = {
    waitingForAccessories: (limit: number) => {
      calls.push(`line ${limit}`);
      return Promise.resolve(line.slice(0, limit));
    },
  } as unknown as OnboardingStore;
  const accessories = createAccessories({
    stock,
    store,
    bus: {
      send: (queue, messages) => {
        sent.push(...messages.map((message) => ({ queue, message })));
        return Promise.resolve();
      },
    },
    clock: { now: () => NOW },
    requestAllocation: (reason) => {
      allocations.push(reason);
      return Promise.resolve();
    },
    ...(options.passSize !== undefined ? { passSize: options.passSize } : {}),
  });
  /** Who was told to go on: resume-step commands of the accessories step, each with its onboarding's trace. */
  const resumed = () =>
    sent.map(({ queue, message }) => {
      const body = message.body as { type: string; step: string; onboardingId: string };
      return [queue, body.type, body.step, body.onboardingId, message.applicationProperties?.traceparent];
    });
  return { accessories, calls, sent, allocations, resumed };
}

describe('adding accessories to the stock', () => {
  it('when a kind comes in at a site, or for the DSI itself, then it is counted there and the line is served at once', async () => {
    const h = harness([], []);
    expect(await h.accessories.add({ kind: 'headset', count: 50, site: 'Orléans' })).toEqual({
      kind: 'headset',
      site: 'Orléans',
      available: 50,
      reserved: 0,
      given: 0,
    });
    await h.accessories.add({ kind: 'webcam', count: 5 });
    expect(h.calls).toEqual(['add headset Orléans 50', 'add webcam - 5']);
    expect(h.allocations).toHaveLength(2);
    expect(await h.accessories.list()).toEqual([{ kind: 'headset', site: null, available: 3, reserved: 0, given: 0 }]);
  });
});

describe('an accessory pass', () => {
  it('when nobody waits, then nothing is read nor reserved', async () => {
    const h = harness([], [entry('headset', null, 3)]);
    expect(await h.accessories.pass()).toEqual({ waiting: 0, reserved: 0 });
    expect(h.calls).toEqual(['line 200']);
    expect(h.sent).toEqual([]);
  });

  it('when some wait and the stock has their kinds, then one of each is set aside for them in the order of the line, and those served are told to go on, with their trace', async () => {
    const line = [
      request('S.1', { traceparent: 't-s' }),
      request('C.1', { priority: 'continuity', kinds: ['headset', 'webcam'], traceparent: 't-c' }),
      request('L.1', { kinds: ['dock'] }),
    ];
    const h = harness(line, [entry('headset', null, 1), entry('webcam', 'Tours', 2)]);
    expect(await h.accessories.pass()).toEqual({ waiting: 3, reserved: 2 });
    expect(h.calls).toEqual([
      'line 200',
      'entries',
      'reserve accessory:headset: C.1',
      'reserve accessory:webcam:Tours C.1',
    ]);
    expect(h.resumed()).toEqual([[QUEUES.provisioning, 'resume-step', 'accessories', 'C.1', 't-c']]);
    expect(h.allocations).toEqual([]);
  });

  it("when a kind's stock changed since it was read, then those it would have served are not told, and another pass is asked at once", async () => {
    const line = [request('A.1', { kinds: ['headset'] }), request('B.1', { kinds: ['webcam'] })];
    const h = harness(line, [entry('headset', null, 1), entry('webcam', null, 1)], {
      conflict: ['accessory:headset:'],
    });
    expect(await h.accessories.pass()).toEqual({ waiting: 2, reserved: 1 });
    expect(h.resumed().map((r) => r[3])).toEqual(['B.1']);
    expect(h.allocations).toHaveLength(1);
  });

  it('when the line is longer than a pass and some were served, then another pass follows; a full pass that served no one asks none', async () => {
    const line = [request('A.1'), request('B.1'), request('C.1')];
    const full = harness(line, [entry('headset', null, 5)], { passSize: 2 });
    expect(await full.accessories.pass()).toEqual({ waiting: 2, reserved: 2 });
    expect(full.allocations).toHaveLength(1);
    const empty = harness(line, [entry('headset', null, 0)], { passSize: 2 });
    expect(await empty.accessories.pass()).toEqual({ waiting: 2, reserved: 0 });
    expect(empty.allocations).toEqual([]);
    // Shorter than a pass: the line is all served or waits for stock.
    const short = harness(line, [entry('headset', null, 5)], { passSize: 4 });
    await short.accessories.pass();
    expect(short.allocations).toEqual([]);
  });

  it('when one already holds every kind it needs (its resume may have been lost), then it is told again, in a message of its own that a re-send within the minute does not repeat', async () => {
    const line = [request('A.1', { kinds: ['headset', 'webcam'] })];
    const shelves = [entry('headset', null, 0, ['A.1']), entry('webcam', 'Blois', 0, ['A.1'])];
    const h = harness(line, shelves);
    expect(await h.accessories.pass()).toEqual({ waiting: 1, reserved: 0 });
    expect(h.resumed()).toEqual([[QUEUES.provisioning, 'resume-step', 'accessories', 'A.1', undefined]]);
    const again = harness(line, shelves);
    await again.accessories.pass();
    expect(again.sent[0]?.message.messageId).toBe(h.sent[0]?.message.messageId);
    // Served by this pass and told: another message than a re-telling.
    const served = harness([request('A.1')], [entry('headset', null, 1)]);
    await served.accessories.pass();
    expect(served.sent[0]?.message.messageId).not.toBe(h.sent[0]?.message.messageId);
  });

  it('when one holds some of its kinds but not all, then it is not told again', async () => {
    const h = harness([request('A.1', { kinds: ['headset', 'webcam'] })], [entry('headset', null, 0, ['A.1'])]);
    await h.accessories.pass();
    expect(h.sent).toEqual([]);
  });
});

describe("the sweeper's look at the accessories' line", () => {
  it('when nobody waits, then no pass', async () => {
    const h = harness([], [entry('headset', null, 3)]);
    expect(await h.accessories.nudge()).toBe(false);
    expect(h.allocations).toEqual([]);
  });

  it('when someone waits for a kind now in stock (a lost request), then a pass', async () => {
    const h = harness([request('A.1', { kinds: ['dock', 'headset'] })], [entry('headset', 'Tours', 1)]);
    expect(await h.accessories.nudge()).toBe(true);
    expect(h.allocations).toHaveLength(1);
  });

  it('when someone holds every kind they need (a lost resume), then a pass', async () => {
    const h = harness([request('A.1')], [entry('headset', null, 0, ['A.1'])]);
    expect(await h.accessories.nudge()).toBe(true);
  });

  it('when everyone waits for kinds that are out, then no pass', async () => {
    const h = harness(
      [request('A.1'), request('B.1', { kinds: ['webcam'] })],
      [entry('headset', null, 0, ['Z.1']), entry('dock', null, 4)],
    );
    expect(await h.accessories.nudge()).toBe(false);
    expect(h.allocations).toEqual([]);
  });
});

describe('the accessories step', () => {
  const needing = (...kinds: string[]): Onboarding =>
    approvedOnboarding(buildOnboarding({ needs: { laptop: false, accessories: kinds } }));

  function step(holdings: AccessoryHolding[], putBack = 0) {
    const calls: string[] = [];
    const allocations: string[] = [];
    const provisioner = createAccessoryStep({
      stock: {
        give: (id: string) => {
          calls.push(`give ${id}`);
          return Promise.resolve(holdings);
        },
        putBack: (id: string) => {
          calls.push(`putBack ${id}`);
          return Promise.resolve(putBack);
        },
      } as unknown as AccessoryStock,
      requestAllocation: (reason) => {
        allocations.push(reason);
        return Promise.resolve();
      },
    });
    return { provisioner, calls, allocations };
  }
  const held = (kind: string): AccessoryHolding => ({ kind, site: null, status: 'given' });

  it('when everything needed was set aside, then it is handed out: done, each kind given', async () => {
    const o = needing('headset', 'webcam');
    const s = step([held('headset'), held('webcam')]);
    expect(await s.provisioner.provision(o)).toEqual({
      kind: 'done',
      detail: 'given: headset, webcam',
      items: [
        { kind: 'headset', status: 'given' },
        { kind: 'webcam', status: 'given' },
      ],
    });
    expect(s.calls).toEqual([`give ${o.id}`]);
    expect(s.allocations).toEqual([]);
  });

  it('when a kind is out, then what is there is handed out and the step waits in line for the rest, asking for a pass', async () => {
    const o = needing('headset', 'webcam', 'dock');
    const s = step([held('webcam')]);
    expect(await s.provisioner.provision(o)).toEqual({
      kind: 'waiting',
      detail: 'in line for: headset, dock',
      items: [
        { kind: 'headset', status: 'waiting' },
        { kind: 'webcam', status: 'given' },
        { kind: 'dock', status: 'waiting' },
      ],
    });
    expect(s.allocations).toHaveLength(1);
    expect(inLineFor(['headset'])).toBe('in line for: headset');
  });

  it('when undone, then what it holds goes back in stock and the line is served; holding nothing, no pass', async () => {
    const o = needing('headset');
    const s = step([], 2);
    expect(await s.provisioner.revert(o)).toBeUndefined();
    expect(s.calls).toEqual([`putBack ${o.id}`]);
    expect(s.allocations).toHaveLength(1);
    const none = step([], 0);
    await none.provisioner.revert(o);
    expect(none.allocations).toEqual([]);
  });
});
