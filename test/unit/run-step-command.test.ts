import { createOnboardingWriter } from '../../shared/app/onboarding/onboarding-writer';
import {
  createRunStepCommand,
  retryDelaySeconds,
  type RetryPolicy,
} from '../../shared/app/onboarding/run-step-command';
import { decide } from '../../shared/domain/decide';
import type { MessageBus, OutgoingMessage } from '../../shared/ports/message-bus';
import { ConcurrencyConflict, type OnboardingStore, type Versioned } from '../../shared/ports/onboarding-store';
import {
  TransientError,
  type ProvisionOutcome,
  type Provisioner,
  type Provisioners,
  type RevertOutcome,
} from '../../shared/ports/provisioners';
import type { Onboarding, StepCommand, StepName } from '../../shared/schemas/onboarding';
import { objectIdFor } from '../../local/dev-issuer';
import { APPROVER, approvedOnboarding, buildOnboarding } from '../support/factories';

// The provisioning worker's decisions (which run counts, what a fault comes to, when to look again),
// against ports recorded in memory; the real writer and domain decide what is written.

const NOW = new Date('2026-12-01T10:00:00.000Z');
const policy: RetryPolicy = { maxRetries: 3, baseSeconds: 2, maxSeconds: 300, random: () => 0 };
const ctx = { deliveryCount: 1, maxDeliveryCount: 10 };

/** One provisioner per step, answering what `outcome` says (or throwing it), and recording its calls. */
function provisionersOf(outcomes: Partial<Record<StepName, ProvisionOutcome | Error>> = {}, revertWith?: Error) {
  const calls: string[] = [];
  const provisioner = (step: StepName): Provisioner => ({
    step,
    provision: (o) => {
      calls.push(`provision ${step} ${o.id}`);
      const outcome = outcomes[step] ?? { kind: 'done' };
      return outcome instanceof Error ? Promise.reject(outcome) : Promise.resolve(outcome);
    },
    revert: (o): Promise<RevertOutcome | undefined> => {
      calls.push(`revert ${step} ${o.id}`);
      return revertWith ? Promise.reject(revertWith) : Promise.resolve({ note: `${step} note` });
    },
  });
  const provisioners: Provisioners = {
    laptop: provisioner('laptop'),
    vpn: provisioner('vpn'),
    officeLicense: provisioner('officeLicense'),
    teams: provisioner('teams'),
    accessories: provisioner('accessories'),
  };
  return { provisioners, calls };
}

function harness(
  o: Onboarding,
  options: {
    outcomes?: Parameters<typeof provisionersOf>[0];
    revertWith?: Error;
    /** The directory's object id of a upn (null: no such account yet). Default: the one the issuer derives. */
    objectIdOf?: (upn: string) => string | null;
  } = {},
) {
  const lookups: string[] = [];
  let stored: Versioned<Onboarding> = { value: o, etag: 'v0' };
  const writes: Onboarding[] = [];
  const sent: { queue: string; messages: OutgoingMessage[] }[] = [];
  const store = {
    get: (id: string) => Promise.resolve(id === stored.value.id ? stored : null),
    replace: (next: Onboarding, etag: string) => {
      if (etag !== stored.etag) return Promise.reject(new ConcurrencyConflict('stale'));
      writes.push(next);
      stored = { value: next, etag: `v${writes.length}` };
      return Promise.resolve(stored);
    },
  } as unknown as OnboardingStore;
  const bus: MessageBus = {
    send: (queue, messages) => {
      sent.push({ queue, messages });
      return Promise.resolve();
    },
  };
  const clock = { now: () => NOW };
  const writer = createOnboardingWriter({ store, bus, clock, requestAllocation: () => Promise.resolve() });
  const { provisioners, calls } = provisionersOf(options.outcomes, options.revertWith);
  const directory = {
    objectIdOf: (upn: string) => {
      lookups.push(upn);
      return Promise.resolve(options.objectIdOf ? options.objectIdOf(upn) : objectIdFor(upn));
    },
  };
  const run = createRunStepCommand({ store, bus, writer, provisioners, clock, retry: policy, directory });
  return { run, writes, sent, calls, lookups, current: () => stored.value };
}

const command = (o: Onboarding, over: Partial<StepCommand> = {}): StepCommand => ({
  onboardingId: o.id,
  employeeId: o.employeeId,
  type: 'run-step',
  step: 'vpn',
  attempt: o.steps.vpn.attempt,
  ...over,
});

