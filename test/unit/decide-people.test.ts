import { decide, type OnboardingEvent } from '../../shared/domain/decide';
import { DomainError, ErrorCodes } from '../../shared/domain/errors';
import { HISTORY_TYPES } from '../../shared/domain/history-types';
import { waitingOnOf } from '../../shared/domain/waiting-on';
import type { Onboarding } from '../../shared/schemas/onboarding';
import { APPROVER, DECIDED_AT, approvedOnboarding, buildOnboarding, person } from '../support/factories';

// What a person can do about an onboarding the service cannot finish alone (issue 19): an account the directory
// does not have is said at once and holds no laptop, a person corrects the upn, and a decision made by mistake
// is undone within its window, as a new history entry.

const at = DECIDED_AT;
const minutesAfter = (n: number) => new Date(Date.parse(at) + n * 60_000).toISOString();
const types = (o: { history: { type: string }[] }) => o.history.map((e) => e.type);

function refused(o: Onboarding, event: OnboardingEvent): string {
  try {
    decide(o, event);
  } catch (err) {
    if (err instanceof DomainError) return err.code;
    throw err;
  }
  throw new Error('decide accepted it');
}

/** A step's run found no account: the retry the worker records (waiting on the account). */
const noAccount = (step: 'laptop' | 'vpn' | 'officeLicense', retry = 1): OnboardingEvent => ({
  type: 'step-retrying',
  at: minutesAfter(retry),
  step,
  reason: 'no account x@exemple.org in the directory',
  retry,
  notBefore: minutesAfter(retry + 1),
  waitingOn: 'account',
});

describe('an account the directory does not have', () => {
  it('when a hire is approved while its account is unknown, then its laptop looks for the account first and takes no place in line', () => {
    const o = buildOnboarding();
    const { state, commands } = decide(o, {
      type: 'decided',
      at,
      by: APPROVER,
      decision: 'approve',
      accountMissing: true,
    });
    expect(state.steps.laptop.status).toBe('pending');
    expect(commands.map((c) => `${c.type}:${c.step}`)).toEqual([
      'run-step:laptop',
      'run-step:vpn',
      'run-step:officeLicense',
    ]);
  });

  it('when a hire is approved with its account found, then its laptop goes in line at once', () => {
    const { commands } = decide(buildOnboarding(), { type: 'decided', at, by: APPROVER, decision: 'approve' });
    expect(commands.map((c) => `${c.type}:${c.step}`)).toContain('request-laptop:laptop');
  });

  it('when a run finds no account, then the step waits on the account from the first look, said once, and looks again later', () => {
    const first = decide(approvedOnboarding(), noAccount('vpn'));
    const vpn = first.state.steps.vpn;
    expect(vpn).toMatchObject({ status: 'waiting', waitingOn: 'account' });
    expect(vpn.detail).toContain('no account');
    expect(types(first)).toEqual(['step.waiting', 'step.retry-scheduled']);
    expect(first.commands).toEqual([expect.objectContaining({ type: 'run-step', step: 'vpn', retry: 1 })]);
    expect(waitingOnOf('vpn', vpn)).toBe('account');

    const second = decide(first.state, noAccount('vpn', 2));
    expect(types(second)).toEqual(['step.retry-scheduled']);
    expect(second.state.steps.vpn.waitingOn).toBe('account');
  });

  it('when the account appears, then the step no longer waits on it', () => {
    const waiting = decide(approvedOnboarding(), noAccount('vpn')).state;
    const done = decide(waiting, { type: 'step-succeeded', at: minutesAfter(3), step: 'vpn' }).state;
    expect(done.steps.vpn.status).toBe('done');
    expect(done.steps.vpn.waitingOn).toBeUndefined();
    expect(waitingOnOf('vpn', done.steps.vpn)).toBeNull();
  });

  it('when any other transient fault is retried, then the step does not claim to wait on an account', () => {
    const { state } = decide(approvedOnboarding(), {
      type: 'step-retrying',
      at: minutesAfter(1),
      step: 'vpn',
      reason: 'Graph answered 503',
      retry: 1,
      notBefore: minutesAfter(2),
    });
    expect(state.steps.vpn.status).toBe('pending');
    expect(state.steps.vpn.waitingOn).toBeUndefined();
  });
});

