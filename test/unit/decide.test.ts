import { decide, startOnboarding, type OnboardingEvent } from '../../shared/domain/decide';
import { DomainError, ErrorCodes } from '../../shared/domain/errors';
import type { Onboarding, StepStatus } from '../../shared/schemas/onboarding';
import {
  APPROVER,
  DECIDED_AT,
  approvedOnboarding,
  buildHire,
  buildOnboarding,
  person,
  withSteps,
} from '../support/factories';

const at = DECIDED_AT;
const approver = APPROVER;

const approved = approvedOnboarding;

/** The three steps of a hire's onboarding in these tables (Teams and accessories are not needed here). */
type HireStep = 'laptop' | 'vpn' | 'officeLicense';

function stepStatuses(o: Onboarding): Record<HireStep, StepStatus> {
  return { laptop: o.steps.laptop.status, vpn: o.steps.vpn.status, officeLicense: o.steps.officeLicense.status };
}

describe('startOnboarding', () => {
  it('when a hire arrives, then the onboarding awaits approval with every needed step pending', () => {
    const o = buildOnboarding();
    expect(o.status).toBe('awaiting-approval');
    expect(stepStatuses(o)).toEqual({ laptop: 'pending', vpn: 'pending', officeLicense: 'pending' });
    expect(o.history).toEqual([expect.objectContaining({ type: 'onboarding.created', actor: 'hr' })]);
    expect(o.displayName).toBe('Camille Martin');
  });

  it('when needs says false, then that step is skipped', () => {
    const o = buildOnboarding({ needs: { laptop: false, officeLicense: false } });
    expect(stepStatuses(o)).toEqual({ laptop: 'skipped', vpn: 'pending', officeLicense: 'skipped' });
  });

  it('when the start date is already past, then it is onboarded all the same', () => {
    const hire = buildHire({ employee: { startDate: '2020-03-16' } });
    const { state } = startOnboarding({ id: 'E1.1', sequence: 1 }, { type: 'hired', eventId: hire.eventId, at, hire });
    expect(state.status).toBe('awaiting-approval');
    expect(state.startDate).toBe('2020-03-16');
  });
});

