import type { RejectedMessages } from '../../shared/app/operations/rejected-messages';
import { QUEUES } from '../../shared/app/queues';
import { createSetAsideMessages } from '../../shared/app/operations/set-aside-messages';
import type { DeadLetterQueues } from '../../shared/ports/dead-letter-queues';
import type { RejectedMessage } from '../../shared/schemas/rejected-message';

// One view of every message set aside: rejected with a reason, or dead-lettered by Service Bus.

const record: RejectedMessage = {
  id: 'rec1',
  docType: 'rejected-message',
  queue: 'provisioning',
  messageId: 'E1.1/vpn/run-step/1',
  reason: 'InvalidStepCommand',
  description: 'step: invalid',
  body: { a: 1 },
  deliveryCount: 1,
  rejectedAt: '2026-12-01T10:00:00.000Z',
  resubmissions: [],
};

function harness() {
  const calls: string[] = [];
  const rejected = {
    list: (o: { queue?: string; limit: number }) => {
      calls.push(`list ${o.queue ?? '*'} ${o.limit}`);
      return Promise.resolve([record]);
    },
    resubmit: (queue: string, id: string) => {
      calls.push(`resubmit ${queue} ${id}`);
      return Promise.resolve(id === 'rec1' ? { messageId: 'copy' } : null);
    },
  } as unknown as RejectedMessages;
  const deadLetters = {
    peek: (queue: string, max: number) => {
      calls.push(`peek ${queue} ${max}`);
      return Promise.resolve(
        queue === QUEUES.hrEvents
          ? [
              {
                sequenceNumber: 7,
                messageId: 'evt-1',
                reason: 'MaxDeliveryCountExceeded',
                description: 'ten deliveries',
                enqueuedTimeUtc: '2026-12-01T09:00:00.000Z',
                body: { b: 2 },
              },
              { sequenceNumber: 8, messageId: 'evt-2', reason: 'TTLExpiredException', description: '', body: null },
            ]
          : [],
      );
    },
    resubmit: (queue: string, sequenceNumber: number, messageId: string) => {
      calls.push(`dl-resubmit ${queue} ${sequenceNumber} ${messageId}`);
      return Promise.resolve(sequenceNumber === 7);
    },
  } as unknown as DeadLetterQueues;
  return { setAside: createSetAsideMessages({ rejected, deadLetters }), calls };
}

describe('messages set aside', () => {
  it("when listed, then the rejected records and every queue's dead letters, each with an id saying where it is", async () => {
    const h = harness();
    const entries = await h.setAside.list();
    expect(entries).toEqual([
      {
        id: 'rejected:provisioning:rec1',
        source: 'rejected',
        queue: 'provisioning',
        messageId: 'E1.1/vpn/run-step/1',
        reason: 'InvalidStepCommand',
        description: 'step: invalid',
        at: '2026-12-01T10:00:00.000Z',
        body: { a: 1 },
      },
      {
        id: `dead-letter:${QUEUES.hrEvents}:7`,
        source: 'dead-letter',
        queue: QUEUES.hrEvents,
        messageId: 'evt-1',
        reason: 'MaxDeliveryCountExceeded',
        description: 'ten deliveries',
        at: '2026-12-01T09:00:00.000Z',
        body: { b: 2 },
      },
      {
        id: `dead-letter:${QUEUES.hrEvents}:8`,
        source: 'dead-letter',
        queue: QUEUES.hrEvents,
        messageId: 'evt-2',
        reason: 'TTLExpiredException',
        description: '',
        body: null,
      },
    ]);
    expect(h.calls).toEqual(['list * 200', ...Object.values(QUEUES).map((q) => `peek ${q} 200`)]);
    const one = harness();
    await one.setAside.list({ queue: QUEUES.provisioning, max: 5 });
    expect(one.calls).toEqual([`list ${QUEUES.provisioning} 5`, `peek ${QUEUES.provisioning} 5`]);
  });

  it('when one is resubmitted, then a rejected one through its record, a dead letter under a new id; anything else is null', async () => {
    const h = harness();
    expect(await h.setAside.resubmit('rejected:provisioning:rec1')).toBe('copy');
    expect(await h.setAside.resubmit(`dead-letter:${QUEUES.hrEvents}:7`)).toBe('evt-1/resubmit/7');
    expect(await h.setAside.resubmit(`dead-letter:${QUEUES.hrEvents}:8`)).toBeNull();
    expect(await h.setAside.resubmit(`dead-letter:${QUEUES.hrEvents}:9`)).toBeNull();
    expect(await h.setAside.resubmit(`dead-letter:${QUEUES.hrEvents}:x`)).toBeNull();
    expect(await h.setAside.resubmit('rejected:store:onboardings:rec1')).toBeNull();
    expect(await h.setAside.resubmit('rejected:elsewhere:rec1')).toBeNull();
    expect(await h.setAside.resubmit('nonsense')).toBeNull();
    expect(h.calls.filter((c) => c.includes('resubmit'))).toEqual([
      'resubmit provisioning rec1',
      `dl-resubmit ${QUEUES.hrEvents} 7 evt-1/resubmit/7`,
      `dl-resubmit ${QUEUES.hrEvents} 8 evt-2/resubmit/8`,
    ]);
  });
});
