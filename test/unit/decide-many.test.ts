import {
  createHandleApprovalDeadline,
  createScheduleApprovalDeadlines,
} from '../../shared/app/onboarding/approval-deadlines';
import { createDecideMany, type DecideOnboarding } from '../../shared/app/onboarding/decide-onboarding';
import type { OnboardingWriter } from '../../shared/app/onboarding/onboarding-writer';
import { QUEUES } from '../../shared/app/queues';
import { DomainError, ErrorCodes } from '../../shared/domain/errors';
import type { OutgoingMessage } from '../../shared/ports/message-bus';
import type { Onboarding } from '../../shared/schemas/onboarding';
import { APPROVER, approvedOnboarding, buildOnboarding } from '../support/factories';

describe('decideMany', () => {
  /** A decide that takes `delayMs` for each, records the order it started them in and how many ran at once. */
  function recordingDecide(delayMs = 5) {
    const started: string[] = [];
    let running = 0;
    let most = 0;
    const decided = new Set<string>();
    const decide: DecideOnboarding = async (id, body) => {
      started.push(`${id}:${body.decision}`);
      running += 1;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, delayMs));
      running -= 1;
      if (id.startsWith('unknown')) throw new DomainError(ErrorCodes.notFound, `no onboarding ${id}`);
      if (decided.has(id)) throw new DomainError(ErrorCodes.alreadyDecided, `${id} is decided`);
      decided.add(id);
      return { ...buildOnboarding(), id, ...(body.comment ? { status: 'rejected' } : {}) };
    };
    return { decide, started, most: () => most };
  }

  it('when many are decided, then one outcome per item in request order, at most `concurrency` at once, one failing never failing the others', async () => {
    const r = recordingDecide();
    const items = Array.from({ length: 20 }, (_, i) => ({
      onboardingId: i % 7 === 3 ? `unknown-${i}` : `E${i}.1`,
      decision: 'approve' as const,
    }));
    const outcomes = await createDecideMany(r.decide, 4)(items, APPROVER);
    expect(outcomes.map((o) => o.onboardingId)).toEqual(items.map((i) => i.onboardingId));
    expect(outcomes.map((o) => o.ok)).toEqual(items.map((i) => !i.onboardingId.startsWith('unknown')));
    expect(outcomes.flatMap((o) => (o.ok ? [] : [o.error]))).toEqual([
      expect.any(DomainError),
      expect.any(DomainError),
      expect.any(DomainError),
    ]);
    expect(r.most()).toBe(4);
  });

  it('when one onboarding comes twice, then its decisions are taken in request order: the first is made, the next is 409', async () => {
    const r = recordingDecide();
    const outcomes = await createDecideMany(r.decide, 8)(
      [
        { onboardingId: 'E1.1', decision: 'reject', comment: 'poste gelé' },
        { onboardingId: 'E2.1', decision: 'approve' },
        { onboardingId: 'E1.1', decision: 'approve' },
      ],
      APPROVER,
    );
    expect(r.started.filter((s) => s.startsWith('E1.1'))).toEqual(['E1.1:reject', 'E1.1:approve']);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, false]);
    expect(outcomes[0]!.ok && outcomes[0]!.onboarding.status).toBe('rejected');
    const third = outcomes[2]!;
    expect(!third.ok && (third.error as DomainError).code).toBe(ErrorCodes.alreadyDecided);
  });
});

describe('approval deadlines', () => {
  it('when an onboarding is created, then its reminder and expiry are scheduled from its creation, with ids of their own', async () => {
    const sent: { queue: string; messages: OutgoingMessage[] }[] = [];
    const schedule = createScheduleApprovalDeadlines(
      {
        send: (queue, messages) => {
          sent.push({ queue, messages });
          return Promise.resolve();
        },
      },
      { reminderAfter: 'P2D', expiresAfter: 'PT36H' },
    );
    const o = buildOnboarding({}, '2026-11-29T08:00:00.000Z');
    await schedule(o);
    const expected = (deadline: string, at: string) => ({
      messageId: `deadline/${o.id}/${deadline}`,
      subject: deadline,
      contentType: 'application/json',
      correlationId: o.id,
      body: { onboardingId: o.id, deadline },
      scheduledEnqueueTime: new Date(at),
    });
    expect(sent).toEqual([
      {
        queue: QUEUES.approvalDeadlines,
        messages: [expected('reminder', '2026-12-01T08:00:00.000Z'), expected('expiry', '2026-11-30T20:00:00.000Z')],
      },
    ]);
  });

  it('when a deadline comes, then the event is asked only of an onboarding still awaiting approval', async () => {
    const asked: unknown[] = [];
    const writer = {
      apply: (_id: string, eventFor: (o: Onboarding) => unknown) => {
        asked.push(eventFor(buildOnboarding()), eventFor(approvedOnboarding()));
        return Promise.resolve(null);
      },
    } as unknown as OnboardingWriter;
    const handle = createHandleApprovalDeadline({ writer, clock: { now: () => new Date('2026-12-09T08:00:00.000Z') } });
    await handle({ onboardingId: 'E1.1', deadline: 'expiry' });
    expect(asked).toEqual([{ type: 'approval-deadline', at: '2026-12-09T08:00:00.000Z', deadline: 'expiry' }, null]);
  });
});
