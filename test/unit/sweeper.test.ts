import type { LaptopStock } from '../../shared/app/laptops/laptop-stock';
import type { OnboardingWriter } from '../../shared/app/onboarding/onboarding-writer';
import { QUEUES } from '../../shared/app/queues';
import { createSweeper, redriveCommands } from '../../shared/app/operations/sweeper';
import type { MessageBus, OutgoingMessage } from '../../shared/ports/message-bus';
import type { OnboardingStore, Versioned } from '../../shared/ports/onboarding-store';
import type { Onboarding, StepCommand } from '../../shared/schemas/onboarding';
import { approvedOnboarding, withSteps } from '../support/factories';

// The sweeper re-drives what a lost message left behind, each part on its own, with ids new each period.

const NOW = new Date('2026-12-01T10:00:00.000Z');
const config = {
  Sweeper__outboxGraceSeconds: 60,
  Sweeper__reservationGraceSeconds: 120,
  Sweeper__stuckAfterSeconds: 900,
};

describe('redriveCommands', () => {
  it('when provisioning, then the steps pending or in progress run again, and a licence waiting for a seat looks again', () => {
    const o = withSteps(approvedOnboarding(), { laptop: 'waiting', vpn: 'in-progress', officeLicense: 'waiting' });
    expect(redriveCommands(o, 'k').map((c) => [c.type, c.step, c.attempt, c.key])).toEqual([
      ['run-step', 'vpn', 1, 'k'],
      ['run-step', 'officeLicense', 1, 'k'],
    ]);
    const pending = withSteps(approvedOnboarding(), { laptop: 'done', vpn: 'pending', officeLicense: 'done' });
    expect(redriveCommands(pending, 'k').map((c) => c.step)).toEqual(['vpn']);
  });

  it('when cancelled, then the steps done or in progress are undone, the others left', () => {
    const o = { ...withSteps(approvedOnboarding(), { laptop: 'done', vpn: 'in-progress', officeLicense: 'skipped' }) };
    o.status = 'cancelled';
    expect(redriveCommands(o, 'k').map((c) => [c.type, c.step])).toEqual([
      ['revert-step', 'laptop'],
      ['revert-step', 'vpn'],
    ]);
  });
});

describe('sweep', () => {
  function harness(faults: { outbox?: Error; stale?: Error; nudge?: Error; accessories?: Error; stuck?: Error } = {}) {
    const asked: string[] = [];
    const flushed: string[] = [];
    const sent: { queue: string; messages: OutgoingMessage[] }[] = [];
    const stuck = withSteps(approvedOnboarding(), { vpn: 'pending', officeLicense: 'done' });
    const withOutbox = approvedOnboarding();
    const store = {
      withPendingOutbox: (olderThan: string, limit: number) => {
        asked.push(`outbox ${olderThan} ${limit}`);
        return faults.outbox ? Promise.reject(faults.outbox) : Promise.resolve([{ value: withOutbox, etag: 'e' }]);
      },
      withStuckSteps: (olderThan: string, limit: number, now: string) => {
        asked.push(`stuck ${olderThan} ${limit} ${now}`);
        return faults.stuck ? Promise.reject(faults.stuck) : Promise.resolve([{ value: stuck, etag: 'e' }]);
      },
      addSearchKeys: (limit: number) => {
        asked.push(`search keys ${limit}`);
        return Promise.resolve(4);
      },
    } as unknown as OnboardingStore;
    const writer = {
      flushOutbox: (o: Versioned<Onboarding>) => {
        flushed.push(o.value.id);
        return Promise.resolve();
      },
    } as unknown as OnboardingWriter;
    const laptopStock = {
      resendStale: (olderThan: string) => {
        asked.push(`stale ${olderThan}`);
        return faults.stale ? Promise.reject(faults.stale) : Promise.resolve({ resent: 2, released: 1 });
      },
      nudge: (olderThan: string) => {
        asked.push(`nudge ${olderThan}`);
        return faults.nudge ? Promise.reject(faults.nudge) : Promise.resolve({ resumed: 3, pass: true });
      },
    } as unknown as LaptopStock;
    const accessories = {
      nudge: () => {
        asked.push('accessories');
        return faults.accessories ? Promise.reject(faults.accessories) : Promise.resolve(true);
      },
    };
    const bus: MessageBus = {
      send: (queue, messages) => {
        sent.push({ queue, messages });
        return Promise.resolve();
      },
    };
    const sweep = createSweeper({ store, writer, laptopStock, accessories, bus, clock: { now: () => NOW }, config });
    return { sweep, asked, flushed, sent, stuck, withOutbox };
  }

  it('when it runs, then outboxes older than their grace are sent again, stale reservations and the line looked at, stuck steps re-driven with a key of the period, and a few documents of an earlier release given their search keys', async () => {
    const h = harness();
    expect(await h.sweep()).toEqual({ outbox: 1, reservations: 5, released: 1, redriven: 1, searchable: 4 });
    expect(h.asked).toEqual([
      'outbox 2026-12-01T09:59:00.000Z 100',
      'stale 2026-12-01T09:58:00.000Z',
      'nudge 2026-12-01T09:58:00.000Z',
      'accessories',
      'stuck 2026-12-01T09:45:00.000Z 100 2026-12-01T10:00:00.000Z',
      'search keys 20',
    ]);
    expect(h.flushed).toEqual([h.withOutbox.id]);
    const period = Math.floor(NOW.getTime() / 900_000);
    expect(h.sent).toEqual([
      {
        queue: QUEUES.provisioning,
        messages: [expect.objectContaining({ messageId: `${h.stuck.id}/vpn/run-step/1/redrive/${period}` })],
      },
    ]);
    expect((h.sent[0]!.messages[0]!.body as StepCommand).key).toBe(`redrive/${period}`);
  });

  it('when one part fails, then the others still run, and the fault is thrown after; two faults come together', async () => {
    const one = harness({ stale: new Error('stale failed') });
    await expect(one.sweep()).rejects.toThrow('stale failed');
    expect(one.flushed).toHaveLength(1);
    expect(one.sent).toHaveLength(1);
    const accessoriesDown = harness({ accessories: new Error('accessories failed') });
    await expect(accessoriesDown.sweep()).rejects.toThrow('accessories failed');
    expect(accessoriesDown.sent).toHaveLength(1);
    const two = harness({ outbox: new Error('a'), stuck: new Error('b') });
    const error = (await two.sweep().catch((e: unknown) => e)) as AggregateError;
    expect(error).toBeInstanceOf(AggregateError);
    expect(error.message).toBe('2 parts of the sweep failed');
    expect(error.errors.map((e: Error) => e.message)).toEqual(['a', 'b']);
    expect(two.asked.filter((a) => a.startsWith('nudge'))).toHaveLength(1);
  });
});