describe('decide: transitions', () => {
  // Fixtures are built when their test runs, not when the file is collected: mutation testing then knows
  // which test covers which line (code run at collection counts as static: every test for every mutant).
  const ready = () => approved();
  const cases: {
    name: string;
    from: () => Onboarding;
    event: OnboardingEvent;
    status: Onboarding['status'];
    steps: Record<HireStep, StepStatus>;
    commands: string[];
    history: string[];
  }[] = [
    {
      name: 'approve → provisioning, a run command per pending step',
      from: () => buildOnboarding(),
      event: { type: 'decided', at, by: approver, decision: 'approve', comment: 'ok' },
      status: 'provisioning',
      steps: { laptop: 'waiting', vpn: 'pending', officeLicense: 'pending' },
      commands: ['request-laptop:laptop:1', 'run-step:vpn:1', 'run-step:officeLicense:1'],
      history: ['onboarding.approved'],
    },
    {
      name: 'approve with every step skipped → completed at once',
      from: () => buildOnboarding({ needs: { laptop: false, vpn: false, officeLicense: false } }),
      event: { type: 'decided', at, by: approver, decision: 'approve' },
      status: 'completed',
      steps: { laptop: 'skipped', vpn: 'skipped', officeLicense: 'skipped' },
      commands: [],
      history: ['onboarding.approved', 'onboarding.completed'],
    },
    {
      name: 'reject → rejected, pending steps skipped, nothing provisioned',
      from: () => buildOnboarding(),
      event: { type: 'decided', at, by: approver, decision: 'reject', comment: 'poste supprimé' },
      status: 'rejected',
      steps: { laptop: 'skipped', vpn: 'skipped', officeLicense: 'skipped' },
      commands: [],
      history: ['onboarding.rejected'],
    },
    {
      name: 'a pending step succeeds → its start and its outcome are written together, done',
      from: () => ready(),
      event: { type: 'step-succeeded', at, step: 'vpn', startedAt: '2026-11-30T08:59:59.000Z' },
      status: 'provisioning',
      steps: { laptop: 'waiting', vpn: 'done', officeLicense: 'pending' },
      commands: [],
      history: ['step.started', 'step.done'],
    },
    {
      name: 'step succeeded → done, others still running',
      from: () => withSteps(ready(), { vpn: 'in-progress' }),
      event: { type: 'step-succeeded', at, step: 'vpn' },
      status: 'provisioning',
      steps: { laptop: 'waiting', vpn: 'done', officeLicense: 'pending' },
      commands: [],
      history: ['step.done'],
    },
    {
      name: 'last step succeeded → completed',
      from: () => withSteps(ready(), { laptop: 'in-progress', vpn: 'done', officeLicense: 'skipped' }),
      event: { type: 'step-succeeded', at, step: 'laptop', serialNumber: 'PF-001' },
      status: 'completed',
      steps: { laptop: 'done', vpn: 'done', officeLicense: 'skipped' },
      commands: [],
      history: ['step.done', 'onboarding.completed'],
    },
    {
      name: 'no seat free → waiting (its worker looks again; the state carries no timer)',
      from: () => ready(),
      event: { type: 'step-waiting', at, step: 'officeLicense', detail: 'no seat free', startedAt: at },
      status: 'provisioning',
      steps: { laptop: 'waiting', vpn: 'pending', officeLicense: 'waiting' },
      commands: [],
      history: ['step.started', 'step.waiting'],
    },
    {
      name: 'a re-check that finds the same → nothing changes, nothing to write',
      from: () => decide(ready(), { type: 'step-waiting', at, step: 'officeLicense', detail: 'no seat free' }).state,
      event: { type: 'step-waiting', at, step: 'officeLicense', detail: 'no seat free' },
      status: 'provisioning',
      steps: { laptop: 'waiting', vpn: 'pending', officeLicense: 'waiting' },
      commands: [],
      history: [],
    },
    {
      name: 'transient fault → a retry of the same run scheduled, the step still in progress',
      from: () => withSteps(ready(), { vpn: 'in-progress' }),
      event: {
        type: 'step-retrying',
        at,
        step: 'vpn',
        reason: 'Graph 503',
        retry: 1,
        notBefore: '2026-11-30T09:00:02.000Z',
      },
      status: 'provisioning',
      steps: { laptop: 'waiting', vpn: 'in-progress', officeLicense: 'pending' },
      commands: ['run-step:vpn:1'],
      history: ['step.retry-scheduled'],
    },
    {
      name: 'an undo meets a transient fault → the same revert is scheduled again',
      from: () => ({ ...withSteps(ready(), { vpn: 'done' }), status: 'cancelled' }),
      event: {
        type: 'step-retrying',
        command: 'revert-step',
        at,
        step: 'vpn',
        reason: 'Graph 429',
        retry: 1,
        notBefore: at,
      },
      status: 'cancelled',
      steps: { laptop: 'waiting', vpn: 'done', officeLicense: 'pending' },
      commands: ['revert-step:vpn:1'],
      history: ['step.revert-retry-scheduled'],
    },
    {
      name: 'an undo gives up → the step is failed with the reason, the onboarding stays cancelled',
      from: () => ({ ...withSteps(ready(), { vpn: 'done' }), status: 'cancelled' }),
      event: { type: 'step-revert-failed', at, step: 'vpn', message: 'Graph 503' },
      status: 'cancelled',
      steps: { laptop: 'waiting', vpn: 'failed', officeLicense: 'pending' },
      commands: [],
      history: ['step.revert-failed'],
    },
    {
      name: 'a revert of a step skipped at cancellation (its request withdrawn) → it stays skipped',
      from: () => ({ ...withSteps(ready(), { laptop: 'skipped' }), status: 'cancelled' }),
      event: { type: 'step-reverted', at, step: 'laptop' },
      status: 'cancelled',
      steps: { laptop: 'skipped', vpn: 'pending', officeLicense: 'pending' },
      commands: [],
      history: [],
    },
    {
      name: 'permanent failure → failed, needs-attention',
      from: () => withSteps(ready(), { officeLicense: 'in-progress' }),
      event: {
        type: 'step-failed',
        at,
        step: 'officeLicense',
        code: 'Authorization_RequestDenied',
        message: 'Insufficient privileges',
      },
      status: 'needs-attention',
      steps: { laptop: 'waiting', vpn: 'pending', officeLicense: 'failed' },
      commands: [],
      history: ['step.failed', 'onboarding.needs-attention'],
    },
    {
      name: 'other steps still finish while one failed: needs-attention stays',
      from: () => ({
        ...withSteps(ready(), { officeLicense: 'failed', vpn: 'in-progress' }),
        status: 'needs-attention',
      }),
      event: { type: 'step-succeeded', at, step: 'vpn' },
      status: 'needs-attention',
      steps: { laptop: 'waiting', vpn: 'done', officeLicense: 'failed' },
      commands: [],
      history: ['step.done'],
    },
    {
      name: 'retry → provisioning, failed steps pending again with a new run',
      from: () => ({
        ...withSteps(ready(), { officeLicense: 'failed', vpn: 'done', laptop: 'done' }),
        status: 'needs-attention',
      }),
      event: { type: 'retry-requested', at, by: approver },
      status: 'provisioning',
      steps: { laptop: 'done', vpn: 'done', officeLicense: 'pending' },
      commands: ['run-step:officeLicense:2'],
      history: ['onboarding.retry-requested'],
    },
    {
      name: 'hire cancelled while provisioning → cancelled; done and running steps reverted, waiting ones skipped and withdrawn',
      from: () => withSteps(ready(), { laptop: 'done', vpn: 'in-progress', officeLicense: 'waiting' }),
      event: { type: 'hire-cancelled', eventId: 'ev-cancel', at },
      status: 'cancelled',
      steps: { laptop: 'done', vpn: 'in-progress', officeLicense: 'skipped' },
      commands: ['revert-step:laptop:2', 'revert-step:vpn:2', 'revert-step:officeLicense:2'],
      history: ['onboarding.cancelled'],
    },
    {
      name: 'hire cancelled after completion → cancelled, every done step reverted',
      from: () => ({
        ...withSteps(ready(), { laptop: 'done', vpn: 'done', officeLicense: 'skipped' }),
        status: 'completed',
      }),
      event: { type: 'hire-cancelled', eventId: 'ev-cancel', at },
      status: 'cancelled',
      steps: { laptop: 'done', vpn: 'done', officeLicense: 'skipped' },
      commands: ['revert-step:laptop:2', 'revert-step:vpn:2'],
      history: ['onboarding.cancelled'],
    },
    {
      name: 'hire cancelled before approval → cancelled, all steps skipped',
      from: () => buildOnboarding(),
      event: { type: 'hire-cancelled', eventId: 'ev-cancel', at },
      status: 'cancelled',
      steps: { laptop: 'skipped', vpn: 'skipped', officeLicense: 'skipped' },
      commands: [],
      history: ['onboarding.cancelled'],
    },
    {
      name: 'a revert done → reverted',
      from: () => ({ ...withSteps(ready(), { laptop: 'done' }), status: 'cancelled' }),
      event: { type: 'step-reverted', at, step: 'laptop' },
      status: 'cancelled',
      steps: { laptop: 'reverted', vpn: 'pending', officeLicense: 'pending' },
      commands: [],
      history: ['step.reverted'],
    },
    {
      name: 'an effect that lands after the cancellation is recorded and reverted',
      from: () => ({ ...withSteps(ready(), { vpn: 'reverted' }), status: 'cancelled' }),
      event: { type: 'step-succeeded', at, step: 'vpn' },
      status: 'cancelled',
      steps: { laptop: 'waiting', vpn: 'done', officeLicense: 'pending' },
      commands: ['revert-step:vpn:2'],
      history: ['step.done'],
    },
    {
      name: 'a second hire while one is open → recorded in the history only',
      from: () => ready(),
      event: { type: 'hired', eventId: 'ev-second', at },
      status: 'provisioning',
      steps: { laptop: 'waiting', vpn: 'pending', officeLicense: 'pending' },
      commands: [],
      history: ['hire.duplicate'],
    },
    {
      name: 'start date changed → new start date',
      from: () => ready(),
      event: { type: 'start-date-changed', eventId: 'ev-date', at, startDate: '2026-12-14' },
      status: 'provisioning',
      steps: { laptop: 'waiting', vpn: 'pending', officeLicense: 'pending' },
      commands: [],
      history: ['start-date.changed'],
    },
    {
      name: 'cancel of an already rejected onboarding → recorded, nothing else',
      from: () => decide(buildOnboarding(), { type: 'decided', at, by: approver, decision: 'reject' }).state,
      event: { type: 'hire-cancelled', eventId: 'ev-cancel', at },
      status: 'rejected',
      steps: { laptop: 'skipped', vpn: 'skipped', officeLicense: 'skipped' },
      commands: [],
      history: ['hire-cancel.ignored'],
    },
  ];

  it.each(cases)('$name', ({ from: build, event, status, steps, commands, history }) => {
    const from = build();
    const result = decide(from, event);
    expect(result.state.status).toBe(status);
    expect(stepStatuses(result.state)).toEqual(steps);
    expect(result.commands.map((c) => `${c.type}:${c.step}:${c.attempt}`)).toEqual(commands);
    expect(result.history.map((h) => h.type)).toEqual(history);
    if (history.length > 0) expect(result.state.history.slice(-history.length)).toEqual(result.history);
    // The outbox: an outcome of a step consumes that step's commands; a laptop's request needs no outbox.
    const consumed = 'step' in event ? event.step : null;
    const kept = from.outbox.filter((c) => c.step !== consumed);
    const added = result.commands.filter((c) => c.type !== 'request-laptop');
    expect(result.state.outbox).toEqual(result.changed ? [...kept, ...added] : from.outbox);
    expect(result.changed).toBe(history.length > 0 || commands.length > 0);
  });

  it("when a continuity agent is approved, then each step command carries the priority (its queue); a standard agent's carry none", () => {
    const continuity = decide(buildOnboarding({ employee: { priority: 'continuity' } }), {
      type: 'decided',
      at,
      by: approver,
      decision: 'approve',
    });
    expect(continuity.commands.length).toBeGreaterThan(0);
    expect(continuity.commands.map((c) => c.priority)).toEqual(continuity.commands.map(() => 'continuity'));
    const standard = decide(buildOnboarding(), { type: 'decided', at, by: approver, decision: 'approve' });
    expect(standard.commands.map((c) => c.priority)).toEqual(standard.commands.map(() => undefined));
    // A retry made after the priority changed goes at the new priority.
    const raised = decide(standard.state, { type: 'priority-changed', at, by: approver, priority: 'continuity' }).state;
    const retry = decide(raised, {
      type: 'step-retrying',
      command: 'run-step',
      at,
      step: 'vpn',
      reason: 'HTTP503',
      retry: 1,
      notBefore: at,
      startedAt: at,
    });
    expect(retry.commands.map((c) => [c.step, c.priority])).toEqual([['vpn', 'continuity']]);
  });

  it('when a decision is made, then it records who decided, when, and the comment', () => {
    const { state, history } = decide(buildOnboarding(), {
      type: 'decided',
      at,
      by: approver,
      decision: 'approve',
      comment: 'PCA',
    });
    expect(state.decision).toEqual({ decision: 'approve', by: approver.name, byId: approver.id, at, comment: 'PCA' });
    expect(history[0]).toEqual({
      actor: approver.name,
      actorId: approver.id,
      at,
      type: 'onboarding.approved',
      details: { comment: 'PCA' },
    });
  });

  it("when the approver's object id is the agent's (an alias upn), then it is refused as self-approval", () => {
    const agent = buildOnboarding();
    const alias = { name: 'c.martin@example.org', id: '0f6a1c2e-1111-4222-8333-944455566677' };
    expect(() =>
      decide(agent, { type: 'decided', at, by: alias, decision: 'approve', agentObjectId: alias.id }),
    ).toThrow(expect.objectContaining({ code: ErrorCodes.selfApproval }) as Error);
    // Once known, the agent's object id is kept: a later decision is checked against it without a lookup.
    const known = { ...agent, agentObjectId: alias.id };
    expect(() => decide(known, { type: 'decided', at, by: alias, decision: 'reject' })).toThrow(DomainError);
    const other = decide(agent, { type: 'decided', at, by: approver, decision: 'approve', agentObjectId: alias.id });
    expect(other.state.agentObjectId).toBe(alias.id);
  });

  it('when the service logs a change, then the entry has no actorId; a person or an application has one', () => {
    const { state } = decide(approved(), { type: 'step-succeeded', at, step: 'vpn', startedAt: at });
    expect(state.history.at(-1)).toEqual(expect.not.objectContaining({ actorId: expect.anything() as unknown }));
    expect(state.history.find((h) => h.type === 'onboarding.approved')?.actorId).toBe(approver.id);
  });

  it('when a step succeeds with a serial number, then the step carries it', () => {
    const { state } = decide(withSteps(ready(), { laptop: 'in-progress' }), {
      type: 'step-succeeded',
      at,
      step: 'laptop',
      serialNumber: 'PF-042',
    });
    expect(state.steps.laptop).toMatchObject({ status: 'done', serialNumber: 'PF-042', updatedAt: at });
  });

  it('when a step fails, then the Graph code and message are in the detail', () => {
    const { state } = decide(withSteps(ready(), { vpn: 'in-progress' }), {
      type: 'step-failed',
      at,
      step: 'vpn',
      code: 'Forbidden',
      message: 'no access',
    });
    expect(state.steps.vpn.detail).toBe('Forbidden: no access');
  });
});

