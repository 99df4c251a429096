import { syncDirectoryFromHr } from '../../local/hr-directory-sync';
import { TransientError, type Connectors } from '../../shared/ports/provisioners';
import type { StepCommand } from '../../shared/schemas/onboarding';
import { Roles } from '../../shared/domain/roles';
import { buildHireJson, person } from '../support/factories';
import { callHttp, functionsOver, queueContext } from '../support/functions';
import { startTestServices, type TestServices } from '../support/test-services';

let t: TestServices;
let fns: ReturnType<typeof functionsOver>;
let faults: { vpn?: 'transient' | 'permanent' | 'bug'; vpnRevert?: 'transient' } = {};

beforeAll(async () => {
  t = await startTestServices({
    wrapConnectors: (real): Connectors => ({
      ...real,
      vpn: {
        step: 'vpn',
        provision: (o) => {
          if (faults.vpn === 'transient') return Promise.reject(new TransientError('Graph answered 503'));
          if (faults.vpn === 'bug') return Promise.reject(new Error('a bug'));
          if (faults.vpn === 'permanent') {
            return Promise.resolve({
              kind: 'failed',
              code: 'Authorization_RequestDenied',
              message: 'Insufficient privileges to complete the operation.',
            });
          }
          return real.vpn.provision(o);
        },
        revert: (o) =>
          faults.vpnRevert === 'transient'
            ? Promise.reject(new TransientError('Graph answered 429'))
            : real.vpn.revert(o),
      },
    }),
  });
  fns = functionsOver(t.services);
});
afterAll(() => t.stop());
beforeEach(() => {
  faults = {};
});

async function hire(json = buildHireJson()) {
  syncDirectoryFromHr(t.tenant, json); // as HR-driven provisioning does on the local host
  await fns.queue('hr-events-queue').handler(json, queueContext('hr-events-queue'));
  const employeeId = (json.employee as { employeeId: string }).employeeId;
  return { json, employeeId, list: () => t.ports.store.listForEmployee(employeeId) };
}

const rejectedOn = (queue: string) => t.services.operations.rejectedMessages.list({ queue });

