import queueDefinitions from '../../shared/definitions/service-bus-queues.json';
import { queueExpiry } from '../../local/host';
import { LocalServiceBus, MAX_MESSAGE_BYTES, type LocalMessage, type QueueExpiry } from '../../local/local-bus';

function bus(maxDeliveryCount = 3): LocalServiceBus {
  return new LocalServiceBus({ maxDeliveryCount, duplicateDetectionWindowMs: 60_000, maxConcurrentCalls: 4 });
}

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('LocalServiceBus: Service Bus semantics', () => {
  it('when the same messageId is sent twice, then it is delivered once (duplicate detection)', async () => {
    const b = bus();
    const seen: LocalMessage[] = [];
    b.subscribe('q', (m) => Promise.resolve(void seen.push(m)));
    await b.send('q', [{ messageId: 'm1', body: { n: 1 } }]);
    await b.send('q', [
      { messageId: 'm1', body: { n: 2 } },
      { messageId: 'm2', body: { n: 3 } },
    ]);
    await until(() => b.isIdle() && seen.length >= 2);
    expect(seen.map((m) => [m.messageId, m.body])).toEqual([
      ['m1', { n: 1 }],
      ['m2', { n: 3 }],
    ]);
    await b.close();
  });

  it('when a handler throws, then the message is redelivered with a growing deliveryCount, then dead-lettered after the maximum', async () => {
    const b = bus(3);
    const counts: number[] = [];
    b.subscribe('q', (m) => {
      counts.push(m.deliveryCount);
      return Promise.reject(new Error('Graph answered 503'));
    });
    await b.send('q', [{ messageId: 'poison', body: {} }]);
    await until(() => b.deadLetters('q').length === 1);
    expect(counts).toEqual([1, 2, 3]);
    expect(b.deadLetters('q')[0]).toMatchObject({
      messageId: 'poison',
      deliveryCount: 3,
      deadLetterReason: 'MaxDeliveryCountExceeded',
      deadLetterErrorDescription: expect.stringContaining('Graph answered 503') as unknown,
    });
    await b.close();
  });

  it('when a dead-lettered message is resubmitted, then a copy is delivered under the new id and it leaves the dead-letter queue', async () => {
    const b = bus(1);
    let fail = true;
    const seen: string[] = [];
    b.subscribe('q', (m) => {
      seen.push(m.messageId);
      return fail ? Promise.reject(new Error('down')) : Promise.resolve();
    });
    await b.send('q', [{ messageId: 'once', body: { n: 1 }, subject: 's' }]);
    await until(() => b.deadLetters('q').length === 1);
    fail = false;
    const [dead] = b.deadLetters('q');
    expect(await b.resubmit('q', dead!.sequenceNumber, 'once/resubmit/1')).toBe(true);
    await until(() => b.isIdle() && seen.length === 2);
    expect(seen).toEqual(['once', 'once/resubmit/1']);
    expect(b.deadLetters('q')).toEqual([]);
    expect(await b.resubmit('q', dead!.sequenceNumber, 'again')).toBe(false);
    await b.close();
  });

  it('when a message is scheduled, then it is not delivered before its time', async () => {
    const b = bus();
    const deliveredAt: number[] = [];
    b.subscribe('q', () => Promise.resolve(void deliveredAt.push(Date.now())));
    const sentAt = Date.now();
    await b.send('q', [{ messageId: 's', body: {}, scheduledEnqueueTime: new Date(sentAt + 300) }]);
    expect(b.scheduledCount('q')).toBe(1);
    await until(() => deliveredAt.length === 1);
    expect(deliveredAt[0]! - sentAt).toBeGreaterThanOrEqual(290);
    await b.close();
  });

  it('when a message body is over 256 KiB, then send is refused and nothing is queued', async () => {
    const b = bus();
    await expect(
      b.send('q', [
        { messageId: 'ok', body: 'x' },
        { messageId: 'big', body: 'x'.repeat(MAX_MESSAGE_BYTES) },
      ]),
    ).rejects.toThrow(/larger than/);
    expect(b.snapshot().queues.q?.messages ?? []).toEqual([]);
    await b.close();
  });

  it('when a handler outlives its lock, then the message is delivered again while the first handler runs', async () => {
    const b = new LocalServiceBus({
      maxDeliveryCount: 5,
      duplicateDetectionWindowMs: 60_000,
      maxConcurrentCalls: 4,
      lockDurationMs: 50,
    });
    const deliveries: number[] = [];
    let running = 0;
    let overlapped = false;
    b.subscribe('q', async (m) => {
      deliveries.push(m.deliveryCount);
      running += 1;
      if (running > 1) overlapped = true;
      await new Promise((r) => setTimeout(r, m.deliveryCount === 1 ? 120 : 5));
      running -= 1;
    });
    await b.send('q', [{ messageId: 'slow', body: {} }]);
    await until(() => deliveries.length === 2 && b.isIdle());
    await new Promise((r) => setTimeout(r, 150));
    expect(deliveries).toEqual([1, 2]);
    expect(overlapped).toBe(true);
    await b.close();
  });

  it('when a messageId is longer than 128 characters, then send is refused, as Service Bus does', async () => {
    const b = bus();
    await expect(b.send('q', [{ messageId: 'x'.repeat(129), body: {} }])).rejects.toThrow(/messageId/);
    await b.close();
  });

  it('when the bus is saved and restored, then pending and scheduled messages are delivered by the new one', async () => {
    const first = bus();
    await first.send('q', [
      { messageId: 'a', body: 1 },
      { messageId: 'b', body: 2, scheduledEnqueueTime: new Date(Date.now() + 200) },
    ]);
    await first.close();
    const second = bus();
    second.restore(first.snapshot());
    const seen: string[] = [];
    second.subscribe('q', (m) => Promise.resolve(void seen.push(m.messageId)));
    await until(() => seen.length === 2);
    expect(seen).toEqual(['a', 'b']);
    await second.send('q', [{ messageId: 'a', body: 1 }]);
    await new Promise((r) => setTimeout(r, 30));
    expect(seen).toEqual(['a', 'b']);
    await second.close();
  });
});

