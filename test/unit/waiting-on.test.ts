import { isDue, EARLY_TOLERANCE_MS } from '../../shared/domain/due';
import { failureCodeOf, lacksAccount, waitingOnOf } from '../../shared/domain/waiting-on';

// What a step waits for (the API's `waitingOn`), the failure code a failed step starts with, and whether the
// agent's account is what it lacks (contract: "What people need of the API"; issue 19's stuck agent).

const at = '2026-12-01T09:00:00.000Z';

describe('what a step waits for', () => {
  it.each([
    ['laptop', { status: 'waiting' as const }, 'laptop'],
    ['officeLicense', { status: 'waiting' as const }, 'seat'],
    ['accessories', { status: 'waiting' as const }, 'accessory'],
    ['vpn', { status: 'waiting' as const }, null],
    ['laptop', { status: 'waiting' as const, waitingOn: 'account' as const }, 'account'],
    ['vpn', { status: 'pending' as const, notBefore: at }, 'day'],
    ['vpn', { status: 'pending' as const }, null],
    ['laptop', { status: 'in-progress' as const, notBefore: at }, null],
    ['laptop', { status: 'done' as const }, null],
  ] as const)('when the %s step is %j, then it waits on %s', (name, step, expected) => {
    expect(waitingOnOf(name, step)).toBe(expected);
  });
});

describe("a failed step's code, and a missing account", () => {
  it.each([
    [{ status: 'failed' as const, detail: 'UserNotFound: gave up after 9 tries' }, 'UserNotFound'],
    [{ status: 'failed' as const, detail: 'Request_ResourceNotFound: no such group' }, 'Request_ResourceNotFound'],
    [{ status: 'failed' as const, detail: 'gave up: UserNotFound: after 9 tries' }, null],
    [{ status: 'failed' as const, detail: 'no code here' }, null],
    [{ status: 'failed' as const }, null],
    [{ status: 'done' as const, detail: 'UserNotFound: stale' }, null],
  ])('when a step is %j, then its code is %s', (step, code) => {
    expect(failureCodeOf(step)).toBe(code);
  });

  it.each([
    [{ status: 'waiting' as const, waitingOn: 'account' as const }, true],
    [{ status: 'waiting' as const, waitingOn: 'laptop' as const }, false],
    [{ status: 'pending' as const, waitingOn: 'account' as const }, false],
    [{ status: 'failed' as const, detail: 'UserNotFound: gave up' }, true],
    [{ status: 'failed' as const, detail: 'Forbidden: no role' }, false],
  ])('when a step is %j, then it lacks the account: %s', (step, lacks) => {
    expect(lacksAccount(step)).toBe(lacks);
  });
});

describe('a message due', () => {
  it('when it comes up to the tolerance early, then it is due; a millisecond more, not', () => {
    const now = new Date(at);
    expect(isDue(new Date(now.getTime() + EARLY_TOLERANCE_MS).toISOString(), now)).toBe(true);
    expect(isDue(new Date(now.getTime() + EARLY_TOLERANCE_MS + 1).toISOString(), now)).toBe(false);
    expect(isDue(new Date(now.getTime() - 60_000).toISOString(), now)).toBe(true);
  });
});