describe('decide: idempotence and ignored progress', () => {
  it('when the same HR event is applied twice, then the second changes nothing', () => {
    const once = decide(approved(), { type: 'start-date-changed', eventId: 'ev-1', at, startDate: '2026-12-14' });
    const twice = decide(once.state, { type: 'start-date-changed', eventId: 'ev-1', at, startDate: '2026-12-21' });
    expect(twice.changed).toBe(false);
    expect(twice.state.startDate).toBe('2026-12-14');
    expect(twice.history).toEqual([]);
  });

  it('when an outcome of a step is recorded, then the commands of that step leave the outbox (its consumer wrote); the others stay', () => {
    const approvedOne = approved();
    expect(approvedOne.outbox.map((c) => `${c.type}:${c.step}`)).toEqual(['run-step:vpn', 'run-step:officeLicense']);
    const vpnDone = decide(approvedOne, { type: 'step-succeeded', at, step: 'vpn', startedAt: at }).state;
    expect(vpnDone.outbox.map((c) => `${c.type}:${c.step}`)).toEqual(['run-step:officeLicense']);
    const retrying = decide(vpnDone, {
      type: 'step-retrying',
      at,
      step: 'officeLicense',
      reason: 'Graph 503',
      retry: 1,
      notBefore: at,
    }).state;
    expect(retrying.outbox.map((c) => `${c.type}:${c.step}:r${c.retry ?? 0}`)).toEqual(['run-step:officeLicense:r1']);
  });

  it('when step progress arrives for a rejected onboarding, then it is ignored', () => {
    const rejected = decide(buildOnboarding(), { type: 'decided', at, by: approver, decision: 'reject' }).state;
    const result = decide(rejected, { type: 'step-succeeded', at, step: 'vpn' });
    expect(result.changed).toBe(false);
    expect(result.state.steps.vpn.status).toBe('skipped');
  });

  it('when a step already done succeeds again (a redelivery), then nothing changes', () => {
    const done = decide(approved(), { type: 'step-succeeded', at, step: 'vpn', startedAt: at }).state;
    expect(decide(done, { type: 'step-succeeded', at, step: 'vpn', startedAt: at }).changed).toBe(false);
  });
});