describe('LocalServiceBus: message expiry (https://learn.microsoft.com/azure/service-bus-messaging/message-expiration)', () => {
  const DAY = 24 * 3600_000;
  /** A bus on a clock the test moves, with one queue that expires messages after a day. */
  function expiring(expiry: Partial<QueueExpiry> = {}) {
    const clock = { now: Date.parse('2026-12-01T08:00:00Z') };
    const b = new LocalServiceBus({
      maxDeliveryCount: 3,
      duplicateDetectionWindowMs: 60_000,
      maxConcurrentCalls: 4,
      now: () => clock.now,
      expiry: { q: { timeToLiveMs: DAY, deadLetteringOnMessageExpiration: true, ...expiry } },
    });
    return { b, clock };
  }

  it("when a message waits past its queue's time to live, then it is never delivered: it goes to the dead-letter sub-queue with TTLExpiredException", async () => {
    const { b, clock } = expiring();
    await b.send('q', [{ messageId: 'late', body: { n: 1 } }]);
    expect(b.snapshot().queues.q?.messages[0]?.expiresAtUtc).toBe('2026-12-02T08:00:00.000Z');
    clock.now += DAY + 1;
    const seen: string[] = [];
    b.subscribe('q', (m) => Promise.resolve(void seen.push(m.messageId)));
    await until(() => b.deadLetters('q').length === 1);
    expect(seen).toEqual([]);
    expect(b.deadLetters('q')[0]).toMatchObject({
      messageId: 'late',
      deliveryCount: 0,
      deadLetterReason: 'TTLExpiredException',
      deadLetterErrorDescription: 'The message expired and was dead lettered.',
    });
    expect(b.snapshot().queues.q?.messages).toEqual([]);
    await b.close();
  });

  it('when the queue does not dead-letter on expiry, then an expired message is dropped', async () => {
    const { b, clock } = expiring({ deadLetteringOnMessageExpiration: false });
    await b.send('q', [
      { messageId: 'late', body: {} },
      { messageId: 'also-late', body: {} },
    ]);
    clock.now += DAY;
    await b.send('q', [{ messageId: 'fresh', body: {} }]);
    const seen: string[] = [];
    b.subscribe('q', (m) => Promise.resolve(void seen.push(m.messageId)));
    await until(() => seen.length === 1 && b.isIdle());
    expect(seen).toEqual(['fresh']);
    expect(b.deadLetters('q')).toEqual([]);
    expect(b.snapshot().queues.q?.messages).toEqual([]);
    await b.close();
  });

  it('when a message is scheduled, then its time to live counts from its scheduled time, not from the send', async () => {
    const { b, clock } = expiring({ timeToLiveMs: 50 });
    const seen: string[] = [];
    b.subscribe('q', (m) => Promise.resolve(void seen.push(m.messageId)));
    await b.send('q', [{ messageId: 'later', body: {}, scheduledEnqueueTime: new Date(clock.now + 300) }]);
    expect(b.snapshot().queues.q?.messages[0]?.expiresAtUtc).toBe(new Date(clock.now + 350).toISOString());
    clock.now += 300; // the service's clock reaches the scheduled time as the timer fires
    await until(() => seen.length === 1);
    expect(b.deadLetters('q')).toEqual([]);
    await b.close();
  });

  it('when a delivered message expires under its lock, then it is still handled; abandoned after its expiry, it is dead-lettered at once, not delivered again', async () => {
    const { b, clock } = expiring();
    const counts: number[] = [];
    b.subscribe('q', (m) => {
      counts.push(m.deliveryCount);
      clock.now += DAY + 1; // the handler runs past the expiry
      return Promise.reject(new Error('down'));
    });
    await b.send('q', [{ messageId: 'm', body: {} }]);
    await until(() => b.deadLetters('q').length === 1);
    expect(counts).toEqual([1]);
    expect(b.deadLetters('q')[0]).toMatchObject({ deliveryCount: 1, deadLetterReason: 'TTLExpiredException' });
    await b.close();
  });

  it('when the local host builds its bus, then every queue expires messages as the Bicep deploys it', () => {
    const expiry = queueExpiry();
    expect(Object.keys(expiry).sort()).toEqual(queueDefinitions.map((q) => q.name).sort());
    expect(expiry['hr-events']).toEqual({ timeToLiveMs: 14 * DAY, deadLetteringOnMessageExpiration: true });
    expect(expiry.departures).toEqual({ timeToLiveMs: 60 * DAY, deadLetteringOnMessageExpiration: true });
    expect(expiry.notifications?.timeToLiveMs).toBe(2 * DAY);
  });
});
