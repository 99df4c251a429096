import { decide, openOnboarding, type Intake, type OnboardingEvent } from '../../shared/domain/decide';
import type { Onboarding, StepName, StepStatus } from '../../shared/schemas/onboarding';
import { APPROVER, DECIDED_AT, approvedOnboarding, buildOnboarding, person } from '../support/factories';

// Agents in post and what every onboarding may now need (contract: "Everyone, not only hires"): equipment
// requests opened by the person who imported the CODIR's list, what the agent holds already, an account that
// must exist, Teams after the licence, a step that has nothing to do, what the agent kept at a cancellation,
// and the record of a Temporary Access Pass.

const T0 = '2026-12-01T08:00:00.000Z';
const at = DECIDED_AT;
const IMPORTER = person('pca.codir@example.org');
const MANAGER_ID = '33333333-3333-4333-8333-333333333333';

const apply = (o: Onboarding, ...events: OnboardingEvent[]) => events.reduce((state, e) => decide(state, e).state, o);
const statuses = (o: Onboarding): Record<StepName, StepStatus> => ({
  laptop: o.steps.laptop.status,
  vpn: o.steps.vpn.status,
  officeLicense: o.steps.officeLicense.status,
  teams: o.steps.teams.status,
  accessories: o.steps.accessories.status,
});

function equipment(overrides: Partial<Intake> = {}): Intake {
  return {
    kind: 'equipment',
    employeeId: 'A0042',
    userPrincipalName: 'agent0042@example.org',
    displayName: 'Agent 0042',
    department: 'Direction des lycées',
    site: 'Orléans',
    priority: 'continuity',
    startDate: '2026-12-03',
    managerUpn: 'chef.lycees@example.org',
    needs: { laptop: true, vpn: true, officeLicense: true, teams: true, accessories: [] },
    replaces: null,
    ...overrides,
  };
}
const open = (intake: Intake = equipment(), eventId = 'codir/A0042/1') =>
  openOnboarding({ id: `${intake.employeeId}.1`, sequence: 1 }, { eventId, at: T0, intake });
const approve = (o: Onboarding, extra: Partial<Extract<OnboardingEvent, { type: 'decided' }>> = {}) =>
  decide(o, { type: 'decided', at, by: APPROVER, decision: 'approve', ...extra });

