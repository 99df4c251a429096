import { decide, startOnboarding, type OnboardingEvent } from '../../shared/domain/decide';
import { ErrorCodes } from '../../shared/domain/errors';
import { employeeHiredSchema } from '../../shared/schemas/hr-events';
import type { Onboarding, StepName, StepStatus } from '../../shared/schemas/onboarding';
import {
  APPROVER,
  DECIDED_AT,
  approvedOnboarding,
  buildHireJson,
  buildOnboarding,
  withSteps,
} from '../support/factories';

// The history is the audit trail ("who got what, when, approved by whom"): each change writes exactly these
// entries, with these actors and details, and nothing else; events that do not count in a state leave the
// onboarding as it was.

const at = DECIDED_AT;
const later = '2026-11-30T10:00:00.000Z';
const approver = APPROVER;

const approved = approvedOnboarding;

/** What an undo of `step` can answer: done, given up, or retried after a transient fault. */
const undoEvents = (step: StepName): OnboardingEvent[] => [
  { type: 'step-reverted', at: later, step },
  { type: 'step-revert-failed', at: later, step, message: 'x' },
  { type: 'step-retrying', at: later, step, reason: 'r', retry: 1, notBefore: later, command: 'revert-step' },
];

const cancelled = (o: Onboarding) => decide(o, { type: 'hire-cancelled', eventId: `cancel-${o.id}`, at }).state;

/** The entries one event adds, without the time (all at `later`, checked once below). */
function entries(from: Onboarding, event: OnboardingEvent) {
  const result = decide(from, event);
  for (const h of result.history) expect(h.at).toBe(event.at);
  expect(result.state.history).toEqual([...from.history, ...result.history]);
  return result.history.map(({ at: _at, ...rest }) => rest);
}

describe('startOnboarding: what a hire records', () => {
  it('when a hire arrives, then the onboarding is created by hr with the event, start date, priority and needs', () => {
    const hire = employeeHiredSchema.parse(
      buildHireJson({ eventId: 'ev-hire', employee: { usageLocation: 'FR', priority: 'continuity' } }),
    );
    const decision = startOnboarding(
      { id: `${hire.employee.employeeId}.1`, sequence: 1 },
      {
        type: 'hired',
        eventId: 'ev-hire',
        at,
        hire,
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      },
    );
    expect(decision.changed).toBe(true);
    expect(decision.commands).toEqual([]);
    expect(decision.history).toEqual([
      {
        at,
        type: 'onboarding.created',
        actor: 'hr',
        details: {
          eventId: 'ev-hire',
          kind: 'hire',
          startDate: hire.employee.startDate,
          priority: 'continuity',
          // No team for the department here (no Provisioning__departmentTeams): Teams is not needed.
          needs: { laptop: true, vpn: true, officeLicense: true, teams: false, accessories: [] },
        },
      },
    ]);
    expect(decision.state).toMatchObject({
      docType: 'onboarding',
      site: 'Orléans',
      usageLocation: 'FR',
      eventIds: ['ev-hire'],
      outbox: [],
      decision: null,
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      history: decision.history,
    });
  });

  it('when a hire has no site, usage location or trace, then none is stored', () => {
    const hire = employeeHiredSchema.parse(buildHireJson({ employee: { site: undefined } }));
    const { state } = startOnboarding({ id: 'E1.1', sequence: 1 }, { type: 'hired', eventId: 'e', at, hire });
    expect(state.site).toBeNull();
    expect(state).not.toHaveProperty('usageLocation');
    expect(state).not.toHaveProperty('traceparent');
  });
});