describe('decide: illegal transitions', () => {
  const illegal: { name: string; from: () => Onboarding; event: OnboardingEvent; code: string }[] = [
    {
      name: 'a second decision',
      from: () => approved(),
      event: { type: 'decided', at, by: approver, decision: 'reject' },
      code: ErrorCodes.alreadyDecided,
    },
    {
      name: 'a decision on a cancelled onboarding',
      from: () => decide(buildOnboarding(), { type: 'hire-cancelled', eventId: 'x', at }).state,
      event: { type: 'decided', at, by: approver, decision: 'approve' },
      code: ErrorCodes.alreadyDecided,
    },
    {
      name: 'an agent approving their own onboarding (any case)',
      from: () => buildOnboarding({ employee: { userPrincipalName: 'Camille.Martin@example.org' } }),
      event: { type: 'decided', at, by: person('camille.martin@EXAMPLE.org'), decision: 'approve' },
      code: ErrorCodes.selfApproval,
    },
    {
      name: 'a retry of an onboarding that is not needs-attention',
      from: () => approved(),
      event: { type: 'retry-requested', at, by: approver },
      code: ErrorCodes.notRetryable,
    },
    {
      name: 'a retry before approval',
      from: () => buildOnboarding(),
      event: { type: 'retry-requested', at, by: approver },
      code: ErrorCodes.notRetryable,
    },
  ];

  it.each(illegal)('$name is refused with $code', ({ from, event, code }) => {
    let thrown: unknown;
    try {
      decide(from(), event);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(DomainError);
    expect((thrown as DomainError).code).toBe(code);
  });

  it('when decide refuses, then the state it was given is untouched', () => {
    const from = approved();
    const before = structuredClone(from);
    expect(() => decide(from, { type: 'decided', at, by: approver, decision: 'reject' })).toThrow(DomainError);
    expect(from).toEqual(before);
  });
});

describe('decide: approval deadlines (contract, life of an onboarding, 9)', () => {
  const reminder: OnboardingEvent = { type: 'approval-deadline', at, deadline: 'reminder' };
  const expiry: OnboardingEvent = { type: 'approval-deadline', at, deadline: 'expiry' };

  it('when the reminder comes while awaiting approval, then one onboarding.reminder-sent entry by system; again, nothing', () => {
    const first = decide(buildOnboarding(), reminder);
    expect(first.changed).toBe(true);
    expect(first.state.status).toBe('awaiting-approval');
    expect(first.history).toEqual([
      expect.objectContaining({
        type: 'onboarding.reminder-sent',
        actor: 'system',
        details: expect.any(Object) as unknown,
      }),
    ]);
    const again = decide(first.state, reminder);
    expect(again.changed).toBe(false);
    expect(again.history).toEqual([]);
  });

  it('when the expiry comes while awaiting approval, then rejected by system with "approval expired", its steps skipped', () => {
    const { state, history, commands } = decide(buildOnboarding(), expiry);
    expect(state.status).toBe('rejected');
    expect(state.decision).toEqual({ decision: 'reject', by: 'system', at, comment: 'approval expired' });
    expect(stepStatuses(state)).toEqual({ laptop: 'skipped', vpn: 'skipped', officeLicense: 'skipped' });
    expect(history).toEqual([
      expect.objectContaining({
        type: 'onboarding.rejected',
        actor: 'system',
        details: { comment: 'approval expired' },
      }),
    ]);
    expect(history[0]).not.toHaveProperty('actorId');
    expect(commands).toEqual([]);
  });

  it('when a deadline comes after the decision, then nothing changes', () => {
    for (const event of [reminder, expiry]) {
      const decided = approved();
      const result = decide(decided, event);
      expect(result.changed).toBe(false);
      expect(result.state).toEqual(decided);
    }
  });
});

describe('decide: four-eyes once the account appears', () => {
  // Approved while the directory did not know the account yet (only the upn could be compared): the first
  // step's run finds the account, and its object id is the approver's.
  const selfApproved = () => approved();
  const found = (agentObjectId: string): OnboardingEvent => ({ type: 'self-approval-found', at, agentObjectId });

  it('when the agent approved themselves, then the approval is void before anything is provisioned: awaiting approval again, each step pending in a new run, the place in line given back', () => {
    const from = selfApproved();
    const { state, commands, history } = decide(from, found(approver.id!));
    expect(state.status).toBe('awaiting-approval');
    expect(state.decision).toBeNull();
    expect(state.agentObjectId).toBe(approver.id);
    expect(stepStatuses(state)).toEqual({ laptop: 'pending', vpn: 'pending', officeLicense: 'pending' });
    for (const step of ['laptop', 'vpn', 'officeLicense'] as const) {
      expect(state.steps[step].attempt).toBe(from.steps[step].attempt + 1);
    }
    expect(commands).toEqual([expect.objectContaining({ type: 'revert-step', step: 'laptop', attempt: 2 })]);
    // The old run's commands are spent, and the laptop's undo needs no outbox (the sweeper frees a reservation
    // nobody waits for).
    expect(state.outbox).toEqual([]);
    expect(history).toEqual([
      expect.objectContaining({
        type: 'onboarding.approval-voided',
        actor: 'system',
        details: expect.objectContaining({ approverId: approver.id }) as unknown,
      }),
    ]);
  });

  it('when the approver approves again, then it is refused by the object id now known', () => {
    const voided = decide(selfApproved(), found(approver.id!)).state;
    expect(() =>
      decide(voided, {
        type: 'decided',
        at,
        by: { name: 'someone.else@example.org', id: approver.id },
        decision: 'approve',
      }),
    ).toThrow(new DomainError(ErrorCodes.selfApproval, 'an agent may not decide on their own onboarding'));
    const other = decide(voided, { type: 'decided', at, by: person('adjoint@example.org'), decision: 'approve' });
    expect(other.state.status).toBe('provisioning');
  });

  it('when the account found is not the approver, or the approval is not the one found, then nothing is voided', () => {
    expect(decide(selfApproved(), found('00000000-0000-4000-8000-000000000001')).state.status).toBe('provisioning');
    const rejected = decide(buildOnboarding(), { type: 'decided', at, by: approver, decision: 'reject' }).state;
    expect(decide(rejected, found(approver.id!)).state.status).toBe('rejected');
  });

  it('when a step already did something, then the approval can no longer be withdrawn', () => {
    const equipped = withSteps(selfApproved(), { vpn: 'done' });
    expect(() => decide(equipped, found(approver.id!))).toThrow(DomainError);
  });

  it("when a step's run found the account, then its object id is kept for four-eyes, once", () => {
    const event: OnboardingEvent = {
      type: 'step-succeeded',
      at,
      step: 'vpn',
      agentObjectId: '00000000-0000-4000-8000-00000000000a',
    };
    const { state } = decide(selfApproved(), event);
    expect(state.agentObjectId).toBe('00000000-0000-4000-8000-00000000000a');
    const again = decide(state, {
      ...event,
      step: 'officeLicense',
      agentObjectId: 'ffffffff-0000-4000-8000-000000000000',
    });
    expect(again.state.agentObjectId).toBe('00000000-0000-4000-8000-00000000000a');
  });
});
