import {
  createRejectedMessages,
  rejectedMessageId,
  reportUnreadableDocuments,
} from '../../shared/app/operations/rejected-messages';
import type { OutgoingMessage } from '../../shared/ports/message-bus';
import { ConcurrencyConflict, type Versioned } from '../../shared/ports/onboarding-store';
import type { RejectedMessageStore } from '../../shared/ports/rejected-messages';
import type { RejectedMessage } from '../../shared/schemas/rejected-message';

// Setting aside and sending again, against a store in memory (the Cosmos adapter is tested on its endpoint).

const NOW = new Date('2026-12-01T10:00:00.000Z');

function memoryStore(options: { conflicts?: number; failRecord?: Error } = {}) {
  const docs = new Map<string, Versioned<RejectedMessage>>();
  let conflicts = options.conflicts ?? 0;
  const listed: unknown[] = [];
  const store: RejectedMessageStore = {
    record: (m) => {
      if (options.failRecord) return Promise.reject(options.failRecord);
      const existing = docs.get(m.id);
      if (existing) return Promise.resolve(existing.value);
      docs.set(m.id, { value: m, etag: 'v1' });
      return Promise.resolve(m);
    },
    get: (_queue, id) => Promise.resolve(docs.get(id) ?? null),
    list: (o) => {
      listed.push(o);
      return Promise.resolve([...docs.values()].map((d) => d.value));
    },
    replace: (m, etag) => {
      if (conflicts > 0) {
        conflicts -= 1;
        return Promise.reject(new ConcurrencyConflict('stale'));
      }
      if (docs.get(m.id)?.etag !== etag) return Promise.reject(new ConcurrencyConflict('stale'));
      docs.set(m.id, { value: m, etag: `${etag}+` });
      return Promise.resolve();
    },
  };
  return { store, docs, listed };
}

function service(store: RejectedMessageStore) {
  const sent: { queue: string; messages: OutgoingMessage[] }[] = [];
  const rejected = createRejectedMessages({
    store,
    bus: {
      send: (queue, messages) => {
        sent.push({ queue, messages });
        return Promise.resolve();
      },
    },
    clock: { now: () => NOW },
  });
  return { rejected, sent };
}

const rejection = {
  queue: 'provisioning',
  messageId: 'E1.1/vpn/run-step/1',
  reason: 'InvalidStepCommand',
  description: 'step: invalid',
  body: { onboardingId: 'E1.1' },
  subject: 'run-step',
  contentType: 'application/json',
  applicationProperties: { traceparent: 't', deferCount: 3 },
  deliveryCount: 2,
};

