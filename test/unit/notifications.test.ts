import { decide } from '../../shared/domain/decide';
import { cardFor, plainText } from '../../shared/app/notification-cards';
import { createAnnounce, notificationsOf } from '../../shared/app/notifications';
import type { MessageBus } from '../../shared/ports/message-bus';
import { approvedOnboarding, buildOnboarding, DECIDED_AT } from '../support/factories';

const at = DECIDED_AT;

describe('what a change tells the DSI channel', () => {
  it('when a step fails for good, then needs-attention with the step, its run and the reason', () => {
    const { state, history } = decide(approvedOnboarding(), {
      type: 'step-failed',
      at,
      step: 'vpn',
      code: 'Authorization_RequestDenied',
      message: 'Insufficient privileges.',
    });
    expect(notificationsOf(state, history)).toEqual([
      {
        kind: 'needs-attention',
        onboardingId: state.id,
        step: 'vpn',
        run: 1,
        reason: 'Authorization_RequestDenied: Insufficient privileges.',
      },
    ]);
  });

  it('when the reminder is recorded, then a reminder; when a continuity agent completes, then continuity-equipped; a standard one, nothing', () => {
    const reminded = decide(buildOnboarding(), { type: 'approval-deadline', at, deadline: 'reminder' });
    expect(notificationsOf(reminded.state, reminded.history)).toEqual([
      { kind: 'reminder', onboardingId: reminded.state.id },
    ]);
    for (const priority of ['continuity', 'standard'] as const) {
      let o = approvedOnboarding(buildOnboarding({ employee: { priority } }));
      let last: ReturnType<typeof decide> | undefined;
      for (const step of ['laptop', 'vpn', 'officeLicense'] as const) {
        last = decide(o, { type: 'step-succeeded', at, step, ...(step === 'laptop' ? { serialNumber: 'SN1' } : {}) });
        o = last.state;
      }
      expect(o.status).toBe('completed');
      expect(notificationsOf(o, last!.history)).toEqual(
        priority === 'continuity' ? [{ kind: 'continuity-equipped', onboardingId: o.id }] : [],
      );
    }
  });

  it('when the notifications queue cannot be reached, then the change goes on: announce logs and never throws', async () => {
    const failing: MessageBus = {
      send: () => Promise.reject(new Error('the namespace is unreachable')),
    };
    const lines: string[] = [];
    const announce = createAnnounce({
      bus: failing,
      clock: { now: () => new Date(at) },
      log: (l) => lines.push(l),
      digestWindowMs: 60_000,
    });
    const o = buildOnboarding();
    await expect(announce.created(o)).resolves.toBeUndefined();
    const reminded = decide(o, { type: 'approval-deadline', at, deadline: 'reminder' });
    await expect(announce.changed(reminded.state, reminded.history)).resolves.toBeUndefined();
    expect(lines).toEqual([
      `notification of ${o.id} not queued: the namespace is unreachable`,
      `notification of ${o.id} not queued: the namespace is unreachable`,
    ]);
  });
});

describe('cards', () => {
  it('when free text carries markdown, control characters or a bidirectional override, then the card shows it as inert text', () => {
    expect(plainText('[clic](https://evil.example)')).toBe('\\[clic\\]\\(https://evil\\.example\\)');
    expect(plainText('Direction\u202Eseérid\u0007')).toBe('Direction seérid ');
    const card = cardFor(
      { kind: 'needs-attention', onboardingId: 'E1.1', step: 'laptop', run: 1, reason: 'x\u202Ey' },
      {
        consoleUrl: 'https://func.example.net/',
        onboarding: {
          onboardingId: 'E1.1',
          employeeId: 'E1',
          department: 'DSI',
          priority: 'continuity',
          startDate: '2026-12-07',
          createdAt: at,
        },
      },
    );
    const text = JSON.stringify(card);
    expect(text).not.toContain('\u202E');
    expect(card.attachments[0].content.actions).toEqual([
      { type: 'Action.OpenUrl', title: "Ouvrir l'arrivée", url: 'https://func.example.net/#/onboardings/E1.1' },
    ]);
    expect(text).toContain('07/12/2026');
  });
});
