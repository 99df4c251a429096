import { decide, openOnboarding, type Intake, type OnboardingEvent } from '../../shared/domain/decide';
import type { Onboarding } from '../../shared/schemas/onboarding';
import { APPROVER, DECIDED_AT, approvedOnboarding, buildOnboarding } from '../support/factories';

// Movers (contract: "Movers"): planned until their effective day, then department and site change, the team of
// the former department is left for the new one's, one history entry with the old and new values; and what a
// move never touches (an onboarding over, access already removed).

const at = DECIDED_AT;
const T1 = '2027-01-04T07:00:00.000Z';
const LYCEES = 'Direction des lycées';
const FINANCES = 'Direction des finances';

const apply = (o: Onboarding, ...events: OnboardingEvent[]) => events.reduce((state, e) => decide(state, e).state, o);
const moved = (over: Partial<Extract<OnboardingEvent, { type: 'moved' }>> = {}): OnboardingEvent => ({
  type: 'moved',
  eventId: 'move-1',
  at: T1,
  department: FINANCES,
  site: 'Tours',
  effectiveDate: '2027-01-04',
  due: true,
  ...over,
});

/** An agent with a licence and a team (Teams needed in their department), every step done: completed. */
function inTeam(): Onboarding {
  const intake: Intake = {
    kind: 'equipment',
    employeeId: 'A0042',
    userPrincipalName: 'agent0042@example.org',
    displayName: 'Agent 0042',
    department: LYCEES,
    site: 'Orléans',
    priority: 'standard',
    startDate: '2026-12-03',
    managerUpn: null,
    needs: { laptop: false, vpn: false, officeLicense: true, teams: true, accessories: [] },
    replaces: null,
  };
  const o = openOnboarding({ id: 'A0042.1', sequence: 1 }, { eventId: 'codir/1', at, intake }).state;
  return apply(
    o,
    { type: 'decided', at, by: APPROVER, decision: 'approve' },
    { type: 'step-succeeded', at, step: 'officeLicense' },
    { type: 'step-succeeded', at, step: 'teams', groupId: 'team-lycees', membershipId: 'm-1' },
  );
}

describe('a move not yet effective', () => {
  it('when its day has not come, then it is planned (department, site, day) and nothing else changes; the event is recorded only when it applies', () => {
    const o = inTeam();
    const { state, history, commands } = decide(o, moved({ due: false }));
    expect(state.plannedMove).toEqual({
      eventId: 'move-1',
      department: FINANCES,
      site: 'Tours',
      effectiveDate: '2027-01-04',
    });
    expect(history.map((h) => [h.type, h.actor, h.details])).toEqual([
      ['move.planned', 'hr', { eventId: 'move-1', department: FINANCES, site: 'Tours', effectiveDate: '2027-01-04' }],
    ]);
    expect(commands).toEqual([]);
    expect([state.department, state.site]).toEqual([LYCEES, 'Orléans']);
    expect(state.eventIds).not.toContain('move-1');
    // The same plan again (a redelivery before the day) writes nothing; another plan replaces it.
    expect(decide(state, moved({ due: false })).changed).toBe(false);
    const other = decide(state, moved({ due: false, eventId: 'move-2', site: undefined }));
    expect(other.state.plannedMove).toEqual({ eventId: 'move-2', department: FINANCES, effectiveDate: '2027-01-04' });
  });

  it('when its day comes, then it applies and the plan is gone', () => {
    const planned = decide(inTeam(), moved({ due: false })).state;
    const { state } = decide(planned, moved());
    expect(state).not.toHaveProperty('plannedMove');
    expect([state.department, state.site]).toEqual([FINANCES, 'Tours']);
    expect(state.eventIds).toContain('move-1');
  });

  it('when another move applies first, then the plan of the later one stays', () => {
    const planned = decide(inTeam(), moved({ due: false, eventId: 'move-later', effectiveDate: '2027-02-01' })).state;
    const { state } = decide(planned, moved({ eventId: 'move-now', department: undefined }));
    expect(state.plannedMove?.eventId).toBe('move-later');
  });
});

