import { createOnboardingWriter, type OnboardingWriter } from '../../shared/app/onboarding/onboarding-writer';
import type { Clock } from '../../shared/ports/clock';
import type { OutgoingMessage } from '../../shared/ports/message-bus';
import {
  AlreadyExists,
  ConcurrencyConflict,
  type OnboardingStore,
  type Versioned,
} from '../../shared/ports/onboarding-store';
import type { Onboarding } from '../../shared/schemas/onboarding';

/**
 * The onboardings of a unit test, in memory: the store's reads and its conditional writes (If-Match by etag),
 * under the real writer (decide, write, send), whose messages are kept. Only the methods a use case under test
 * calls; the Cosmos store itself is tested on the embedded endpoint.
 */
export function memoryOnboardings(clock: Clock, ...initial: Onboarding[]) {
  const docs = new Map<string, Versioned<Onboarding>>();
  let version = 0;
  const save = (o: Onboarding) => {
    const saved = { value: structuredClone(o), etag: `v${(version += 1)}` };
    docs.set(o.id, saved);
    return saved;
  };
  for (const o of initial) save(o);
  const store = {
    get: (id: string) => Promise.resolve(docs.get(id) ?? null),
    listForEmployee: (employeeId: string) =>
      Promise.resolve(
        [...docs.values()]
          .filter((d) => d.value.employeeId === employeeId)
          .sort((a, b) => b.value.sequence - a.value.sequence),
      ),
    create: (o: Onboarding) => (docs.has(o.id) ? Promise.reject(new AlreadyExists(o.id)) : Promise.resolve(save(o))),
    replace: (o: Onboarding, etag: string) =>
      docs.get(o.id)?.etag === etag ? Promise.resolve(save(o)) : Promise.reject(new ConcurrencyConflict(o.id)),
  } as unknown as OnboardingStore;
  const sent: { queue: string; message: OutgoingMessage }[] = [];
  const allocations: string[] = [];
  const writer: OnboardingWriter = createOnboardingWriter({
    store,
    bus: {
      send: (queue, messages) => {
        sent.push(...messages.map((message) => ({ queue, message })));
        return Promise.resolve();
      },
    },
    clock,
    requestAllocation: (reason) => {
      allocations.push(reason);
      return Promise.resolve();
    },
  });
  /** The onboarding as stored now. */
  const stored = (id: string): Onboarding => {
    const doc = docs.get(id);
    if (!doc) throw new Error(`no onboarding ${id} in the store`);
    return doc.value;
  };
  return { store, writer, docs, sent, allocations, stored, save };
}