describe('hr-events queue handler', () => {
  it('when a message does not parse, then it is set aside (recorded with its reason naming the bad field, and completed), and nothing is stored', async () => {
    const json = buildHireJson({ employee: { startDate: '07/12/2026' } });
    const context = queueContext('hr-events-queue', {
      messageId: `bad-${String(json.eventId)}`,
      subject: 'employee.hired',
    });
    // Completes: no throw, so neither host redelivers it.
    await fns.queue('hr-events-queue').handler(json, context);
    await fns.queue('hr-events-queue').handler(json, context); // a redelivery finds the first record
    const rejected = (await rejectedOn('hr-events')).filter((r) => r.messageId === `bad-${String(json.eventId)}`);
    expect(rejected).toEqual([
      expect.objectContaining({
        queue: 'hr-events',
        reason: 'InvalidHrEvent',
        description: expect.stringContaining('employee.startDate') as unknown,
        body: json,
        subject: 'employee.hired',
      }),
    ]);
    expect(await t.ports.store.listForEmployee((json.employee as { employeeId: string }).employeeId)).toEqual([]);
  });

  it('when the body is not JSON at all, then it is set aside as MalformedJson with the text as received', async () => {
    await fns
      .queue('hr-events-queue')
      .handler('{"eventId":', queueContext('hr-events-queue', { messageId: 'not-json' }));
    expect((await rejectedOn('hr-events')).find((r) => r.messageId === 'not-json')).toMatchObject({
      reason: 'MalformedJson',
      body: '{"eventId":',
    });
  });

  it('when a hire arrives as bytes and is redelivered, then there is one onboarding', async () => {
    const json = buildHireJson();
    const bytes = Buffer.from(JSON.stringify(json));
    await fns.queue('hr-events-queue').handler(bytes, queueContext('hr-events-queue'));
    await fns.queue('hr-events-queue').handler(bytes, queueContext('hr-events-queue', { deliveryCount: 2 }));
    const list = await t.ports.store.listForEmployee((json.employee as { employeeId: string }).employeeId);
    expect(list).toHaveLength(1);
    expect(list[0]?.value.status).toBe('awaiting-approval');
  });

  it('when a second hire arrives while one is open, then it is in the history and nothing else changes', async () => {
    const first = await hire();
    await hire(buildHireJson({ employee: { ...(first.json.employee as object), startDate: '2027-03-01' } }));
    const list = await first.list();
    expect(list).toHaveLength(1);
    expect(list[0]?.value.startDate).toBe('2026-12-07');
    expect(list[0]?.value.history.map((h) => h.type)).toEqual(['onboarding.created', 'hire.duplicate']);
  });

  it('when a hire comes after the previous onboarding finished, then a new onboarding opens', async () => {
    const first = await hire();
    const [o] = await first.list();
    await t.services.onboardings.decide(o!.value.id, { decision: 'reject' }, person('chef@example.org'));
    await hire(buildHireJson({ employee: first.json.employee as Record<string, unknown> }));
    expect((await first.list()).map((x) => [x.value.id, x.value.status])).toEqual([
      [`${first.employeeId}.2`, 'awaiting-approval'],
      [`${first.employeeId}.1`, 'rejected'],
    ]);
  });

  it('when the start date changes, then the onboarding has the new date and the change in its history', async () => {
    const h = await hire();
    await fns.queue('hr-events-queue').handler(
      {
        eventId: 'date-1',
        type: 'employee.start-date-changed',
        occurredAt: '2026-11-30T10:00:00+01:00',
        employee: { employeeId: h.employeeId, startDate: '2026-12-14' },
      },
      queueContext('hr-events-queue'),
    );
    const [o] = await h.list();
    expect(o?.value.startDate).toBe('2026-12-14');
    expect(o?.value.history.at(-1)).toMatchObject({
      type: 'start-date.changed',
      actor: 'hr',
      details: { from: '2026-12-07', to: '2026-12-14' },
    });
  });

  it('when a hire is cancelled before approval, then the onboarding is cancelled with its steps skipped', async () => {
    const h = await hire();
    await fns.queue('hr-events-queue').handler(
      {
        eventId: `cancel-${h.employeeId}`,
        type: 'employee.hire-cancelled',
        occurredAt: '2026-11-30T10:00:00Z',
        employee: { employeeId: h.employeeId },
      },
      queueContext('hr-events-queue'),
    );
    const [o] = await h.list();
    expect(o?.value.status).toBe('cancelled');
    expect(Object.values(o!.value.steps).map((s) => s.status)).toEqual([
      'skipped',
      'skipped',
      'skipped',
      'skipped',
      'skipped',
    ]);
  });
});

describe('HR events that overtake their hire', () => {
  it('when a cancellation finds no onboarding yet, then it is looked at again a minute later, five times, each look counted, and dead-lettered after the last look', async () => {
    const employeeId = 'E-NOT-YET';
    const cancel = {
      eventId: 'early-cancel',
      type: 'employee.hire-cancelled',
      occurredAt: '2026-12-01T08:00:00Z',
      employee: { employeeId },
    };
    // Each look is delivered as the bus would deliver the message the previous look scheduled.
    let delivered: { messageId: string; applicationProperties: Record<string, string | number | boolean> } = {
      messageId: 'early-cancel',
      applicationProperties: {},
    };
    for (let look = 1; look <= 5; look++) {
      const before = Date.now();
      await fns.queue('hr-events-queue').handler(cancel, queueContext('hr-events-queue', delivered));
      const next = t.sent('hr-events').find((m) => m.messageId === `early-cancel/deferred/${look}`);
      expect(next?.body).toMatchObject({ eventId: 'early-cancel' });
      expect(next?.applicationProperties).toMatchObject({ deferCount: look });
      expect(Date.parse(next!.scheduledEnqueueTimeUtc!) - before).toBeGreaterThanOrEqual(60_000);
      delivered = { messageId: next!.messageId, applicationProperties: next!.applicationProperties ?? {} };
    }
    const setAside = async () => (await rejectedOn('hr-events')).filter((r) => r.messageId.startsWith('early-cancel'));
    expect(await setAside()).toEqual([]);
    await fns.queue('hr-events-queue').handler(cancel, queueContext('hr-events-queue', delivered));
    expect(t.sent('hr-events').find((m) => m.messageId === 'early-cancel/deferred/6')).toBeUndefined();
    expect((await rejectedOn('hr-events')).find((r) => r.messageId === 'early-cancel/deferred/5')).toMatchObject({
      reason: 'NoOnboardingForEmployee',
      body: cancel,
    });
  });

  it('when the hire has arrived by the next look, then the cancellation applies to it', async () => {
    const h = buildHireJson();
    const employeeId = (h.employee as { employeeId: string }).employeeId;
    const cancel = {
      eventId: `late-${employeeId}`,
      type: 'employee.hire-cancelled',
      occurredAt: '2026-12-01T08:00:00Z',
      employee: { employeeId },
    };
    await fns.queue('hr-events-queue').handler(cancel, queueContext('hr-events-queue'));
    await hire(h);
    await fns
      .queue('hr-events-queue')
      .handler(cancel, queueContext('hr-events-queue', { applicationProperties: { deferCount: 1 } }));
    const [o] = await t.ports.store.listForEmployee(employeeId);
    expect(o?.value.status).toBe('cancelled');
  });
});