describe('an equipment request for an agent in post', () => {
  it('when the CODIR list opens it, then it is an equipment onboarding awaiting approval, created by the person who imported the list, with what it replaces and why', () => {
    const { state, history, commands, changed } = open(
      equipment({
        replaces: { serialNumber: 'DESKTOP-0713' },
        reason: 'continuity',
        requestedBy: IMPORTER,
        managerObjectId: MANAGER_ID,
      }),
    );
    expect(changed).toBe(true);
    expect(commands).toEqual([]);
    expect(state).toMatchObject({
      id: 'A0042.1',
      kind: 'equipment',
      status: 'awaiting-approval',
      employeeId: 'A0042',
      startDate: '2026-12-03',
      priority: 'continuity',
      managerUpn: 'chef.lycees@example.org',
      managerObjectId: MANAGER_ID,
      replaces: { serialNumber: 'DESKTOP-0713' },
      reason: 'continuity',
      eventIds: ['codir/A0042/1'],
    });
    expect(statuses(state)).toEqual({
      laptop: 'pending',
      vpn: 'pending',
      officeLicense: 'pending',
      teams: 'pending',
      accessories: 'skipped',
    });
    expect(history).toEqual([
      {
        at: T0,
        type: 'onboarding.created',
        actor: IMPORTER.name,
        actorId: IMPORTER.id,
        details: {
          eventId: 'codir/A0042/1',
          kind: 'equipment',
          startDate: '2026-12-03',
          priority: 'continuity',
          needs: { laptop: true, vpn: true, officeLicense: true, teams: true, accessories: [] },
          replaces: 'DESKTOP-0713',
          reason: 'continuity',
        },
      },
    ]);
  });

  it('when HR sends it without a requester, reason or device to hand back, then hr created it and none of them is recorded', () => {
    const { state, history } = open();
    expect(history[0]).toEqual({
      at: T0,
      type: 'onboarding.created',
      actor: 'hr',
      details: {
        eventId: 'codir/A0042/1',
        kind: 'equipment',
        startDate: '2026-12-03',
        priority: 'continuity',
        needs: { laptop: true, vpn: true, officeLicense: true, teams: true, accessories: [] },
      },
    });
    expect(state.replaces).toBeNull();
    expect(state).not.toHaveProperty('reason');
    expect(state).not.toHaveProperty('managerObjectId');
  });

  it('when the agent already holds a laptop, then the laptop step is skipped with that serial, and the creation says so', () => {
    const held = { laptop: 'the agent already holds laptop PC-A0042' };
    const { state, history } = open(equipment({ alreadyHeld: held }));
    expect(state.steps.laptop).toEqual({ status: 'skipped', updatedAt: T0, attempt: 0, detail: held.laptop });
    expect(history[0]?.details).toMatchObject({ alreadyHeld: held });
    // Approved, it takes no place in line: nothing to give.
    expect(approve(state).commands.map((c) => c.step)).toEqual(['vpn', 'officeLicense']);
  });

  it('when accessories are asked for, then the accessories step is needed and runs at approval like the access steps', () => {
    const { state } = open(equipment({ needs: { ...equipment().needs, accessories: ['headset'] } }));
    expect(state.steps.accessories).toEqual({ status: 'pending', updatedAt: T0, attempt: 0 });
    expect(approve(state).commands.map((c) => `${c.type}:${c.step}`)).toContain('run-step:accessories');
  });

  it('when it is approved and the directory has no such account, then every step needed fails with UserNotFound at once: needs attention, no laptop held, nothing run', () => {
    const opened = open(equipment({ needs: { ...equipment().needs, teams: false } })).state;
    const { state, commands, history } = approve(opened, { accountMissing: true });
    expect(state.status).toBe('needs-attention');
    expect(commands).toEqual([]);
    expect(state.outbox).toEqual([]);
    expect(statuses(state)).toEqual({
      laptop: 'failed',
      vpn: 'failed',
      officeLicense: 'failed',
      teams: 'skipped',
      accessories: 'skipped',
    });
    const message =
      "no account agent0042@example.org in the directory: an agent in post's account must exist (a mistyped upn?)";
    expect(state.steps.vpn.detail).toBe(`UserNotFound: ${message}`);
    expect(history.map((h) => [h.type, h.actor, h.details])).toEqual([
      ['onboarding.approved', APPROVER.name, {}],
      ['step.failed', 'system', { step: 'laptop', code: 'UserNotFound', message }],
      ['step.failed', 'system', { step: 'vpn', code: 'UserNotFound', message }],
      ['step.failed', 'system', { step: 'officeLicense', code: 'UserNotFound', message }],
      ['onboarding.needs-attention', 'system', { steps: ['laptop', 'vpn', 'officeLicense'] }],
    ]);
  });

  it("when a hire's account is not in the directory yet, then it is provisioned as usual (HR's provisioning creates it), the laptop step looking for the account before it takes a place in line", () => {
    const { state, commands } = approve(buildOnboarding(), { accountMissing: true });
    expect(state.status).toBe('provisioning');
    expect(commands.map((c) => `${c.type}:${c.step}`)).toEqual([
      'run-step:laptop',
      'run-step:vpn',
      'run-step:officeLicense',
    ]);
  });

  it('when the request is withdrawn, then what the agent had before it is kept (skipped, not reverted); what the request gave is undone', () => {
    const o = apply(
      approve(open().state).state,
      { type: 'step-succeeded', at, step: 'vpn', preExisting: true, detail: 'already a member' },
      { type: 'step-succeeded', at, step: 'officeLicense' },
    );
    expect(o.steps.vpn).toMatchObject({ status: 'done', preExisting: true, detail: 'already a member' });
    const { state, commands } = decide(o, { type: 'hire-cancelled', eventId: 'withdrawn', at });
    expect(state.steps.vpn).toMatchObject({ status: 'skipped', detail: 'kept: the agent had it before the request' });
    expect(commands.map((c) => `${c.type}:${c.step}`)).toEqual([
      'revert-step:laptop',
      'revert-step:officeLicense',
      'revert-step:teams',
    ]);
  });
});

describe('Teams, after the licence', () => {
  const opened = () =>
    open(equipment({ needs: { laptop: false, vpn: false, officeLicense: true, teams: true, accessories: [] } })).state;

  it('when approved, then Teams waits, pending, for the licence: only the licence runs', () => {
    const { state, commands } = approve(opened());
    expect(state.steps.teams.status).toBe('pending');
    expect(commands.map((c) => `${c.type}:${c.step}:${c.attempt}`)).toEqual(['run-step:officeLicense:1']);
  });

  it('when the licence is done, then Teams runs; its team and membership are kept when it is done, and the onboarding completes', () => {
    const approved = approve(opened()).state;
    const licensed = decide(approved, { type: 'step-succeeded', at, step: 'officeLicense' });
    expect(licensed.commands.map((c) => `${c.type}:${c.step}:${c.attempt}`)).toEqual(['run-step:teams:1']);
    expect(licensed.state.status).toBe('provisioning');
    const joined = decide(licensed.state, {
      type: 'step-succeeded',
      at,
      step: 'teams',
      groupId: 'team-lycees',
      membershipId: 'm-1',
    });
    expect(joined.state.steps.teams).toMatchObject({ status: 'done', groupId: 'team-lycees', membershipId: 'm-1' });
    expect(joined.state.status).toBe('completed');
  });

  it('when the licence has nothing to do (skipped), then Teams runs too; when it waits or fails, Teams does not', () => {
    const approved = approve(opened()).state;
    const skipped = decide(approved, { type: 'step-skipped', at, step: 'officeLicense', detail: 'inherited' });
    expect(skipped.commands.map((c) => `${c.type}:${c.step}`)).toEqual(['run-step:teams']);
    const waiting = decide(approved, { type: 'step-waiting', at, step: 'officeLicense', detail: 'no seat free' });
    expect(waiting.commands).toEqual([]);
    const failed = decide(approved, { type: 'step-failed', at, step: 'officeLicense', code: 'X', message: 'x' });
    expect(failed.commands).toEqual([]);
    expect(failed.state.steps.teams.status).toBe('pending');
  });
});

