import { createHandleHrEvent } from '../../shared/app/onboarding/handle-hr-event';
import { createOnboardingWriter } from '../../shared/app/onboarding/onboarding-writer';
import { decide } from '../../shared/domain/decide';
import {
  AlreadyExists,
  ConcurrencyConflict,
  type OnboardingStore,
  type Versioned,
} from '../../shared/ports/onboarding-store';
import { TransientError } from '../../shared/ports/provisioners';
import { hrEventSchema, type HrEvent } from '../../shared/schemas/hr-events';
import type { Onboarding } from '../../shared/schemas/onboarding';
import { buildCancelJson, buildHireJson } from '../support/factories';

// How an HR event becomes an onboarding, against a store in memory: created once whatever comes twice,
// with its deadlines and its digest; later events applied to the latest one.

const NOW = new Date('2026-12-01T10:00:00.000Z');

function harness(options: { createRaces?: number } = {}) {
  const docs = new Map<string, Versioned<Onboarding>>();
  let races = options.createRaces ?? 0;
  let version = 0;
  const store = {
    get: (id: string) => Promise.resolve(docs.get(id) ?? null),
    listForEmployee: (employeeId: string) =>
      Promise.resolve(
        [...docs.values()]
          .filter((d) => d.value.employeeId === employeeId)
          .sort((a, b) => b.value.sequence - a.value.sequence),
      ),
    create: (o: Onboarding) => {
      if (races > 0) {
        races -= 1;
        return Promise.reject(new AlreadyExists(o.id));
      }
      const saved = { value: o, etag: `v${(version += 1)}` };
      docs.set(o.id, saved);
      return Promise.resolve(saved);
    },
    replace: (o: Onboarding, etag: string) => {
      if (docs.get(o.id)?.etag !== etag) return Promise.reject(new ConcurrencyConflict(o.id));
      const saved = { value: o, etag: `v${(version += 1)}` };
      docs.set(o.id, saved);
      return Promise.resolve(saved);
    },
  } as unknown as OnboardingStore;
  const calls: string[] = [];
  const clock = { now: () => NOW };
  const writer = createOnboardingWriter({
    store,
    bus: { send: () => Promise.resolve() },
    clock,
    requestAllocation: () => Promise.resolve(),
  });
  const handle = createHandleHrEvent({
    store,
    writer,
    bus: { send: () => Promise.resolve() },
    clock,
    directory: { agent: () => Promise.resolve(null), objectIdOf: () => Promise.resolve(null) },
    laptops: { assignedTo: () => Promise.resolve(null) },
    hasTeam: () => false,
    departureGuard: { guard: { admit: () => Promise.resolve(true) }, maxPerHour: 25 },
    replanLaptop: (o) => {
      calls.push(`replan ${o.id} ${o.startDate}`);
      return Promise.resolve();
    },
    scheduleApprovalDeadlines: (o) => {
      calls.push(`deadlines ${o.id}`);
      return Promise.resolve();
    },
    scheduleDeparture: (o) => {
      calls.push(`departure ${o.id} ${o.departure?.lastDay ?? ''}`);
      return Promise.resolve();
    },
    announce: {
      created: (o) => {
        calls.push(`announce ${o.id}`);
        return Promise.resolve();
      },
    },
  });
  return { handle, calls, docs, store };
}

const parse = (json: Record<string, unknown>): HrEvent => hrEventSchema.parse(json);

