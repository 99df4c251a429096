import {
  createOnboardingWriter,
  sendStepCommands,
  stepQueueOf,
  toStepMessage,
} from '../../shared/app/onboarding/onboarding-writer';
import { QUEUES } from '../../shared/app/queues';
import { ErrorCodes } from '../../shared/domain/errors';
import type { MessageBus, OutgoingMessage } from '../../shared/ports/message-bus';
import { ConcurrencyConflict, type OnboardingStore, type Versioned } from '../../shared/ports/onboarding-store';
import { TransientError } from '../../shared/ports/provisioners';
import type { Onboarding, StepCommand } from '../../shared/schemas/onboarding';
import { APPROVER, approvedOnboarding, buildOnboarding } from '../support/factories';

// The writer's messages and its write loop, against ports recorded in memory (the Cosmos and Service Bus
// adapters are tested against their endpoints elsewhere).

const command = (over: Partial<StepCommand> = {}): StepCommand => ({
  onboardingId: 'E1.1',
  employeeId: 'E1',
  type: 'run-step',
  step: 'vpn',
  attempt: 2,
  ...over,
});

class RecordingBus implements MessageBus {
  sent: { queue: string; messages: OutgoingMessage[] }[] = [];
  send(queue: string, messages: OutgoingMessage[]): Promise<void> {
    this.sent.push({ queue, messages });
    return Promise.resolve();
  }
}

describe('step messages', () => {
  it('when a command becomes a message, then its id names the onboarding, step, kind, run, retry, re-check and key', () => {
    expect(toStepMessage(command()).messageId).toBe('E1.1/vpn/run-step/2');
    expect(toStepMessage(command({ retry: 3, recheck: 4, key: 'k' })).messageId).toBe('E1.1/vpn/run-step/2/r3/c4/k');
    expect(toStepMessage(command({ key: '' })).messageId).toBe('E1.1/vpn/run-step/2');
  });

  it('when a command becomes a message, then it carries the command, its kind and onboarding, its schedule and trace only when given', () => {
    const plain = toStepMessage(command());
    expect(plain).toEqual({
      messageId: 'E1.1/vpn/run-step/2',
      subject: 'run-step',
      contentType: 'application/json',
      correlationId: 'E1.1',
      body: command(),
    });
    const scheduled = toStepMessage(command({ notBefore: '2026-11-30T10:00:00.000Z' }), '00-abc-def-01');
    expect(scheduled.scheduledEnqueueTime).toEqual(new Date('2026-11-30T10:00:00.000Z'));
    expect(scheduled.applicationProperties).toEqual({ traceparent: '00-abc-def-01' });
  });

  it("when commands are sent, then a laptop's go to the laptop steps' queue, the others to provisioning, a batch a queue", async () => {
    expect(stepQueueOf(command({ step: 'laptop' }))).toBe(QUEUES.laptopSteps);
    expect(stepQueueOf(command({ step: 'officeLicense' }))).toBe(QUEUES.provisioning);
    const bus = new RecordingBus();
    await sendStepCommands(bus, [command(), command({ step: 'laptop' }), command({ step: 'officeLicense' })], 't');
    expect(bus.sent.map((s) => [s.queue, s.messages.map((m) => m.messageId)])).toEqual([
      [QUEUES.provisioning, ['E1.1/vpn/run-step/2', 'E1.1/officeLicense/run-step/2']],
      [QUEUES.laptopSteps, ['E1.1/laptop/run-step/2']],
    ]);
    const none = new RecordingBus();
    await sendStepCommands(none, [command()]);
    expect(none.sent.map((s) => s.queue)).toEqual([QUEUES.provisioning]);
  });

  it("when a continuity agent's commands are sent, then each goes to its step's continuity queue, sent before the others'; Teams has queues of its own", async () => {
    const continuity = { priority: 'continuity' as const };
    expect(stepQueueOf(command({ step: 'teams' }))).toBe(QUEUES.teamsSteps);
    expect(stepQueueOf(command({ step: 'teams', ...continuity }))).toBe(QUEUES.teamsStepsContinuity);
    expect(stepQueueOf(command({ step: 'laptop', ...continuity }))).toBe(QUEUES.laptopStepsContinuity);
    expect(stepQueueOf(command({ step: 'vpn', priority: 'standard' }))).toBe(QUEUES.provisioning);
    const bus = new RecordingBus();
    await sendStepCommands(bus, [
      command({ employeeId: 'S1', onboardingId: 'S1.1' }),
      command({ ...continuity }),
      command({ step: 'laptop', ...continuity }),
    ]);
    expect(bus.sent.map((s) => [s.queue, s.messages.map((m) => m.messageId)])).toEqual([
      [QUEUES.provisioningContinuity, ['E1.1/vpn/run-step/2']],
      [QUEUES.provisioning, ['S1.1/vpn/run-step/2']],
      [QUEUES.laptopStepsContinuity, ['E1.1/laptop/run-step/2']],
    ]);
  });
});