const historyTypes = (o: Onboarding | null) => o?.history.map((h) => h.type) ?? [];

describe('four-eyes before anything is provisioned', () => {
  it('when the agent has no account in the directory yet, then nothing is provisioned: the step waits on the account from this first look, and a retry is scheduled', async () => {
    const o = approvedOnboarding();
    const h = harness(o, { objectIdOf: () => null });
    const after = await h.run(command(o), ctx);
    expect(h.calls).toEqual([]);
    expect(after?.steps.vpn).toMatchObject({ status: 'waiting', waitingOn: 'account' });
    expect(after?.steps.vpn.detail).toContain(`no account ${o.userPrincipalName} in the directory`);
    expect(h.sent.flatMap((s) => s.messages.map((m) => m.subject))).toEqual(['run-step']);
  });

  it('when a connector finds no account (replication lag), then the step waits on the account as well', async () => {
    const o = approvedOnboarding();
    const h = harness(o, {
      outcomes: { vpn: new TransientError('account not replicated yet', undefined, 'UserNotFound') },
    });
    const after = await h.run(command(o), ctx);
    expect(after?.steps.vpn.waitingOn).toBe('account');
  });

  it("when a laptop's run finds no account, then no laptop is asked for: the step waits on the account, out of the line", async () => {
    const approved = decide(buildOnboarding(), {
      type: 'decided',
      at: NOW.toISOString(),
      by: APPROVER,
      decision: 'approve',
      accountMissing: true,
    }).state;
    const h = harness(approved, { objectIdOf: () => null });
    const after = await h.run(command(approved, { step: 'laptop', attempt: approved.steps.laptop.attempt }), ctx);
    expect(h.calls).toEqual([]);
    expect(after?.steps.laptop).toMatchObject({ status: 'waiting', waitingOn: 'account' });
  });

  it("when the account appears and its object id is the approver's, then nothing is provisioned and the approval is void", async () => {
    const o = approvedOnboarding();
    const h = harness(o, { objectIdOf: () => APPROVER.id! });
    const after = await h.run(command(o), ctx);
    expect(h.calls).toEqual([]);
    expect(after?.status).toBe('awaiting-approval');
    expect(after?.decision).toBeNull();
    expect(historyTypes(after)).toContain('onboarding.approval-voided');
  });

  it('when the account is another person, then the step runs and the object id is kept: later runs do not ask again', async () => {
    const o = approvedOnboarding();
    const h = harness(o);
    const after = await h.run(command(o), ctx);
    expect(h.calls).toEqual([`provision vpn ${o.id}`]);
    expect(after?.agentObjectId).toBe(objectIdFor(o.userPrincipalName));
    await h.run(command(after!, { step: 'officeLicense', attempt: after!.steps.officeLicense.attempt }), ctx);
    expect(h.lookups).toEqual([o.userPrincipalName]);
  });
});

describe('retryDelaySeconds', () => {
  it('when retries follow one another, then the ceiling doubles from the base up to the maximum, with jitter in its upper half', () => {
    const at = (random: number, retry: number, after?: number) =>
      retryDelaySeconds({ ...policy, random: () => random }, retry, after);
    expect([1, 2, 3, 4].map((r) => at(0, r))).toEqual([1, 2, 4, 8]);
    expect([1, 2, 3].map((r) => at(1, r))).toEqual([2, 4, 8]);
    expect(at(0.5, 2)).toBe(3);
    expect(at(1, 20)).toBe(300);
    expect(at(0, 20)).toBe(150);
  });

  it('when the server said Retry-After, then never sooner than that', () => {
    expect(retryDelaySeconds(policy, 1, 30)).toBe(30);
    expect(retryDelaySeconds(policy, 4, 2)).toBe(8);
  });
});