describe('waitingOn as the API says it', () => {
  it('when a step waits, then it says what for: the laptop in line, a seat, its day (lead times)', () => {
    const o = approvedOnboarding();
    expect(waitingOnOf('laptop', o.steps.laptop)).toBe('laptop');
    expect(waitingOnOf('officeLicense', { status: 'waiting' })).toBe('seat');
    expect(waitingOnOf('accessories', { status: 'waiting' })).toBe('accessory');
    expect(waitingOnOf('vpn', { status: 'pending', notBefore: '2026-12-05T00:00:00.000Z' })).toBe('day');
    expect(waitingOnOf('vpn', { status: 'pending' })).toBeNull();
    expect(waitingOnOf('vpn', { status: 'done' })).toBeNull();
  });
});

describe('a person corrects the upn', () => {
  const corrected = (userPrincipalName = 'camille.martin@example.org'): OnboardingEvent => ({
    type: 'upn-corrected',
    at: minutesAfter(10),
    by: APPROVER,
    userPrincipalName,
  });

  it('when steps wait on the account, then the upn changes, one entry keeps the old and new, and each of those steps runs again (the laptop looks first)', () => {
    let o = approvedOnboarding(buildOnboarding({ employee: { userPrincipalName: 'camille.martin@exemple.org' } }));
    o = decide(o, noAccount('vpn')).state;
    o = decide(o, noAccount('officeLicense')).state;
    const { state, commands, history } = decide(o, corrected());
    expect(state.userPrincipalName).toBe('camille.martin@example.org');
    expect(history).toEqual([
      expect.objectContaining({
        type: 'onboarding.upn-corrected',
        actor: APPROVER.name,
        actorId: APPROVER.id,
        details: {
          from: 'camille.martin@exemple.org',
          to: 'camille.martin@example.org',
          steps: ['vpn', 'officeLicense'],
        },
      }),
    ]);
    expect(commands.map((c) => `${c.type}:${c.step}:${c.attempt}`)).toEqual([
      'run-step:vpn:2',
      'run-step:officeLicense:2',
    ]);
    expect(state.steps.vpn).toMatchObject({ status: 'pending', attempt: 2 });
    expect(state.steps.vpn.waitingOn).toBeUndefined();
    // The laptop still in line (its account was never asked for separately) is left as it is.
    expect(state.steps.laptop.status).toBe('waiting');
  });

  it('when every step failed with UserNotFound (an agent in post), then the onboarding is provisioning again and its laptop runs (not a place in line)', () => {
    let o = buildOnboarding();
    o = decide(o, { type: 'decided', at, by: APPROVER, decision: 'approve' }).state;
    o = structuredClone(o);
    o.kind = 'equipment';
    o.status = 'needs-attention';
    for (const step of ['laptop', 'vpn', 'officeLicense'] as const) {
      o.steps[step] = { status: 'failed', updatedAt: at, attempt: 1, detail: 'UserNotFound: no account x' };
    }
    const { state, commands } = decide(o, corrected());
    expect(state.status).toBe('provisioning');
    expect(commands.map((c) => `${c.type}:${c.step}`)).toEqual([
      'run-step:laptop',
      'run-step:vpn',
      'run-step:officeLicense',
    ]);
  });

  it("when no step lacks the account, then it is refused (409): the upn is HR's to change", () => {
    expect(refused(approvedOnboarding(), corrected())).toBe(ErrorCodes.upnNotCorrectable);
    expect(refused(buildOnboarding(), corrected())).toBe(ErrorCodes.upnNotCorrectable);
  });

  it('when a step failed for another reason, then the upn cannot be corrected', () => {
    const o = structuredClone(approvedOnboarding());
    o.status = 'needs-attention';
    o.steps.vpn = { status: 'failed', updatedAt: at, attempt: 1, detail: 'Authorization_RequestDenied: no' };
    expect(refused(o, corrected())).toBe(ErrorCodes.upnNotCorrectable);
  });
});