describe('decide: the entries each change writes', () => {
  const ready = () => approved();

  it('a second hire for an open onboarding: hr notes the duplicate, nothing else changes', () => {
    const o = ready();
    const result = decide(o, { type: 'hired', eventId: 'ev-again', at: later });
    expect(result.history.map(({ at: _a, ...h }) => h)).toEqual([
      {
        type: 'hire.duplicate',
        actor: 'hr',
        details: {
          eventId: 'ev-again',
          detail: `an onboarding is already open for ${o.employeeId}; nothing else changed`,
        },
      },
    ]);
    expect(result.state.eventIds).toContain('ev-again');
    expect(result.state.steps).toEqual(o.steps);
  });

  it('an approval without a comment: the approver, their object id, no comment anywhere', () => {
    const result = decide(buildOnboarding(), { type: 'decided', at: later, by: approver, decision: 'approve' });
    expect(result.history[0]).toEqual({
      at: later,
      type: 'onboarding.approved',
      actor: approver.name,
      actorId: approver.id,
      details: {},
    });
    expect(result.state.decision).toEqual({ decision: 'approve', by: approver.name, byId: approver.id, at: later });
  });

  it('a rejection by an application-less actor: no actorId, no byId; pending steps skipped', () => {
    const anonymous = { name: 'app:legacy' };
    const result = decide(buildOnboarding(), {
      type: 'decided',
      at: later,
      by: anonymous,
      decision: 'reject',
      comment: 'poste supprimé',
    });
    expect(
      entries(buildOnboarding(), { type: 'decided', at: later, by: anonymous, decision: 'reject', comment: 'c' }),
    ).toEqual([{ type: 'onboarding.rejected', actor: 'app:legacy', details: { comment: 'c' } }]);
    expect(result.state.decision).toEqual({
      decision: 'reject',
      by: 'app:legacy',
      at: later,
      comment: 'poste supprimé',
    });
    expect(result.state).not.toHaveProperty('agentObjectId');
  });

  it('a step that succeeds with a serial number and its start time', () => {
    const from = withSteps(ready(), { laptop: 'pending' });
    expect(
      entries(from, { type: 'step-succeeded', at: later, step: 'laptop', serialNumber: 'PF-1', startedAt: at }),
    ).toEqual([
      { type: 'step.started', actor: 'system', details: { step: 'laptop', attempt: 1, startedAt: at } },
      { type: 'step.done', actor: 'system', details: { step: 'laptop', serialNumber: 'PF-1' } },
    ]);
  });

  it('a step that succeeds with a detail (a licence inherited from a group)', () => {
    const from = withSteps(ready(), { officeLicense: 'in-progress' });
    const result = decide(from, { type: 'step-succeeded', at: later, step: 'officeLicense', detail: 'inherited' });
    expect(result.history.map((h) => h.details)).toEqual([{ step: 'officeLicense', detail: 'inherited' }]);
    expect(result.state.steps.officeLicense).toEqual({
      status: 'done',
      detail: 'inherited',
      updatedAt: later,
      attempt: 1,
    });
  });

  it('a step that waits, then waits for something else', () => {
    const waiting = decide(ready(), { type: 'step-waiting', at, step: 'officeLicense', detail: 'no seat free' }).state;
    expect(
      entries(ready(), { type: 'step-waiting', at: later, step: 'officeLicense', detail: 'no seat free' }),
    ).toEqual([{ type: 'step.waiting', actor: 'system', details: { step: 'officeLicense', detail: 'no seat free' } }]);
    expect(
      entries(waiting, { type: 'step-waiting', at: later, step: 'officeLicense', detail: 'usage location' }),
    ).toEqual([
      { type: 'step.waiting', actor: 'system', details: { step: 'officeLicense', detail: 'usage location' } },
    ]);
    // The same detail again is no change; another step that waits with the same words is one.
    expect(
      decide(waiting, { type: 'step-waiting', at: later, step: 'officeLicense', detail: 'no seat free' }).changed,
    ).toBe(false);
    expect(decide(waiting, { type: 'step-waiting', at: later, step: 'vpn', detail: 'no seat free' }).changed).toBe(
      true,
    );
  });

  it('a retry scheduled after a transient fault: the reason, the retry, when', () => {
    const result = decide(ready(), {
      type: 'step-retrying',
      at: later,
      step: 'vpn',
      reason: 'Graph 503',
      retry: 2,
      notBefore: '2026-11-30T10:00:30.000Z',
    });
    expect(result.history.map(({ at: _a, ...h }) => h)).toEqual([
      {
        type: 'step.retry-scheduled',
        actor: 'system',
        details: { step: 'vpn', retry: 2, reason: 'Graph 503', notBefore: '2026-11-30T10:00:30.000Z' },
      },
    ]);
    expect(result.state.steps.vpn.detail).toBe('retry 2 after a transient fault: Graph 503');
    expect(result.commands).toEqual([
      expect.objectContaining({ type: 'run-step', step: 'vpn', retry: 2, notBefore: '2026-11-30T10:00:30.000Z' }),
    ]);
  });

  it('an undo retried after a transient fault, for a cancelled onboarding', () => {
    const from = cancelled(withSteps(ready(), { vpn: 'done' }));
    const result = decide(from, {
      type: 'step-retrying',
      at: later,
      step: 'vpn',
      reason: 'Graph 503',
      retry: 1,
      notBefore: later,
      command: 'revert-step',
    });
    expect(result.history.map((h) => [h.type, h.details])).toEqual([
      ['step.revert-retry-scheduled', { step: 'vpn', retry: 1, reason: 'Graph 503', notBefore: later }],
    ]);
    expect(result.commands).toEqual([expect.objectContaining({ type: 'revert-step', step: 'vpn', retry: 1 })]);
  });

  it('an undo that gave up: the step failed with the reason', () => {
    const from = cancelled(withSteps(ready(), { vpn: 'done' }));
    const result = decide(from, { type: 'step-revert-failed', at: later, step: 'vpn', message: 'Forbidden' });
    expect(result.history.map((h) => [h.type, h.actor, h.details])).toEqual([
      ['step.revert-failed', 'system', { step: 'vpn', message: 'Forbidden' }],
    ]);
    expect(result.state.steps.vpn).toMatchObject({ status: 'failed', detail: 'revert failed: Forbidden' });
  });

  it('a step that fails: the code and message, then needs-attention naming the failed steps', () => {
    const from = withSteps(ready(), { vpn: 'in-progress', officeLicense: 'failed', laptop: 'done' });
    expect(
      entries(from, { type: 'step-failed', at: later, step: 'vpn', code: 'Forbidden', message: 'no access' }),
    ).toEqual([
      { type: 'step.failed', actor: 'system', details: { step: 'vpn', code: 'Forbidden', message: 'no access' } },
      { type: 'onboarding.needs-attention', actor: 'system', details: { steps: ['vpn', 'officeLicense'] } },
    ]);
  });

  it('a step undone, with and without a note', () => {
    const from = cancelled(withSteps(ready(), { vpn: 'done', officeLicense: 'done' }));
    expect(entries(from, { type: 'step-reverted', at: later, step: 'vpn', note: 'kept: inherited' })).toEqual([
      { type: 'step.reverted', actor: 'system', details: { step: 'vpn', note: 'kept: inherited' } },
    ]);
    expect(entries(from, { type: 'step-reverted', at: later, step: 'officeLicense' })).toEqual([
      { type: 'step.reverted', actor: 'system', details: { step: 'officeLicense' } },
    ]);
    const reverted = decide(from, { type: 'step-reverted', at: later, step: 'vpn', note: 'kept: inherited' }).state;
    expect(reverted.steps.vpn).toMatchObject({ status: 'reverted', detail: 'kept: inherited' });
  });

  it('a retry asked for by a person: who, and which steps run again', () => {
    const from = {
      ...withSteps(ready(), { vpn: 'failed', officeLicense: 'failed', laptop: 'done' }),
      status: 'needs-attention' as const,
    };
    const result = decide(from, { type: 'retry-requested', at: later, by: approver });
    expect(result.history.map(({ at: _a, ...h }) => h)).toEqual([
      {
        type: 'onboarding.retry-requested',
        actor: approver.name,
        actorId: approver.id,
        details: { steps: ['vpn', 'officeLicense'] },
      },
    ]);
    expect(result.state.status).toBe('provisioning');
    expect(result.commands.map((c) => `${c.type}:${c.step}:${c.attempt}`)).toEqual([
      'run-step:vpn:2',
      'run-step:officeLicense:2',
    ]);
  });

  it('a cancellation, and a cancellation of what is already finished', () => {
    expect(entries(ready(), { type: 'hire-cancelled', eventId: 'ev-c', at: later })).toEqual([
      { type: 'onboarding.cancelled', actor: 'hr', details: { eventId: 'ev-c' } },
    ]);
    const rejected = decide(buildOnboarding(), { type: 'decided', at, by: approver, decision: 'reject' }).state;
    expect(entries(rejected, { type: 'hire-cancelled', eventId: 'ev-c2', at: later })).toEqual([
      {
        type: 'hire-cancel.ignored',
        actor: 'hr',
        details: { eventId: 'ev-c2', detail: 'onboarding is already rejected' },
      },
    ]);
    const twice = cancelled(ready());
    const again = decide(twice, { type: 'hire-cancelled', eventId: 'ev-other', at: later });
    expect(again.history.map((h) => h.details)).toEqual([
      { eventId: 'ev-other', detail: 'onboarding is already cancelled' },
    ]);
    // A second cancellation with a new event id does not run the undo again.
    expect(again.commands).toEqual([]);
    expect(again.state.steps).toEqual(twice.steps);
  });

  it('a start date changed, and one that is the same', () => {
    const o = ready();
    expect(entries(o, { type: 'start-date-changed', eventId: 'ev-d', at: later, startDate: '2027-02-01' })).toEqual([
      {
        type: 'start-date.changed',
        actor: 'hr',
        details: { eventId: 'ev-d', from: o.startDate, to: '2027-02-01' },
      },
    ]);
    const same = decide(o, {
      type: 'start-date-changed',
      eventId: 'ev-e',
      at: later,
      startDate: o.startDate,
    });
    expect(same.history.map((h) => [h.type, h.details])).toEqual([
      ['start-date.unchanged', { eventId: 'ev-e', startDate: o.startDate }],
    ]);
    expect(same.state.startDate).toBe(o.startDate);
  });

  it('an effect that landed after the cancellation: recorded as done, with a note, and undone', () => {
    const from = cancelled(withSteps(ready(), { vpn: 'in-progress' }));
    const result = decide(from, { type: 'step-succeeded', at: later, step: 'vpn', detail: 'member' });
    expect(result.history.map((h) => [h.type, h.details])).toEqual([
      ['step.done', { step: 'vpn', detail: 'member', note: 'after cancellation; reverting' }],
    ]);
    expect(result.state.steps.vpn.status).toBe('done');
    expect(result.commands).toEqual([
      expect.objectContaining({ type: 'revert-step', step: 'vpn', attempt: from.steps.vpn.attempt + 1 }),
    ]);
  });

  it('refusals say why', () => {
    const o = ready();
    expect(() => decide(o, { type: 'decided', at, by: approver, decision: 'approve' })).toThrow(
      `onboarding ${o.id} is provisioning, not awaiting approval`,
    );
    const own = buildOnboarding();
    expect(() =>
      decide(own, { type: 'decided', at, by: { name: own.userPrincipalName.toUpperCase() }, decision: 'approve' }),
    ).toThrow('an agent may not decide on their own onboarding');
    expect(() => decide(o, { type: 'retry-requested', at, by: approver })).toThrow(
      `onboarding ${o.id} is provisioning; only needs-attention can be retried`,
    );
  });
});

