import { createIssueAccessPass } from '../../shared/app/onboarding/access-pass';
import { decide } from '../../shared/domain/decide';
import { DomainError, ErrorCodes } from '../../shared/domain/errors';
import type { AccessPasses } from '../../shared/ports/access-passes';
import type { Onboarding } from '../../shared/schemas/onboarding';
import { approvedOnboarding, buildOnboarding, person } from '../support/factories';
import { memoryOnboardings } from '../support/memory-onboardings';

// Issuing a Temporary Access Pass (contract: "Day one from home"), against a tenant that hands one out and
// onboardings in memory: the pass goes back to who asked, its validity to the history, never the pass.

const START = '2026-12-07';
const ASKER = person('chef.dsi@example.org');
const AGENT_ID = '44444444-4444-4444-8444-444444444444';
const PASS = 'TAP-very-secret-123';

function licensed(over: Partial<Onboarding> = {}): Onboarding {
  const o = decide(approvedOnboarding(buildOnboarding({ employee: { startDate: START } })), {
    type: 'step-succeeded',
    at: '2026-12-01T09:00:00.000Z',
    step: 'officeLicense',
  }).state;
  return { ...o, ...over };
}

function harness(now: string, o: Onboarding) {
  const clock = { now: () => new Date(now) };
  const onboardings = memoryOnboardings(clock, o);
  const asked: Parameters<AccessPasses['issue']>[] = [];
  const issue = createIssueAccessPass({
    store: onboardings.store,
    writer: onboardings.writer,
    accessPasses: {
      issue: (user, pass) => {
        asked.push([user, pass]);
        return Promise.resolve({ temporaryAccessPass: PASS, ...pass });
      },
    },
    clock,
    lifetimeInMinutes: 480,
  });
  return { issue, asked, onboardings };
}

describe('issuing a Temporary Access Pass', () => {
  it('when asked the day before the start date, then the tenant is asked for a pass usable once from 07:00 in Paris on the first day, for the configured lifetime; the pass goes back to the asker and the history keeps only its validity', async () => {
    const o = licensed({ agentObjectId: AGENT_ID });
    const h = harness('2026-12-06T15:00:00.000Z', o);
    const issued = await h.issue(o.id, ASKER);
    expect(h.asked).toEqual([
      [
        { objectId: AGENT_ID, userPrincipalName: o.userPrincipalName },
        { startDateTime: '2026-12-07T06:00:00.000Z', lifetimeInMinutes: 480, isUsableOnce: true },
      ],
    ]);
    expect(issued).toEqual({
      temporaryAccessPass: PASS,
      startDateTime: '2026-12-07T06:00:00.000Z',
      lifetimeInMinutes: 480,
      isUsableOnce: true,
    });
    const after = h.onboardings.stored(o.id);
    expect(after.history.at(-1)).toEqual({
      at: '2026-12-06T15:00:00.000Z',
      type: 'onboarding.access-pass-issued',
      actor: ASKER.name,
      actorId: ASKER.id,
      details: { startDateTime: '2026-12-07T06:00:00.000Z', lifetimeInMinutes: 480, isUsableOnce: true },
    });
    expect(JSON.stringify(after)).not.toContain(PASS);
  });

  it("when the agent's object id is not known yet, then the tenant is asked by upn alone", async () => {
    const o = licensed();
    const h = harness('2026-12-07T10:00:00.000Z', o);
    await h.issue(o.id, ASKER);
    expect(h.asked[0]?.[0]).toEqual({ userPrincipalName: o.userPrincipalName });
    // Asked on the first day after 07:00: usable from now.
    expect(h.asked[0]?.[1].startDateTime).toBe('2026-12-07T10:00:00.000Z');
  });

  it('when the onboarding is unknown, then 404; too early or without its licence, then 409 with why, and the tenant is not asked', async () => {
    const o = licensed();
    const h = harness('2026-12-05T10:00:00.000Z', o);
    await expect(h.issue('E0.9', ASKER)).rejects.toEqual(new DomainError(ErrorCodes.notFound, 'no onboarding E0.9'));
    await expect(h.issue(o.id, ASKER)).rejects.toMatchObject({
      code: ErrorCodes.illegalTransition,
      message: expect.stringMatching(/issued from 2026-12-06/) as unknown,
    });
    const unlicensed = approvedOnboarding(buildOnboarding({ employee: { startDate: START } }));
    await expect(harness('2026-12-07T10:00:00.000Z', unlicensed).issue(unlicensed.id, ASKER)).rejects.toMatchObject({
      code: ErrorCodes.illegalTransition,
    });
    expect(h.asked).toEqual([]);
    expect(h.onboardings.stored(o.id)).toEqual(o);
  });
});