describe('handleHrEvent', () => {
  it('when a hire arrives, then an onboarding is created (sequence 1), its deadlines scheduled and the DSI told', async () => {
    const h = harness();
    const hire = parse(buildHireJson());
    const result = await h.handle(hire);
    const id = `${hire.employee.employeeId}.1`;
    expect(result).toEqual({ outcome: 'created', onboardingId: id });
    expect(h.docs.get(id)?.value).toMatchObject({
      status: 'awaiting-approval',
      sequence: 1,
      createdAt: NOW.toISOString(),
    });
    expect(h.calls).toEqual([`deadlines ${id}`, `announce ${id}`]);
  });

  it('when the same hire comes again, then nothing new; its deadlines and digest are asked again (a crash may have come first), but not once it was decided', async () => {
    const h = harness();
    const hire = parse(buildHireJson());
    const { onboardingId } = (await h.handle(hire)) as { onboardingId: string };
    h.calls.length = 0;
    expect(await h.handle(hire)).toEqual({ outcome: 'duplicate', onboardingId });
    expect(h.calls).toEqual([`deadlines ${onboardingId}`, `announce ${onboardingId}`]);
    expect(h.docs.size).toBe(1);
    const stored = h.docs.get(onboardingId)!;
    const decided = decide(stored.value, {
      type: 'decided',
      at: NOW.toISOString(),
      by: { name: 'chef.dsi@example.org' },
      decision: 'reject',
    }).state;
    h.docs.set(onboardingId, { value: decided, etag: 'decided' });
    h.calls.length = 0;
    expect(await h.handle(hire)).toEqual({ outcome: 'duplicate', onboardingId });
    expect(h.calls).toEqual([]);
  });

  it('when a second hire comes while one is open, then it is recorded on the open one, nothing else', async () => {
    const h = harness();
    const first = parse(buildHireJson());
    const { onboardingId } = (await h.handle(first)) as { onboardingId: string };
    const second = parse(buildHireJson({ employee: { employeeId: first.employee.employeeId } }));
    expect(await h.handle(second)).toEqual({ outcome: 'applied', onboardingId });
    expect(h.docs.size).toBe(1);
    expect(h.docs.get(onboardingId)?.value.history.at(-1)).toMatchObject({ type: 'hire.duplicate', actor: 'hr' });
  });

  it('when a hire comes after the previous onboarding finished, then a new one opens with the next sequence', async () => {
    const h = harness();
    const first = parse(buildHireJson());
    const employeeId = first.employee.employeeId;
    await h.handle(first);
    await h.handle(parse(buildCancelJson(employeeId)));
    expect(h.docs.get(`${employeeId}.1`)?.value.status).toBe('cancelled');
    const again = await h.handle(parse(buildHireJson({ employee: { employeeId } })));
    expect(again).toEqual({ outcome: 'created', onboardingId: `${employeeId}.2` });
  });

  it('when a concurrent hire takes the id, then it looks again; after five races it asks to be tried again', async () => {
    const h = harness({ createRaces: 2 });
    const hire = parse(buildHireJson());
    expect(await h.handle(hire)).toMatchObject({ outcome: 'created' });
    const stuck = harness({ createRaces: 5 });
    await expect(stuck.handle(parse(buildHireJson()))).rejects.toBeInstanceOf(TransientError);
  });

  it('when a cancellation or a date change finds no onboarding, then no-onboarding and nothing is written', async () => {
    const h = harness();
    expect(await h.handle(parse(buildCancelJson('E99999')))).toEqual({ outcome: 'no-onboarding' });
    expect(h.docs.size).toBe(0);
  });

  it('when the start date changes, then the latest onboarding has it and its laptop is re-planned; the same event again re-plans only', async () => {
    const h = harness();
    const hire = parse(buildHireJson());
    const { onboardingId } = (await h.handle(hire)) as { onboardingId: string };
    h.calls.length = 0;
    const change = parse({
      eventId: 'date-1',
      type: 'employee.start-date-changed',
      occurredAt: '2026-12-01T08:00:00Z',
      employee: { employeeId: hire.employee.employeeId, startDate: '2027-01-04' },
    });
    expect(await h.handle(change)).toEqual({ outcome: 'applied', onboardingId });
    expect(h.docs.get(onboardingId)?.value.startDate).toBe('2027-01-04');
    expect(h.calls).toEqual([`replan ${onboardingId} 2027-01-04`]);
    expect(await h.handle(change)).toEqual({ outcome: 'duplicate', onboardingId });
    expect(h.calls).toEqual([`replan ${onboardingId} 2027-01-04`, `replan ${onboardingId} 2027-01-04`]);
  });
});