describe('undoing a decision', () => {
  const undo = (minutes: number, by = APPROVER): OnboardingEvent => ({
    type: 'decision-undone',
    at: minutesAfter(minutes),
    by,
    undoMinutes: 10,
  });
  const rejected = () =>
    decide(buildOnboarding(), { type: 'decided', at, by: APPROVER, decision: 'reject', comment: 'doublon' }).state;

  it('when the rejecter undoes a rejection within the window, then it awaits approval again with its needed steps pending; the rejection stays in the history', () => {
    const { state, history } = decide(rejected(), undo(5));
    expect(state.status).toBe('awaiting-approval');
    expect(state.decision).toBeNull();
    expect([state.steps.laptop.status, state.steps.vpn.status, state.steps.officeLicense.status]).toEqual([
      'pending',
      'pending',
      'pending',
    ]);
    // Not needed (no team, no accessory): still skipped.
    expect(state.steps.teams.status).toBe('skipped');
    expect(history).toEqual([
      expect.objectContaining({
        type: 'onboarding.decision-undone',
        actor: APPROVER.name,
        details: { decision: 'reject', decidedAt: at },
      }),
    ]);
    expect(types(state)).toEqual(['onboarding.created', 'onboarding.rejected', 'onboarding.decision-undone']);
  });

  it('when a step was not needed, then undoing the rejection leaves it skipped', () => {
    const o = decide(buildOnboarding({ needs: { laptop: false } }), {
      type: 'decided',
      at,
      by: APPROVER,
      decision: 'reject',
    }).state;
    expect(decide(o, undo(1)).state.steps.laptop.status).toBe('skipped');
  });

  it('when the approver undoes an approval whose steps all still wait (in line, their day to come), then it awaits approval again and the laptop gives back its place', () => {
    const o = decide(buildOnboarding({ needs: { vpn: false, officeLicense: false } }), {
      type: 'decided',
      at,
      by: APPROVER,
      decision: 'approve',
    }).state;
    expect(o.steps.laptop.status).toBe('waiting');
    const { state, commands } = decide(o, undo(2));
    expect(state.status).toBe('awaiting-approval');
    expect(state.decision).toBeNull();
    expect(state.steps.laptop.status).toBe('pending');
    expect(commands).toEqual([expect.objectContaining({ type: 'revert-step', step: 'laptop' })]);
  });

  it('when a step of the approval may have started (pending and due), then the approval cannot be undone', () => {
    expect(refused(approvedOnboarding(), undo(1))).toBe(ErrorCodes.undoTooLate);
  });

  it('when a step is done, then the approval cannot be undone', () => {
    const o = decide(approvedOnboarding(), { type: 'step-succeeded', at: minutesAfter(1), step: 'vpn' }).state;
    expect(refused(o, undo(2))).toBe(ErrorCodes.undoTooLate);
  });

  it('when the window has passed, then it is refused', () => {
    expect(refused(rejected(), undo(11))).toBe(ErrorCodes.undoTooLate);
  });

  it('when another person asks, then it is refused: only who decided may undo', () => {
    expect(refused(rejected(), undo(1, person('autre.approbateur@example.org')))).toBe(ErrorCodes.undoNotYours);
  });

  it('when the service decided (an expired approval) or nothing was decided, then there is nothing to undo', () => {
    const expired = decide(buildOnboarding(), { type: 'approval-deadline', at, deadline: 'expiry' }).state;
    expect(expired.status).toBe('rejected');
    expect(refused(expired, undo(1))).toBe(ErrorCodes.undoNotYours);
    expect(refused(buildOnboarding(), undo(1))).toBe(ErrorCodes.undoRefused);
  });
});

describe('history entries', () => {
  it('when decide writes an entry, then its type is one of HISTORY_TYPES (what the console names)', () => {
    let o = approvedOnboarding();
    o = decide(o, noAccount('vpn')).state;
    o = decide(o, {
      type: 'upn-corrected',
      at: minutesAfter(9),
      by: APPROVER,
      userPrincipalName: 'autre@example.org',
    }).state;
    for (const t of types(o)) expect(HISTORY_TYPES).toContain(t);
  });
});