describe('decide: events that do not count in a state change nothing', () => {
  const fresh = () => buildOnboarding();
  const ready = () => approved();
  const rejected = () => decide(buildOnboarding(), { type: 'decided', at, by: approver, decision: 'reject' }).state;
  const completed = () => ({
    ...withSteps(ready(), { laptop: 'done', vpn: 'done', officeLicense: 'done' }),
    status: 'completed' as const,
  });
  const stepEvents = (step: StepName): OnboardingEvent[] => [
    { type: 'step-succeeded', at: later, step, serialNumber: 'PF-9' },
    { type: 'step-waiting', at: later, step, detail: 'no seat free' },
    { type: 'step-failed', at: later, step, code: 'Forbidden', message: 'no' },
    { type: 'step-retrying', at: later, step, reason: 'Graph 503', retry: 1, notBefore: later },
  ];

  it.each([
    ['awaiting approval', fresh],
    ['rejected', rejected],
    ['completed', completed],
  ])('when step progress arrives for an onboarding %s, then it is ignored', (_name, build) => {
    const from = build();
    for (const event of stepEvents('vpn')) {
      const result = decide(from, event);
      expect(result.changed).toBe(false);
      expect(result.state).toEqual(from);
      expect(result.commands).toEqual([]);
    }
  });

  it.each<[string, StepStatus]>([
    ['done', 'done'],
    ['failed', 'failed'],
    ['skipped', 'skipped'],
  ])('when step progress arrives for a step already %s, then it is ignored', (_name, status) => {
    const from = withSteps(ready(), { vpn: status });
    for (const event of stepEvents('vpn')) expect(decide(from, event).changed).toBe(false);
  });

  it('when a late outcome arrives for a cancelled onboarding, then it never turns it into needs-attention or re-queues a step', () => {
    const from = cancelled(withSteps(ready(), { vpn: 'done', officeLicense: 'waiting' }));
    for (const event of [...stepEvents('vpn'), ...stepEvents('officeLicense')].filter(
      (e) => e.type !== 'step-succeeded',
    )) {
      const result = decide(from, event);
      expect(result.state.status).toBe('cancelled');
      expect(result.commands).toEqual([]);
      expect(result.changed).toBe(false);
    }
  });

  it('when an undo event arrives for an onboarding that is not cancelled, then it is ignored', () => {
    const from = withSteps(ready(), { vpn: 'done' });
    for (const event of undoEvents('vpn')) expect(decide(from, event).changed).toBe(false);
  });

  it('when an undo event arrives for a step already undone, then it stays as it was; a skipped step stays skipped', () => {
    const from = cancelled(withSteps(ready(), { vpn: 'reverted' }));
    for (const event of undoEvents('vpn')) expect(decide(from, event).changed).toBe(false);
    // A step skipped while it waited had its place in line withdrawn (a reservation made meanwhile is given
    // back by its undo): the undo leaves it skipped, and an undo that gave up says so.
    const skipped = cancelled(withSteps(ready(), { laptop: 'waiting' }));
    expect(skipped.steps.laptop.status).toBe('skipped');
    expect(decide(skipped, { type: 'step-reverted', at: later, step: 'laptop' }).state.steps.laptop.status).toBe(
      'skipped',
    );
    expect(
      decide(skipped, { type: 'step-revert-failed', at: later, step: 'laptop', message: 'x' }).state.steps.laptop
        .status,
    ).toBe('failed');
  });

  it('when an onboarding is cancelled, then each step is undone by what it was', () => {
    const running = withSteps(ready(), { laptop: 'waiting', vpn: 'done', officeLicense: 'failed' });
    const result = decide(running, { type: 'hire-cancelled', eventId: 'c', at: later });
    expect(result.commands.map((c) => `${c.type}:${c.step}:${c.attempt}`)).toEqual([
      `revert-step:laptop:${running.steps.laptop.attempt + 1}`,
      `revert-step:vpn:${running.steps.vpn.attempt + 1}`,
      `revert-step:officeLicense:${running.steps.officeLicense.attempt + 1}`,
    ]);
    expect(result.state.steps.laptop.status).toBe('skipped');
    expect(result.state.steps.vpn.status).toBe('done');
    expect(result.state.steps.officeLicense.status).toBe('failed');
    // Before approval, nothing ran: pending steps are skipped, nothing to undo.
    const early = decide(buildOnboarding(), { type: 'hire-cancelled', eventId: 'c', at: later });
    expect(early.commands).toEqual([]);
    expect(Object.values(early.state.steps).map((s) => s.status)).toEqual([
      'skipped',
      'skipped',
      'skipped',
      'skipped',
      'skipped',
    ]);
    // A pending step of a running onboarding may be in flight: undone all the same.
    const pending = decide(withSteps(ready(), { vpn: 'pending', laptop: 'reverted', officeLicense: 'in-progress' }), {
      type: 'hire-cancelled',
      eventId: 'c',
      at: later,
    });
    expect(pending.commands.map((c) => `${c.type}:${c.step}`)).toEqual([
      'revert-step:vpn',
      'revert-step:officeLicense',
    ]);
  });

  it('when a needs-attention onboarding has another step fail, then it is not flagged twice', () => {
    const flagged = decide(withSteps(ready(), { vpn: 'in-progress', officeLicense: 'in-progress' }), {
      type: 'step-failed',
      at,
      step: 'vpn',
      code: 'X',
      message: 'x',
    }).state;
    expect(flagged.status).toBe('needs-attention');
    const second = decide(flagged, { type: 'step-failed', at: later, step: 'officeLicense', code: 'Y', message: 'y' });
    expect(second.history.map((h) => h.type)).toEqual(['step.failed']);
  });

  it('four-eyes: the object ids decide when both are known; the upn in any case decides when one is not', () => {
    const agent = buildOnboarding();
    const colleague = { name: 'chef.dsi@example.org', id: 'aaaaaaaa-0000-4000-8000-000000000001' };
    // Known agent id, another approver id: accepted, the id kept.
    const ok = decide(agent, {
      type: 'decided',
      at,
      by: colleague,
      decision: 'approve',
      agentObjectId: 'bbbbbbbb-0000-4000-8000-000000000002',
    });
    expect(ok.state.agentObjectId).toBe('bbbbbbbb-0000-4000-8000-000000000002');
    // An approver without an object id against a known agent id: the upn decides (another person here).
    expect(
      decide(
        { ...agent, agentObjectId: colleague.id },
        { type: 'decided', at, by: { name: 'x@example.org' }, decision: 'approve' },
      ).changed,
    ).toBe(true);
    // The agent's id unknown: the approver's id alone proves nothing; the upn decides.
    expect(decide(agent, { type: 'decided', at, by: colleague, decision: 'approve' }).state).not.toHaveProperty(
      'agentObjectId',
    );
    expect(() =>
      decide(agent, {
        type: 'decided',
        at,
        by: { name: agent.userPrincipalName, id: colleague.id },
        decision: 'reject',
      }),
    ).toThrow(expect.objectContaining({ code: ErrorCodes.selfApproval }) as Error);
  });
});

