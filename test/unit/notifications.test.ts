import { decide } from '../../shared/domain/decide';
import { cardFor, plainText } from '../../shared/app/notifications/notification-cards';
import {
  createAnnounce,
  createDeliverNotification,
  notificationsOf,
} from '../../shared/app/notifications/notifications';
import type { MessageBus, OutgoingMessage } from '../../shared/ports/message-bus';
import { NotificationRefused, type Notifier, type TeamsMessage } from '../../shared/ports/notifier';
import type { OnboardingStore } from '../../shared/ports/onboarding-store';
import { TransientError } from '../../shared/ports/provisioners';
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

describe('delivering a notification', () => {
  const row = (id: string, createdAt: string) => ({ ...buildOnboarding(), id, createdAt });

  function harness(options: { failWith?: Error; rows?: ReturnType<typeof row>[]; notifier?: boolean } = {}) {
    const posted: TeamsMessage[] = [];
    const sent: OutgoingMessage[] = [];
    const pages: (string | undefined)[] = [];
    const rows = options.rows ?? [];
    const store = {
      get: (id: string) => {
        const found = rows.find((r) => r.id === id);
        return Promise.resolve(found ? { value: found, etag: 'e' } : null);
      },
      rowsPage: (_filter: unknown, limit: number, token?: string) => {
        pages.push(token);
        const start = token ? Number(token) : 0;
        const items = rows.slice(start, start + limit);
        const next = start + limit < rows.length ? String(start + limit) : null;
        return Promise.resolve({ items, continuationToken: next });
      },
    } as unknown as OnboardingStore;
    const notifier: Notifier = {
      post: (message) => {
        if (options.failWith) return Promise.reject(options.failWith);
        posted.push(message);
        return Promise.resolve();
      },
    };
    const deliver = createDeliverNotification({
      store,
      notifier: options.notifier === false ? null : notifier,
      bus: {
        send: (_queue, messages) => {
          sent.push(...messages);
          return Promise.resolve();
        },
      },
      clock: { now: () => new Date(at) },
      consoleUrl: 'https://func.example.net/',
      retry: { maxAttempts: 3, baseSeconds: 10, maxSeconds: 1800 },
    });
    return { deliver, posted, sent, pages };
  }

  const window = {
    kind: 'awaiting-approval' as const,
    from: '2026-11-30T08:59:00.000Z',
    to: '2026-11-30T09:00:00.000Z',
  };

  it('when a digest is sent, then it lists those created in its window, newest first, reading pages until one reaches before it', async () => {
    // 150 newest first: 30 after the window, 100 in it, 20 before it.
    const rows = [
      ...Array.from({ length: 30 }, (_, i) => row(`after-${i}`, '2026-11-30T09:00:30.000Z')),
      ...Array.from({ length: 100 }, (_, i) => row(`in-${i}`, '2026-11-30T08:59:30.000Z')),
      ...Array.from({ length: 20 }, (_, i) => row(`before-${i}`, '2026-11-30T08:58:00.000Z')),
    ];
    const h = harness({ rows });
    expect(await h.deliver({ notification: window, attempt: 0 })).toEqual({ outcome: 'posted' });
    expect(h.pages).toEqual([undefined, '100']);
    const text = JSON.stringify(h.posted);
    expect(text).toContain('100 arrivées attendent une approbation');
    expect(text).toContain('#/onboardings/in-0');
    expect(text).toContain('#/onboardings/in-49');
    expect(text).not.toContain('#/onboardings/in-50');
    expect(text).toContain('… et 50 autre(s).');
    expect(text).not.toMatch(/after-|before-/);
  });

  it('when nobody is left awaiting approval in the window, or no notifier is set, then nothing is posted', async () => {
    expect(await harness({ rows: [] }).deliver({ notification: window, attempt: 0 })).toEqual({
      outcome: 'nothing-to-post',
    });
    const off = harness({ rows: [row('x', '2026-11-30T08:59:30.000Z')], notifier: false });
    expect(await off.deliver({ notification: window, attempt: 0 })).toEqual({ outcome: 'nothing-to-post' });
    expect(off.pages).toEqual([]);
  });

  it('when a reminder comes for an onboarding decided since, or gone, then nothing is posted', async () => {
    const decided = { ...approvedOnboarding(), id: 'E1.1' };
    const h = harness({ rows: [decided] });
    expect(await h.deliver({ notification: { kind: 'reminder', onboardingId: 'E1.1' }, attempt: 0 })).toEqual({
      outcome: 'nothing-to-post',
    });
    expect(await h.deliver({ notification: { kind: 'reminder', onboardingId: 'E9.1' }, attempt: 0 })).toEqual({
      outcome: 'nothing-to-post',
    });
    expect(
      await h.deliver({ notification: { kind: 'continuity-equipped', onboardingId: 'E1.1' }, attempt: 0 }),
    ).toEqual({ outcome: 'posted' });
  });

  it('when the webhook fails for a while, then the same notification is scheduled again with back-off (at least Retry-After), and given up after the last attempt', async () => {
    const n = { kind: 'continuity-equipped' as const, onboardingId: 'E1.1' };
    const rows = [{ ...buildOnboarding(), id: 'E1.1' }];
    const h = harness({ rows, failWith: new TransientError('the Teams webhook answered 503', 30) });
    expect(await h.deliver({ notification: n, attempt: 0 })).toEqual({
      outcome: 'retry-scheduled',
      attempt: 1,
      at: '2026-11-30T09:00:30.000Z',
    });
    expect(await h.deliver({ notification: n, attempt: 1 })).toEqual({
      outcome: 'retry-scheduled',
      attempt: 2,
      at: '2026-11-30T09:00:30.000Z',
    });
    expect(h.sent.map((m) => [m.messageId, m.body])).toEqual([
      ['notify/continuity-equipped/E1.1/r1', { notification: n, attempt: 1 }],
      ['notify/continuity-equipped/E1.1/r2', { notification: n, attempt: 2 }],
    ]);
    const slow = harness({ rows, failWith: new TransientError('the Teams webhook answered 503') });
    expect(await slow.deliver({ notification: n, attempt: 1 })).toMatchObject({ at: '2026-11-30T09:00:20.000Z' });
    expect(await h.deliver({ notification: n, attempt: 2 })).toEqual({
      outcome: 'gave-up',
      reason: 'the Teams webhook answered 503',
    });
    const refused = harness({ rows, failWith: new NotificationRefused('the Teams webhook answered 400') });
    await expect(refused.deliver({ notification: n, attempt: 0 })).rejects.toBeInstanceOf(NotificationRefused);
  });
});