describe('a step with nothing to do for this agent', () => {
  const withTeamStep = () =>
    apply(
      approve(
        open(equipment({ needs: { laptop: false, vpn: false, officeLicense: true, teams: true, accessories: [] } }))
          .state,
      ).state,
      { type: 'step-succeeded', at, step: 'officeLicense' },
    );

  it('when the department has no team, then the step is skipped with why, its start written with it, and the onboarding completes', () => {
    const from = withTeamStep();
    const { state, history } = decide(from, {
      type: 'step-skipped',
      at: T0,
      step: 'teams',
      detail: 'no team for Direction des lycées',
      startedAt: at,
    });
    expect(state.steps.teams).toEqual({
      status: 'skipped',
      detail: 'no team for Direction des lycées',
      updatedAt: T0,
      attempt: 1,
    });
    expect(history.map((h) => [h.type, h.details])).toEqual([
      ['step.started', { step: 'teams', attempt: 1, startedAt: at }],
      ['step.skipped', { step: 'teams', detail: 'no team for Direction des lycées' }],
      ['onboarding.completed', {}],
    ]);
    expect(state.status).toBe('completed');
  });

  it('when a team membership was recorded on the step before, then a skip leaves none of it', () => {
    const from = withTeamStep();
    from.steps.teams = {
      ...from.steps.teams,
      status: 'in-progress',
      groupId: 'g',
      membershipId: 'm',
      previousGroupId: 'p',
    };
    const { state } = decide(from, { type: 'step-skipped', at: T0, step: 'teams', detail: 'none' });
    expect(state.steps.teams).toEqual({ status: 'skipped', detail: 'none', updatedAt: T0, attempt: 1 });
  });

  it('when the step is no longer running (done, failed) or the onboarding is not provisioning, then a skip is ignored', () => {
    const done = apply(withTeamStep(), { type: 'step-succeeded', at, step: 'teams' });
    expect(decide(done, { type: 'step-skipped', at: T0, step: 'teams', detail: 'x' }).changed).toBe(false);
    const failed = apply(withTeamStep(), { type: 'step-failed', at, step: 'teams', code: 'X', message: 'x' });
    expect(decide(failed, { type: 'step-skipped', at: T0, step: 'teams', detail: 'x' }).changed).toBe(false);
    const awaiting = open().state;
    expect(decide(awaiting, { type: 'step-skipped', at: T0, step: 'vpn', detail: 'x' }).changed).toBe(false);
  });

  it('when a waiting step is skipped, then it counts: the onboarding may complete', () => {
    const from = apply(withTeamStep(), { type: 'step-waiting', at, step: 'teams', detail: 'directory not ready' });
    expect(decide(from, { type: 'step-skipped', at: T0, step: 'teams', detail: 'x' }).state.status).toBe('completed');
  });
});

describe('a Temporary Access Pass issued', () => {
  it('when a person issues one, then one history entry by them with its validity, and nothing else changes', () => {
    const o = approvedOnboarding();
    const { state, history, commands, changed } = decide(o, {
      type: 'access-pass-issued',
      at: T0,
      by: APPROVER,
      startDateTime: '2026-12-07T06:00:00.000Z',
      lifetimeInMinutes: 480,
      isUsableOnce: true,
    });
    expect(changed).toBe(true);
    expect(commands).toEqual([]);
    expect(history).toEqual([
      {
        at: T0,
        type: 'onboarding.access-pass-issued',
        actor: APPROVER.name,
        actorId: APPROVER.id,
        details: { startDateTime: '2026-12-07T06:00:00.000Z', lifetimeInMinutes: 480, isUsableOnce: true },
      },
    ]);
    expect({ ...state, history: o.history, updatedAt: o.updatedAt }).toEqual(o);
  });
});