describe('rejected messages', () => {
  it('when a message is set aside twice (a redelivery), then one record, keyed by queue and messageId, stamped when first set aside', async () => {
    const m = memoryStore();
    const { rejected } = service(m.store);
    const first = await rejected.record(rejection);
    await rejected.record({ ...rejection, deliveryCount: 3 });
    expect(m.docs.size).toBe(1);
    expect(first).toEqual({
      ...rejection,
      id: rejectedMessageId('provisioning', 'E1.1/vpn/run-step/1'),
      docType: 'rejected-message',
      rejectedAt: NOW.toISOString(),
      resubmissions: [],
    });
    expect(rejectedMessageId('provisioning', 'a')).not.toBe(rejectedMessageId('hr-events', 'a'));
  });

  it('when listed, then 200 at most unless told', async () => {
    const m = memoryStore();
    const { rejected } = service(m.store);
    await rejected.list({ queue: 'provisioning' });
    await rejected.list({ limit: 5, includeResubmitted: true });
    expect(m.listed).toEqual([
      { queue: 'provisioning', limit: 200 },
      { limit: 5, includeResubmitted: true },
    ]);
  });

  it('when resubmitted, then a copy goes to its queue under a new id each time, its properties kept but the spent defer count, and the record says so', async () => {
    const m = memoryStore();
    const { rejected, sent } = service(m.store);
    const { id } = await rejected.record(rejection);
    expect(await rejected.resubmit('provisioning', id)).toEqual({ messageId: 'E1.1/vpn/run-step/1/resubmit/1' });
    expect(await rejected.resubmit('provisioning', id)).toEqual({ messageId: 'E1.1/vpn/run-step/1/resubmit/2' });
    expect(sent[0]).toEqual({
      queue: 'provisioning',
      messages: [
        {
          messageId: 'E1.1/vpn/run-step/1/resubmit/1',
          body: { onboardingId: 'E1.1' },
          subject: 'run-step',
          contentType: 'application/json',
          applicationProperties: { traceparent: 't', resubmittedFrom: 'E1.1/vpn/run-step/1' },
        },
      ],
    });
    expect(m.docs.get(id)?.value.resubmissions).toEqual([
      { at: NOW.toISOString(), messageId: 'E1.1/vpn/run-step/1/resubmit/1' },
      { at: NOW.toISOString(), messageId: 'E1.1/vpn/run-step/1/resubmit/2' },
    ]);
    expect(await rejected.resubmit('provisioning', 'nope')).toBeNull();
  });

  it('when someone else resubmits at the same time, then it reads again (the same copy id, dropped as a duplicate); five conflicts give up', async () => {
    const m = memoryStore({ conflicts: 2 });
    const { rejected, sent } = service(m.store);
    const { subject: _subject, contentType: _type, ...bare } = rejection;
    const { id } = await rejected.record(bare);
    expect(await rejected.resubmit('provisioning', id)).toEqual({ messageId: 'E1.1/vpn/run-step/1/resubmit/1' });
    expect(sent.map((s) => s.messages[0]?.messageId)).toEqual([
      'E1.1/vpn/run-step/1/resubmit/1',
      'E1.1/vpn/run-step/1/resubmit/1',
      'E1.1/vpn/run-step/1/resubmit/1',
    ]);
    expect(sent[0]?.messages[0]).not.toHaveProperty('subject');
    const busy = memoryStore({ conflicts: 5 });
    const other = service(busy.store);
    const record = await other.rejected.record(rejection);
    await expect(other.rejected.resubmit('provisioning', record.id)).rejects.toBeInstanceOf(ConcurrencyConflict);
  });
});

describe('unreadable documents', () => {
  it('when a stored document fails its schema, then one log line names it and a record is kept under store:<container>, once per version', async () => {
    const m = memoryStore();
    const lines: string[] = [];
    const report = reportUnreadableDocuments({
      store: m.store,
      clock: { now: () => NOW },
      container: 'onboardings',
      log: (l) => lines.push(l),
    });
    await report({ id: 'E1.1', reason: 'status: invalid', document: { id: 'E1.1', _etag: '"0a"' } });
    await report({ id: 'E1.1', reason: 'status: invalid', document: { id: 'E1.1', _etag: '"0a"' } });
    await report({ id: 'E2.1', reason: 'x', document: null });
    expect(JSON.parse(lines[0]!)).toEqual({
      level: 'error',
      message: 'unreadable onboardings document set aside',
      id: 'E1.1',
      reason: 'status: invalid',
    });
    const records = [...m.docs.values()].map((d) => d.value);
    expect(records.map((r) => [r.queue, r.messageId, r.reason, r.deliveryCount])).toEqual([
      ['store:onboardings', 'E1.1@"0a"', 'UnreadableDocument', 0],
      ['store:onboardings', 'E2.1@unknown', 'UnreadableDocument', 0],
    ]);
  });

  it('when the record cannot be written, then it says so in the log and does not throw', async () => {
    const lines: string[] = [];
    const report = reportUnreadableDocuments({
      store: memoryStore({ failRecord: new Error('Cosmos DB is unreachable') }).store,
      clock: { now: () => NOW },
      container: 'onboardings',
      log: (l) => lines.push(l),
    });
    await expect(report({ id: 'E1.1', reason: 'r', document: {} })).resolves.toBeUndefined();
    expect(lines[1]).toBe('could not record unreadable document E1.1: Error: Cosmos DB is unreachable');
  });
});