describe('decide: from which statuses each outcome counts', () => {
  const ready = () => approved();
  const withDetail = (o: Onboarding, step: StepName, status: StepStatus, detail: string) => {
    const copy = withSteps(o, { [step]: status });
    copy.steps[step].detail = detail;
    return copy;
  };

  it('a step waits from pending, in progress or waiting (another detail), even when its last detail had the same words', () => {
    for (const status of ['pending', 'in-progress'] as const) {
      const from = withDetail(ready(), 'officeLicense', status, 'no seat free');
      const result = decide(from, { type: 'step-waiting', at: later, step: 'officeLicense', detail: 'no seat free' });
      expect(result.state.steps.officeLicense.status).toBe('waiting');
    }
  });

  it('a step fails from pending, in progress or waiting', () => {
    for (const status of ['pending', 'in-progress', 'waiting'] as const) {
      const result = decide(withSteps(ready(), { vpn: status }), {
        type: 'step-failed',
        at: later,
        step: 'vpn',
        code: 'Forbidden',
        message: 'no',
      });
      expect(result.state.steps.vpn.status).toBe('failed');
    }
  });

  it('a step succeeds from waiting (a laptop served from the line)', () => {
    const result = decide(ready(), { type: 'step-succeeded', at: later, step: 'laptop', serialNumber: 'PF-7' });
    expect(result.state.steps.laptop).toMatchObject({ status: 'done', serialNumber: 'PF-7' });
  });

  it('a retry is scheduled from waiting too, and its start is logged when the step was pending', () => {
    const waiting = decide(ready(), {
      type: 'step-retrying',
      at: later,
      step: 'laptop',
      reason: 'r',
      retry: 1,
      notBefore: later,
    });
    expect(waiting.commands.map((c) => `${c.type}:${c.step}`)).toEqual(['run-step:laptop']);
    const pending = decide(ready(), {
      type: 'step-retrying',
      at: later,
      startedAt: at,
      step: 'vpn',
      reason: 'r',
      retry: 1,
      notBefore: later,
    });
    expect(pending.history.map((h) => h.type)).toEqual(['step.started', 'step.retry-scheduled']);
  });

  it('a start is logged only for a step that was pending', () => {
    const result = decide(withSteps(ready(), { vpn: 'in-progress' }), {
      type: 'step-succeeded',
      at: later,
      step: 'vpn',
      startedAt: at,
    });
    expect(result.history.map((h) => h.type)).toEqual(['step.done']);
  });

  it('an undo is retried, or gives up, for a step in progress or failed when the onboarding was cancelled', () => {
    for (const status of ['in-progress', 'failed'] as const) {
      const from = cancelled(withSteps(ready(), { vpn: status }));
      const retried = decide(from, {
        type: 'step-retrying',
        at: later,
        step: 'vpn',
        reason: 'r',
        retry: 1,
        notBefore: later,
        command: 'revert-step',
      });
      expect(retried.commands.map((c) => c.type)).toEqual(['revert-step']);
      expect(decide(from, { type: 'step-revert-failed', at: later, step: 'vpn', message: 'x' }).changed).toBe(true);
    }
  });

  it('an undo is recorded for a step that was in progress or failed when the onboarding was cancelled', () => {
    for (const status of ['in-progress', 'failed'] as const) {
      const from = cancelled(withSteps(ready(), { vpn: status }));
      expect(decide(from, { type: 'step-reverted', at: later, step: 'vpn' }).state.steps.vpn.status).toBe('reverted');
    }
  });

  it('an effect that lands after the cancellation of a step skipped meanwhile is recorded and undone', () => {
    const from = cancelled(withSteps(ready(), { officeLicense: 'waiting' }));
    expect(from.steps.officeLicense.status).toBe('skipped');
    const result = decide(from, { type: 'step-succeeded', at: later, step: 'officeLicense' });
    expect(result.commands.map((c) => `${c.type}:${c.step}`)).toEqual(['revert-step:officeLicense']);
  });

  it('a cancelled step that was provisioned gets a new run number for its undo', () => {
    const from = withSteps(ready(), { vpn: 'done' });
    const result = decide(from, { type: 'hire-cancelled', eventId: 'c', at: later });
    expect(result.state.steps.vpn.attempt).toBe(from.steps.vpn.attempt + 1);
    expect(result.commands.find((c) => c.step === 'vpn')).toMatchObject({ attempt: from.steps.vpn.attempt + 1 });
  });

  it('a cancellation of an onboarding that needs attention undoes its pending steps (they may be in flight)', () => {
    const from = {
      ...withSteps(ready(), { vpn: 'failed', officeLicense: 'pending', laptop: 'done' }),
      status: 'needs-attention' as const,
    };
    const result = decide(from, { type: 'hire-cancelled', eventId: 'c', at: later });
    expect(result.commands.map((c) => `${c.type}:${c.step}`)).toEqual([
      'revert-step:laptop',
      'revert-step:vpn',
      'revert-step:officeLicense',
    ]);
  });

  it('a laptop retried after a failure runs again (it may still hold its laptop); only its first run takes a place in line', () => {
    const approvedOne = ready();
    expect(approvedOne.steps.laptop).toMatchObject({ status: 'waiting', detail: 'in line for a laptop', attempt: 1 });
    const from = {
      ...withSteps(approvedOne, { laptop: 'failed', vpn: 'done', officeLicense: 'done' }),
      status: 'needs-attention' as const,
    };
    const result = decide(from, { type: 'retry-requested', at: later, by: approver });
    expect(result.commands.map((c) => `${c.type}:${c.step}:${c.attempt}`)).toEqual(['run-step:laptop:2']);
    expect(result.state.steps.laptop.status).toBe('pending');
  });

  it('an event already applied answers no commands and no history', () => {
    const once = decide(ready(), { type: 'hire-cancelled', eventId: 'ev-1', at });
    const twice = decide(once.state, { type: 'hire-cancelled', eventId: 'ev-1', at: later });
    expect(twice).toEqual({ state: once.state, commands: [], history: [], changed: false });
  });

  it('four-eyes: an approver without an object id decides an agent whose object id is not known (by the upn)', () => {
    const result = decide(buildOnboarding(), {
      type: 'decided',
      at,
      by: { name: 'x@example.org' },
      decision: 'approve',
    });
    expect(result.state.status).toBe('provisioning');
  });

  it('a refusal is a DomainError by name', () => {
    expect(() => decide(ready(), { type: 'retry-requested', at, by: approver })).toThrow(
      expect.objectContaining({ name: 'DomainError' }) as Error,
    );
  });
});