describe('the write loop', () => {
  /** A store of one onboarding whose replace fails with a stale etag the first `conflicts` times. */
  function storeOf(o: Onboarding, conflicts = 0) {
    let stored: Versioned<Onboarding> = { value: o, etag: 'v0' };
    let left = conflicts;
    const calls = { gets: 0, replaces: 0 };
    const store = {
      get: (id: string) => {
        calls.gets += 1;
        return Promise.resolve(id === o.id ? stored : null);
      },
      replace: (value: Onboarding, etag: string) => {
        calls.replaces += 1;
        if (left > 0 || etag !== stored.etag) {
          left -= 1;
          stored = { ...stored, etag: `${stored.etag}+` };
          return Promise.reject(new ConcurrencyConflict('changed meanwhile'));
        }
        stored = { value, etag: `${etag}'` };
        return Promise.resolve(stored);
      },
    } as unknown as OnboardingStore;
    return { store, calls, current: () => stored };
  }
  const clock = { now: () => new Date('2026-11-30T12:00:00.000Z') };
  const approve = () => ({ type: 'decided' as const, at: 'ignored', by: APPROVER, decision: 'approve' as const });

  /** A writer over `store` that records what it sends and the laptop passes it asks for. */
  function writerOver(store: OnboardingStore) {
    const bus = new RecordingBus();
    const requests: string[] = [];
    const writer = createOnboardingWriter({
      store,
      bus,
      clock,
      requestAllocation: (why) => Promise.resolve(void requests.push(why)),
    });
    return { writer, bus, requests };
  }

  it('when the etag is stale, then it reads again and decides again, and the change lands once, stamped when decided', async () => {
    const fresh = buildOnboarding();
    const { store, calls, current } = storeOf(fresh, 2);
    const { writer, bus, requests } = writerOver(store);
    const saved = await writer.apply(fresh.id, () => ({
      type: 'decided',
      at: 'ignored',
      by: APPROVER,
      decision: 'approve',
    }));
    expect(saved?.status).toBe('provisioning');
    expect(calls).toEqual({ gets: 3, replaces: 3 });
    expect(current().value.decision?.at).toBe('2026-11-30T12:00:00.000Z');
    // The laptop takes its place in line (a pass is asked for); the other steps are sent to run.
    expect(requests).toEqual([`approved/${fresh.id}/1`]);
    expect(bus.sent.flatMap((s) => s.messages.map((m) => m.subject))).toEqual(['run-step', 'run-step']);
  });

  it('when the onboarding is too contended, then it gives up as a transient fault (the message is retried)', async () => {
    const fresh = buildOnboarding();
    const { store, calls } = storeOf(fresh, 100);
    const { writer } = writerOver(store);
    await expect(writer.apply(fresh.id, approve)).rejects.toThrow(
      new TransientError(`onboarding ${fresh.id} is too contended; try again`),
    );
    expect(calls.replaces).toBe(8);
  });

  it('when the store fails otherwise, then the error goes up as it is (not taken for a conflict)', async () => {
    const fresh = buildOnboarding();
    const { store, calls } = storeOf(fresh);
    store.replace = () => Promise.reject(new Error('the store is down'));
    const { writer } = writerOver(store);
    await expect(writer.apply(fresh.id, approve)).rejects.toThrow('the store is down');
    expect(calls.gets).toBe(1);
  });

  it('when the caller read it already, then the first attempt spares the read; an unknown id is null', async () => {
    const fresh = buildOnboarding();
    const { store, calls } = storeOf(fresh);
    const { writer } = writerOver(store);
    await writer.apply(fresh.id, () => ({ type: 'decided', at: 'x', by: APPROVER, decision: 'reject' }), {
      value: fresh,
      etag: 'v0',
    });
    expect(calls.gets).toBe(0);
    expect(await writer.apply('E404.1', () => null)).toBeNull();
  });

  it('when nothing changes (a redelivery), then nothing is written and the outbox is sent again', async () => {
    const running = approvedOnboarding();
    const { store, calls } = storeOf(running);
    const { writer, bus, requests } = writerOver(store);
    expect(await writer.apply(running.id, () => null)).toBe(running);
    expect(calls.replaces).toBe(0);
    expect(bus.sent.flatMap((s) => s.messages.map((m) => m.messageId))).toEqual(
      running.outbox.map((c) => toStepMessage(c).messageId),
    );
    // Only steps to run in the outbox (the laptop's place in line is its waiting step): no pass asked for.
    expect(requests).toEqual([]);
    // An empty outbox sends nothing.
    const quiet = new RecordingBus();
    await createOnboardingWriter({ store, bus: quiet, clock, requestAllocation: () => Promise.resolve() }).flushOutbox({
      value: { ...running, outbox: [] },
      etag: 'v0',
    });
    expect(quiet.sent).toEqual([]);
  });
});

describe('a refused change', () => {
  it('when a change is refused (a second decision: often the retry of one whose send a crash cut), then the outbox of the first goes out, and the refusal is still told', async () => {
    const running = approvedOnboarding();
    const stored: Versioned<Onboarding> = { value: running, etag: 'v1' };
    let replaces = 0;
    const store = {
      get: () => Promise.resolve(stored),
      replace: () => Promise.resolve(void (replaces += 1)),
    } as unknown as OnboardingStore;
    const bus = new RecordingBus();
    const writer = createOnboardingWriter({
      store,
      bus,
      clock: { now: () => new Date('2026-11-30T12:00:00.000Z') },
      requestAllocation: () => Promise.resolve(),
    });
    await expect(
      writer.apply(running.id, () => ({ type: 'decided', at: 'x', by: APPROVER, decision: 'approve' })),
    ).rejects.toMatchObject({ code: ErrorCodes.alreadyDecided });
    expect(replaces).toBe(0);
    expect(running.outbox.length).toBeGreaterThan(0);
    expect(bus.sent.flatMap((s) => s.messages.map((m) => m.messageId))).toEqual(
      running.outbox.map((c) => toStepMessage(c).messageId),
    );
  });
});