describe('announcing a new onboarding', () => {
  it('when onboardings are created within one window, then one digest message for the window, due at its end', async () => {
    const sent: OutgoingMessage[] = [];
    const announce = createAnnounce({
      bus: {
        send: (_queue, messages) => {
          sent.push(...messages);
          return Promise.resolve();
        },
      },
      clock: { now: () => new Date('2026-11-30T09:00:40.000Z') },
      log: () => undefined,
      digestWindowMs: 60_000,
    });
    await announce.created(buildOnboarding({}, '2026-11-30T09:00:30.000Z'));
    await announce.created(buildOnboarding({}, '2026-11-30T09:00:59.999Z'));
    await announce.created(buildOnboarding({}, '2026-11-30T09:01:00.000Z'));
    expect(sent.map((m) => [m.messageId, m.scheduledEnqueueTime?.toISOString(), m.body])).toEqual([
      [
        'notify/awaiting-approval/2026-11-30T09:01:00.000Z',
        '2026-11-30T09:01:00.000Z',
        {
          notification: { kind: 'awaiting-approval', from: '2026-11-30T09:00:00.000Z', to: '2026-11-30T09:01:00.000Z' },
          attempt: 0,
        },
      ],
      ['notify/awaiting-approval/2026-11-30T09:01:00.000Z', '2026-11-30T09:01:00.000Z', expect.anything()],
      [
        'notify/awaiting-approval/2026-11-30T09:02:00.000Z',
        '2026-11-30T09:02:00.000Z',
        {
          notification: { kind: 'awaiting-approval', from: '2026-11-30T09:01:00.000Z', to: '2026-11-30T09:02:00.000Z' },
          attempt: 0,
        },
      ],
    ]);
  });
});