describe('run-step', () => {
  it('when the run is current, then the step is provisioned and its outcome recorded with when it started', async () => {
    const o = approvedOnboarding();
    const h = harness(o);
    const after = await h.run(command(o), ctx);
    expect(h.calls).toEqual([`provision vpn ${o.id}`]);
    expect(after?.steps.vpn.status).toBe('done');
    expect(h.writes).toHaveLength(1);
    const started = after?.history.find((e) => e.type === 'step.started');
    expect(started?.details).toEqual({ step: 'vpn', attempt: 1, startedAt: NOW.toISOString() });
  });

  it('when the onboarding is unknown, of an older run, not provisioning, or the step is no longer to run, then nothing is provisioned or written', async () => {
    const o = approvedOnboarding();
    const cases: [Onboarding, StepCommand][] = [
      [o, command(o, { onboardingId: 'E0.1' })],
      [o, command(o, { attempt: 0 })],
      [buildOnboarding(), command(buildOnboarding(), { attempt: 0 })],
      [decide(o, { type: 'step-succeeded', at: NOW.toISOString(), step: 'vpn' }).state, command(o)],
    ];
    for (const [state, c] of cases) {
      const h = harness(state);
      expect(await h.run(c, ctx)).toBeNull();
      expect(h.calls).toEqual([]);
      expect(h.writes).toEqual([]);
    }
  });

  it('when a transient fault happens, then a retry of the same run is scheduled after the back-off, with the reason', async () => {
    const o = approvedOnboarding();
    const h = harness(o, { outcomes: { vpn: new TransientError('Graph answered 503', 10) } });
    const after = await h.run(command(o, { retry: 1 }), ctx);
    const scheduled = h.sent.flatMap((s) => s.messages.map((m) => m.body as StepCommand));
    // Retry 2: ceiling 4 s, jitter 2 s, but Graph's Retry-After (10 s) wins.
    expect(scheduled).toEqual([
      expect.objectContaining({ type: 'run-step', step: 'vpn', retry: 2, notBefore: '2026-12-01T10:00:10.000Z' }),
    ]);
    expect(after?.steps.vpn.detail).toBe('retry 2 after a transient fault: Graph answered 503');
    expect(after?.history.at(-1)).toMatchObject({
      type: 'step.retry-scheduled',
      details: { step: 'vpn', retry: 2, reason: 'Graph answered 503', notBefore: '2026-12-01T10:00:10.000Z' },
    });
  });

  it("when transient faults outlast the retries, then the step fails with the fault's code (or TransientFaultsExhausted) and how many tries", async () => {
    for (const [err, code] of [
      [new TransientError('no account', undefined, 'UserNotFound'), 'UserNotFound'],
      [new TransientError('Graph answered 503'), 'TransientFaultsExhausted'],
    ] as const) {
      const o = approvedOnboarding();
      const h = harness(o, { outcomes: { vpn: err } });
      const after = await h.run(command(o, { retry: 3 }), ctx);
      expect(after?.status).toBe('needs-attention');
      expect(after?.steps.vpn).toMatchObject({
        status: 'failed',
        detail: `${code}: gave up after 4 tries: ${err.message}`,
      });
      expect(h.sent.flatMap((s) => s.messages.map((m) => (m.body as StepCommand).type))).not.toContain('run-step');
    }
  });

  it('when an unexpected error happens, then it is thrown for the bus to redeliver, and the last delivery fails the step', async () => {
    const o = approvedOnboarding();
    const bug = new Error('a bug');
    const first = harness(o, { outcomes: { vpn: bug } });
    await expect(first.run(command(o), { deliveryCount: 9, maxDeliveryCount: 10 })).rejects.toBe(bug);
    expect(first.writes).toEqual([]);
    const last = harness(o, { outcomes: { vpn: bug } });
    const after = await last.run(command(o), { deliveryCount: 10, maxDeliveryCount: 10 });
    expect(after?.steps.vpn).toMatchObject({
      status: 'failed',
      detail: 'TransientFaultsExhausted: gave up after 10 tries: a bug',
    });
  });

  it('when nothing is free and a re-check is asked, then the next look is scheduled; the same wait again writes nothing', async () => {
    const o = approvedOnboarding();
    const waiting: ProvisionOutcome = { kind: 'waiting', detail: 'no seat free', recheckAfterSeconds: 30 };
    const h = harness(o, { outcomes: { officeLicense: waiting } });
    const c = command(o, { step: 'officeLicense', attempt: o.steps.officeLicense.attempt, retry: 2, recheck: 1 });
    const after = await h.run(c, ctx);
    expect(after?.steps.officeLicense).toMatchObject({ status: 'waiting', detail: 'no seat free' });
    expect(h.writes).toHaveLength(1);
    expect(h.sent.flatMap((s) => s.messages.map((m) => m.body))).toEqual([
      { ...c, retry: undefined, recheck: 2, notBefore: '2026-12-01T10:00:30.000Z' },
    ]);
    const again = await h.run({ ...c, recheck: 2 }, ctx);
    expect(h.writes).toHaveLength(1);
    expect(again?.steps.officeLicense.detail).toBe('no seat free');
    expect(h.sent.flatMap((s) => s.messages.map((m) => (m.body as StepCommand).recheck))).toEqual([2, 3]);
  });

  it('when a laptop step fails, then its laptop goes back to the line after the failure is recorded', async () => {
    const o = approvedOnboarding();
    const h = harness(o, { outcomes: { laptop: { kind: 'failed', code: 'DeviceNotFound', message: 'no identity' } } });
    const after = await h.run(command(o, { step: 'laptop', attempt: o.steps.laptop.attempt }), ctx);
    expect(after?.steps.laptop.status).toBe('failed');
    expect(h.calls).toEqual([`provision laptop ${o.id}`, `revert laptop ${o.id}`]);
  });
});