describe('provisioning worker', () => {
  async function approvedOnboarding() {
    const h = await hire(buildHireJson({ needs: { laptop: false, officeLicense: false } }));
    const [o] = await h.list();
    await t.services.onboardings.decide(o!.value.id, { decision: 'approve' }, person('chef@example.org'));
    const command: StepCommand = {
      type: 'run-step',
      onboardingId: o!.value.id,
      employeeId: h.employeeId,
      step: 'vpn',
      attempt: 1,
    };
    return { id: o!.value.id, upn: o!.value.userPrincipalName, command };
  }
  const worker = () => fns.queue('provisioning-worker');

  it('when the approval was stored, then a run-step message per step is on the provisioning queue, with a deterministic id', async () => {
    const { id } = await approvedOnboarding();
    expect(
      t
        .sent('provisioning')
        .filter((m) => m.messageId.startsWith(`${id}/`))
        .map((m) => m.messageId),
    ).toEqual([`${id}/vpn/run-step/1`]);
    // Kept in the outbox until its consumer writes the step's outcome (no write only to clear it).
    expect((await t.ports.store.get(id))?.value.outbox.map((c) => `${c.type}:${c.step}`)).toEqual(['run-step:vpn']);
  });

  it('when a run-step arrives, then the step is done and the onboarding completed; a redelivery changes nothing', async () => {
    const { id, upn, command } = await approvedOnboarding();
    await worker().handler(command, queueContext('provisioning-worker'));
    const after = (await t.ports.store.get(id))!.value;
    expect(after.status).toBe('completed');
    expect(after.outbox).toEqual([]);
    expect(after.history.slice(-3).map((h) => h.type)).toEqual(['step.started', 'step.done', 'onboarding.completed']);
    expect(t.tenant.isVpnMember(upn)).toBe(true);
    await worker().handler(command, queueContext('provisioning-worker', { deliveryCount: 2 }));
    expect((await t.ports.store.get(id))!.value.history).toEqual(after.history);
  });

  it('when a transient fault happens, then a retry of the same run is scheduled with back-off; after the last retry the step fails', async () => {
    const { id, command } = await approvedOnboarding();
    faults.vpn = 'transient';
    await worker().handler(command, queueContext('provisioning-worker'));
    const retrying = (await t.ports.store.get(id))!.value;
    expect(retrying.steps.vpn).toMatchObject({
      status: 'pending',
      detail: expect.stringContaining('503') as unknown,
    });
    expect(retrying.history.at(-1)).toMatchObject({ type: 'step.retry-scheduled', details: { retry: 1 } });
    const scheduled = t.sent('provisioning').find((m) => m.messageId === `${id}/vpn/run-step/1/r1`);
    expect(scheduled?.scheduledEnqueueTimeUtc).toBeDefined();
    expect(scheduled?.body).toMatchObject({ retry: 1 });

    const max = t.services.config.Provisioning__maxTransientRetries;
    await worker().handler({ ...command, retry: max }, queueContext('provisioning-worker'));
    const failed = (await t.ports.store.get(id))!.value;
    expect(failed.status).toBe('needs-attention');
    expect(failed.steps.vpn.detail).toContain('TransientFaultsExhausted');
  });

  it('when an unexpected error happens, then the worker throws for the bus to redeliver, and the last delivery fails the step', async () => {
    const { id, command } = await approvedOnboarding();
    faults.vpn = 'bug';
    await expect(worker().handler(command, queueContext('provisioning-worker', { deliveryCount: 1 }))).rejects.toThrow(
      'bug',
    );
    // Nothing was written when the run began: the step is as it was, for the redelivery to run it again.
    expect((await t.ports.store.get(id))!.value.steps.vpn.status).toBe('pending');
    await worker().handler(command, queueContext('provisioning-worker', { deliveryCount: 10 }));
    expect((await t.ports.store.get(id))!.value.status).toBe('needs-attention');
  });

  it('when the fault is permanent, then needs-attention with the reason; after the fix, retry completes it', async () => {
    const { id, upn, command } = await approvedOnboarding();
    faults.vpn = 'permanent';
    await worker().handler(command, queueContext('provisioning-worker'));
    const failed = (await t.ports.store.get(id))!.value;
    expect(failed.status).toBe('needs-attention');
    expect(failed.steps.vpn.detail).toBe(
      'Authorization_RequestDenied: Insufficient privileges to complete the operation.',
    );
    expect(failed.history.find((h) => h.type === 'step.failed')?.details).toMatchObject({
      code: 'Authorization_RequestDenied',
    });

    faults = {};
    const retry = await callHttp(fns.http('onboardings-retry'), {
      token: await t.token('chef@example.org', [Roles.onboardingApprove]),
      params: { id },
    });
    expect(retry.status).toBe(202);
    const afterRetry = (await t.ports.store.get(id))!.value;
    expect(afterRetry.status).toBe('provisioning');
    await worker().handler(command, queueContext('provisioning-worker')); // a message of the failed run: stale
    expect((await t.ports.store.get(id))!.value.history).toEqual(afterRetry.history);
    await worker().handler({ ...command, attempt: 2 }, queueContext('provisioning-worker'));
    expect((await t.ports.store.get(id))!.value.status).toBe('completed');
    expect(t.tenant.isVpnMember(upn)).toBe(true);
  });

  it('when an undo meets transient faults, then it is retried with back-off, and recorded as failed after the last retry', async () => {
    const { id, command } = await approvedOnboarding();
    await worker().handler(command, queueContext('provisioning-worker'));
    const employeeId = command.employeeId;
    await fns.queue('hr-events-queue').handler(
      {
        eventId: `cancel-${employeeId}`,
        type: 'employee.hire-cancelled',
        occurredAt: '2026-12-01T08:00:00Z',
        employee: { employeeId },
      },
      queueContext('hr-events-queue'),
    );
    const revert: StepCommand = { ...command, type: 'revert-step', attempt: 2 };
    faults.vpnRevert = 'transient';
    await worker().handler(revert, queueContext('provisioning-worker'));
    const retrying = (await t.ports.store.get(id))!.value;
    expect(retrying.history.at(-1)).toMatchObject({
      type: 'step.revert-retry-scheduled',
      details: { step: 'vpn', retry: 1 },
    });
    expect(
      t.sent('provisioning').find((m) => m.messageId === `${id}/vpn/revert-step/2/r1`)?.scheduledEnqueueTimeUtc,
    ).toBeDefined();

    await worker().handler(
      { ...revert, retry: t.services.config.Provisioning__maxTransientRetries },
      queueContext('provisioning-worker'),
    );
    const failed = (await t.ports.store.get(id))!.value;
    expect(failed.status).toBe('cancelled');
    expect(failed.steps.vpn).toMatchObject({
      status: 'failed',
      detail: expect.stringContaining('revert failed') as unknown,
    });
    expect(failed.history.at(-1)).toMatchObject({ type: 'step.revert-failed' });
  });

  it('when a command does not parse, then it is set aside with its reason', async () => {
    await worker().handler(
      { type: 'run-step', step: 'printer' },
      queueContext('provisioning-worker', { messageId: 'printer' }),
    );
    expect((await rejectedOn('provisioning')).find((r) => r.messageId === 'printer')).toMatchObject({
      reason: 'InvalidStepCommand',
    });
  });
});