describe('a move on its day', () => {
  it('when an agent in a team moves department, then the team of the former one is left for the new one: the step runs again, the onboarding provisioning until it is done', () => {
    const o = inTeam();
    const { state, history, commands } = decide(o, moved());
    expect([state.department, state.site]).toEqual([FINANCES, 'Tours']);
    expect(history.map((h) => [h.type, h.actor, h.details])).toEqual([
      [
        'onboarding.moved',
        'hr',
        {
          eventId: 'move-1',
          from: { department: LYCEES, site: 'Orléans' },
          to: { department: FINANCES, site: 'Tours' },
          effectiveDate: '2027-01-04',
        },
      ],
    ]);
    expect(state.steps.teams).toMatchObject({ status: 'pending', attempt: 2, previousGroupId: 'team-lycees' });
    expect(commands.map((c) => `${c.type}:${c.step}:${c.attempt}`)).toEqual(['run-step:teams:2']);
    expect(state.status).toBe('provisioning');
    // Joined anew: the former team is forgotten, the onboarding complete again.
    const joined = decide(state, {
      type: 'step-succeeded',
      at: T1,
      step: 'teams',
      groupId: 'team-fin',
      membershipId: 'm-2',
    });
    expect(joined.state.steps.teams).toEqual(
      expect.not.objectContaining({ previousGroupId: expect.anything() as unknown }),
    );
    expect(joined.state.steps.teams).toMatchObject({ groupId: 'team-fin', membershipId: 'm-2' });
    expect(joined.state.status).toBe('completed');
  });

  it('when only the site changes, then the site is the new one, the department and its team unchanged', () => {
    const { state, commands, history } = decide(inTeam(), moved({ department: undefined }));
    expect([state.department, state.site]).toEqual([LYCEES, 'Tours']);
    expect(commands).toEqual([]);
    expect(state.steps.teams.status).toBe('done');
    expect(state.status).toBe('completed');
    expect(history[0]?.details).toMatchObject({ to: { department: LYCEES, site: 'Tours' } });
  });

  it('when only the department changes, then the site stays', () => {
    const { state } = decide(inTeam(), moved({ site: undefined }));
    expect([state.department, state.site]).toEqual([FINANCES, 'Orléans']);
  });

  it('when the move changes nothing (same department and site), then it is recorded, and nothing runs again', () => {
    const { state, commands, history } = decide(inTeam(), moved({ department: LYCEES, site: 'Orléans' }));
    expect(history.map((h) => h.type)).toEqual(['onboarding.moved']);
    expect(commands).toEqual([]);
    expect(state.steps.teams.status).toBe('done');
    expect(state.eventIds).toContain('move-1');
  });

  it('when the Teams step is not done (not needed, or still to run), then a change of department runs nothing', () => {
    const noTeam = approvedOnboarding();
    const a = decide(noTeam, moved());
    expect(a.state.department).toBe(FINANCES);
    expect(a.commands).toEqual([]);
    expect(a.state.steps.teams.status).toBe('skipped');
    expect(a.state.status).toBe('provisioning');
  });

  it('when a move applies to an onboarding awaiting approval, then it is moved all the same (its steps run in the new department later)', () => {
    const { state } = decide(buildOnboarding(), moved());
    expect([state.status, state.department]).toEqual(['awaiting-approval', FINANCES]);
  });

  it('when the agent is leaving and their access was removed, then the department changes but no team is joined again', () => {
    const gone = apply(
      inTeam(),
      { type: 'left', eventId: 'l', at: T1, lastDay: '2027-03-12', dueAt: '2027-03-12T23:00:00.000Z' },
      { type: 'departure-due', at: '2027-03-13T00:00:01.000Z', lastDay: '2027-03-12' },
    );
    const { state, commands } = decide(gone, moved());
    expect(state.department).toBe(FINANCES);
    expect(commands).toEqual([]);
    expect(state.status).toBe('leaving');
  });

  it.each(['rejected', 'cancelled', 'left'] as const)(
    'when the onboarding is %s, then the move is recorded and ignored',
    (status) => {
      const o = { ...inTeam(), status };
      const { state, history, commands } = decide(o, moved());
      expect(history.map((h) => [h.type, h.actor, h.details])).toEqual([
        ['move.ignored', 'hr', { eventId: 'move-1', detail: `onboarding is ${status}` }],
      ]);
      expect([state.department, state.site]).toEqual([LYCEES, 'Orléans']);
      expect(state.eventIds).toContain('move-1');
      expect(commands).toEqual([]);
      // Not planned either, when its day has not come.
      expect(decide(o, moved({ due: false })).state).not.toHaveProperty('plannedMove');
    },
  );
});