describe('revert-step', () => {
  const cancelled = () => {
    let o = approvedOnboarding();
    o = decide(o, { type: 'step-succeeded', at: NOW.toISOString(), step: 'vpn' }).state;
    return decide(o, { type: 'hire-cancelled', eventId: 'cancel-1', at: NOW.toISOString() }).state;
  };
  const revertOf = (o: Onboarding) => command(o, { type: 'revert-step', attempt: o.steps.vpn.attempt });

  it('when the onboarding is cancelled and its step was done, then it is undone and reverted with the note', async () => {
    const o = cancelled();
    const h = harness(o);
    const after = await h.run(revertOf(o), ctx);
    expect(h.calls).toEqual([`revert vpn ${o.id}`]);
    expect(after?.steps.vpn).toMatchObject({ status: 'reverted', detail: 'vpn note' });
    expect(historyTypes(after)).toContain('step.reverted');
  });

  it('when the onboarding is not cancelled, or the command is of an older run, then nothing is undone', async () => {
    const active = approvedOnboarding();
    const h1 = harness(active);
    expect(await h1.run(command(active, { type: 'revert-step' }), ctx)).toBeNull();
    const o = cancelled();
    const h2 = harness(o);
    expect(await h2.run(command(o, { type: 'revert-step', attempt: 0 }), ctx)).toBeNull();
    expect([...h1.calls, ...h2.calls]).toEqual([]);
  });

  it('when the undo meets a transient fault, then the undo is retried; after the last retry it is recorded as failed', async () => {
    const o = cancelled();
    const h = harness(o, { revertWith: new TransientError('Graph answered 429', 5) });
    const after = await h.run(revertOf(o), ctx);
    expect(h.sent.flatMap((s) => s.messages.map((m) => m.body))).toEqual([
      expect.objectContaining({ type: 'revert-step', step: 'vpn', retry: 1, notBefore: '2026-12-01T10:00:05.000Z' }),
    ]);
    expect(historyTypes(after)).toContain('step.revert-retry-scheduled');
    const last = harness(after!, { revertWith: new TransientError('Graph answered 429') });
    const failed = await last.run({ ...revertOf(o), retry: 3 }, ctx);
    expect(failed?.steps.vpn).toMatchObject({
      status: 'failed',
      detail: 'revert failed: gave up after 4 tries: Graph answered 429',
    });
  });
});

describe('resume-step', () => {
  it('when a laptop was reserved for a waiting step, then its current run is run', async () => {
    const o = approvedOnboarding();
    const h = harness(o);
    const after = await h.run(command(o, { type: 'resume-step', step: 'laptop', attempt: 99, retry: 4 }), ctx);
    expect(h.calls).toEqual([`provision laptop ${o.id}`]);
    expect(after?.steps.laptop.status).toBe('done');
  });

  it('when the onboarding was cancelled or rejected meanwhile, then the reserved laptop is given back; unknown: nothing', async () => {
    const rejected = decide(buildOnboarding(), {
      type: 'decided',
      at: NOW.toISOString(),
      by: { name: 'chef.dsi@example.org' },
      decision: 'reject',
    }).state;
    const h = harness(rejected);
    const after = await h.run(command(rejected, { type: 'resume-step', step: 'laptop' }), ctx);
    expect(after?.status).toBe('rejected');
    expect(h.calls).toEqual([`revert laptop ${rejected.id}`]);
    expect(await h.run(command(rejected, { type: 'resume-step', onboardingId: 'E0.1' }), ctx)).toBeNull();
  });
});