describe('HTTP handlers: authentication, authorization, bodies', () => {
  const post = () => fns.http('hr-events-http');

  it('when there is no token, then 401 with WWW-Authenticate: Bearer, as problem+json', async () => {
    const res = await callHttp(post(), { body: JSON.stringify(buildHireJson()) });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.json).toMatchObject({ status: 401, title: 'Unauthorized' });
  });

  it.each([
    ['expired', { issuedAt: new Date(Date.now() - 3 * 3600_000), lifetimeSeconds: 3600 }],
    ['for another audience', { audience: 'api://someone-else' }],
    ['from another issuer', { issuer: 'https://login.example.com/evil/v2.0' }],
  ])('when the token is %s, then 401', async (_name, options) => {
    const res = await callHttp(post(), {
      token: await t.token('hr@example.org', [Roles.hrEventsSend], options),
      body: '{}',
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });

  it("when the signature is not the issuer's, then 401", async () => {
    const other = await startTestServices();
    const forged = await other.token('hr@example.org', [Roles.hrEventsSend]);
    await other.stop();
    expect((await callHttp(post(), { token: forged, body: '{}' })).status).toBe(401);
  });

  it('when the token lacks the role, then 403', async () => {
    const res = await callHttp(post(), {
      token: await t.token('auditor@example.org', [Roles.onboardingRead]),
      body: '{}',
    });
    expect(res.status).toBe(403);
  });

  it('when the body is malformed JSON, then 400', async () => {
    const res = await callHttp(post(), {
      token: await t.token('hr@example.org', [Roles.hrEventsSend]),
      body: '{"eventId": ',
    });
    expect(res.status).toBe(400);
    expect(res.json.detail).toContain('not valid JSON');
  });

  it('when the body is over 256 KiB, then 413', async () => {
    const big = JSON.stringify({ ...buildHireJson(), padding: 'x'.repeat(300 * 1024) });
    const res = await callHttp(post(), { token: await t.token('hr@example.org', [Roles.hrEventsSend]), body: big });
    expect(res.status).toBe(413);
  });

  it('when the event is invalid, then 400 naming the field, and nothing is queued', async () => {
    const json = buildHireJson({ employee: { employeeId: 'E 42!' } });
    const res = await callHttp(post(), {
      token: await t.token('hr@example.org', [Roles.hrEventsSend]),
      body: JSON.stringify(json),
    });
    expect(res.status).toBe(400);
    expect(res.json.errors).toEqual([{ path: 'employee.employeeId', message: expect.any(String) as unknown }]);
    expect(t.sent('hr-events').find((m) => m.messageId === json.eventId)).toBeUndefined();
  });

  it('when the event is valid, then 202 with the eventId, queued with messageId = eventId', async () => {
    const json = buildHireJson();
    const res = await callHttp(post(), {
      token: await t.token('hr@example.org', [Roles.hrEventsSend]),
      body: JSON.stringify(json),
    });
    expect(res.status).toBe(202);
    expect(res.json).toEqual({ eventId: json.eventId });
    expect(t.sent('hr-events').find((m) => m.messageId === json.eventId)?.body).toMatchObject({
      eventId: json.eventId,
    });
  });

  it('when the approver is the employee, then 403; an unknown id is 404; a second decision is 409', async () => {
    const h = await hire();
    const [o] = await h.list();
    const id = o!.value.id;
    const decision = fns.http('onboardings-decision');
    const self = await t.token(o!.value.userPrincipalName.toUpperCase(), [Roles.onboardingApprove]);
    expect((await callHttp(decision, { token: self, params: { id }, body: '{"decision":"approve"}' })).status).toBe(
      403,
    );
    const chef = await t.token('chef@example.org', [Roles.onboardingApprove]);
    expect(
      (await callHttp(decision, { token: chef, params: { id: 'E999999.1' }, body: '{"decision":"approve"}' })).status,
    ).toBe(404);
    expect((await callHttp(decision, { token: chef, params: { id }, body: '{"decision":"maybe"}' })).status).toBe(400);
    const first = await callHttp(decision, {
      token: chef,
      params: { id },
      body: '{"decision":"approve","comment":"PCA"}',
    });
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({
      status: 'provisioning',
      decision: { decision: 'approve', by: 'chef@example.org', comment: 'PCA' },
    });
    const second = await callHttp(decision, { token: chef, params: { id }, body: '{"decision":"reject"}' });
    expect(second.status).toBe(409);
    expect(second.json).toMatchObject({ code: 'ONBOARDING.ALREADY_DECIDED' });
  });
});
