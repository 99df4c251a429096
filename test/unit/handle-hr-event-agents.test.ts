import { createHandleHrEvent } from '../../shared/app/onboarding/handle-hr-event';
import { QUEUES } from '../../shared/app/queues';
import { decide } from '../../shared/domain/decide';
import { startOfDayInParis } from '../../shared/domain/paris-time';
import type { DirectoryAgent } from '../../shared/ports/directory';
import type { OutgoingMessage } from '../../shared/ports/message-bus';
import { hrEventSchema, type HrEvent } from '../../shared/schemas/hr-events';
import type { Laptop } from '../../shared/schemas/laptops';
import type { Onboarding } from '../../shared/schemas/onboarding';
import { APPROVER, buildHireJson, person } from '../support/factories';
import { memoryOnboardings } from '../support/memory-onboardings';

// HR's events beyond the hire (contract: "Everyone, not only hires"): equipment requested for an agent in post
// (who they are is the directory's), managers, withdrawals, priorities, movers, leavers and the guard against
// mass departures, against onboardings in memory and a directory that knows the Région's agents.

// 23:30 UTC on 1 December: already 2 December in Paris.
const NOW = new Date('2026-12-01T23:30:00.000Z');
const clock = { now: () => NOW };
const TRACE = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const MANAGER = { upn: 'chef.lycees@example.org', id: '77777777-7777-4777-8777-777777777777' };
const OTHER_MANAGER = { upn: 'chef.finances@example.org', id: '88888888-8888-4888-8888-888888888888' };

const AGENT: DirectoryAgent = {
  objectId: '99999999-9999-4999-8999-999999999999',
  userPrincipalName: 'agent0042@example.org',
  employeeId: 'A0042',
  displayName: 'Agent Quarante-Deux',
  department: 'Direction des lycées',
  site: 'Orléans',
  managerUpn: MANAGER.upn,
  managerObjectId: MANAGER.id,
};

const parse = (json: Record<string, unknown>): HrEvent => hrEventSchema.parse(json);
const requested = (over: { employee?: Record<string, unknown>; [k: string]: unknown } = {}, eventId = 'req-1') =>
  parse({
    eventId,
    type: 'employee.equipment-requested',
    occurredAt: '2026-12-01T08:00:00Z',
    ...over,
    employee: { employeeId: 'A0042', userPrincipalName: AGENT.userPrincipalName, ...over.employee },
  });
const event = (type: string, employee: Record<string, unknown>, eventId = `${type}-1`) =>
  parse({ eventId, type, occurredAt: '2026-12-01T08:00:00Z', employee: { employeeId: 'A0042', ...employee } });

function harness(
  options: {
    agents?: DirectoryAgent[];
    holds?: Record<string, string>;
    teams?: string[];
    admit?: boolean;
    leadTimes?: boolean;
  } = {},
) {
  const onboardings = memoryOnboardings(clock);
  const calls: string[] = [];
  const bus: OutgoingMessage[] = [];
  const agents = options.agents ?? [AGENT];
  const upns = new Map<string, string>([
    [MANAGER.upn, MANAGER.id],
    [OTHER_MANAGER.upn, OTHER_MANAGER.id],
    ...agents.map((a): [string, string] => [a.userPrincipalName, a.objectId]),
  ]);
  const handle = createHandleHrEvent({
    store: onboardings.store,
    writer: onboardings.writer,
    bus: {
      send: (_queue, messages) => {
        calls.push(`send ${_queue}`);
        bus.push(...messages);
        return Promise.resolve();
      },
    },
    clock,
    directory: {
      agent: (upn) => Promise.resolve(agents.find((a) => a.userPrincipalName === upn) ?? null),
      objectIdOf: (upn) => {
        calls.push(`objectIdOf ${upn}`);
        return Promise.resolve(upns.get(upn) ?? null);
      },
    },
    laptops: {
      assignedTo: (upn) => {
        const serial = options.holds?.[upn];
        return Promise.resolve(serial ? ({ serialNumber: serial } as Laptop) : null);
      },
    },
    hasTeam: (department) => (options.teams ?? []).includes(department),
    departureGuard: {
      guard: {
        admit: (id, at, maxPerHour) => {
          calls.push(`admit ${id} ${at.toISOString()} ${maxPerHour}`);
          return Promise.resolve(options.admit ?? true);
        },
      },
      maxPerHour: 25,
    },
    replanLaptop: (o) => {
      calls.push(`replan ${o.id}`);
      return Promise.resolve();
    },
    scheduleApprovalDeadlines: (o) => {
      calls.push(`deadlines ${o.id}`);
      return Promise.resolve();
    },
    scheduleDeparture: (o) => {
      calls.push(`departure ${o.id} ${o.departure?.held ? 'held' : 'due'}`);
      return Promise.resolve();
    },
    announce: {
      created: (o) => {
        calls.push(`announce ${o.id}`);
        return Promise.resolve();
      },
    },
    ...(options.leadTimes ? { leadTimes: (startDate: string) => ({ vpn: `${startDate}T06:00:00.000Z` }) } : {}),
  });
  /** Stores an onboarding as a later moment of it (a test's starting point). */
  const put = (o: Onboarding) => onboardings.save(o);
  return { handle, calls, bus, onboardings, put };
}

describe('equipment requested for an agent in post', () => {
  it('when the request names only the agent, then the onboarding takes their name, department, site and manager from the directory, is needed by today in Paris, and is announced', async () => {
    const h = harness();
    expect(await h.handle(requested())).toEqual({ outcome: 'created', onboardingId: 'A0042.1' });
    expect(h.onboardings.stored('A0042.1')).toMatchObject({
      kind: 'equipment',
      displayName: 'Agent Quarante-Deux',
      department: 'Direction des lycées',
      site: 'Orléans',
      startDate: '2026-12-02',
      priority: 'standard',
      managerUpn: MANAGER.upn,
      managerObjectId: MANAGER.id,
      replaces: null,
      status: 'awaiting-approval',
    });
    // The directory's manager id is used as it is: no lookup of the manager's upn.
    expect(h.calls).toEqual(['deadlines A0042.1', 'announce A0042.1']);
  });

  it('when the request says the department, site, date, manager and reason itself, then those are kept', async () => {
    const h = harness();
    await h.handle(
      requested({
        employee: {
          department: 'Direction des finances',
          site: 'Tours',
          neededBy: '2026-12-10',
          priority: 'continuity',
          managerUpn: OTHER_MANAGER.upn,
        },
        reason: 'telework',
      }),
    );
    expect(h.onboardings.stored('A0042.1')).toMatchObject({
      department: 'Direction des finances',
      site: 'Tours',
      startDate: '2026-12-10',
      priority: 'continuity',
      managerUpn: OTHER_MANAGER.upn,
      managerObjectId: OTHER_MANAGER.id,
      reason: 'telework',
    });
  });

  it('when the manager named is not in the directory, then the onboarding names them by upn only', async () => {
    const h = harness();
    await h.handle(requested({ employee: { managerUpn: 'inconnu@example.org' } }));
    const o = h.onboardings.stored('A0042.1');
    expect(o.managerUpn).toBe('inconnu@example.org');
    expect(o).not.toHaveProperty('managerObjectId');
  });

  it('when the directory does not know the agent, then the request is opened under the upn given, with no department, site or manager (the approval finds the account missing)', async () => {
    const h = harness({ agents: [] });
    await h.handle(requested());
    expect(h.onboardings.stored('A0042.1')).toMatchObject({
      displayName: AGENT.userPrincipalName,
      department: '',
      site: null,
      managerUpn: null,
    });
    expect(h.onboardings.stored('A0042.1')).not.toHaveProperty('managerObjectId');
  });

  it("when the agent's department has a team, then Teams is needed; otherwise it is not, whatever the request says", async () => {
    const withTeam = harness({ teams: ['Direction des lycées'] });
    await withTeam.handle(requested());
    expect(withTeam.onboardings.stored('A0042.1').steps.teams.status).toBe('pending');
    const noTeam = harness({ teams: ['Direction des finances'] });
    await noTeam.handle(requested());
    expect(noTeam.onboardings.stored('A0042.1').steps.teams.status).toBe('skipped');
    const notAsked = harness({ teams: ['Direction des lycées'] });
    await notAsked.handle(requested({ needs: { teams: false } }));
    expect(notAsked.onboardings.stored('A0042.1').steps.teams.status).toBe('skipped');
  });

  it('when the agent already holds a laptop, then none is given (skipped, with its serial); unless the request replaces that very one, whatever its case', async () => {
    const holds = { [AGENT.userPrincipalName]: 'PC-A0042' };
    const keeps = harness({ holds });
    await keeps.handle(requested());
    expect(keeps.onboardings.stored('A0042.1').steps.laptop).toMatchObject({
      status: 'skipped',
      detail: 'the agent already holds laptop PC-A0042',
    });
    const replaced = harness({ holds });
    await replaced.handle(requested({ replaces: { serialNumber: 'pc-a0042' } }));
    expect(replaced.onboardings.stored('A0042.1').steps.laptop.status).toBe('pending');
    expect(replaced.onboardings.stored('A0042.1').replaces).toEqual({ serialNumber: 'pc-a0042' });
    const other = harness({ holds });
    await other.handle(requested({ replaces: { serialNumber: 'DESKTOP-0713' } }));
    expect(other.onboardings.stored('A0042.1').steps.laptop.status).toBe('skipped');
    // No laptop asked for: nothing to say about the one held.
    const noLaptop = harness({ holds });
    await noLaptop.handle(requested({ needs: { laptop: false } }));
    expect(noLaptop.onboardings.stored('A0042.1').steps.laptop).not.toHaveProperty('detail');
  });

  it('when the CODIR list names who imported it, then the creation is theirs in the history', async () => {
    const importer = person('pca.codir@example.org');
    const h = harness();
    await h.handle(requested({ requestedBy: { userPrincipalName: importer.name, objectId: importer.id } }));
    expect(h.onboardings.stored('A0042.1').history[0]).toMatchObject({
      type: 'onboarding.created',
      actor: importer.name,
      actorId: importer.id,
    });
  });

  it('when the event comes with a trace, then the onboarding continues it; without one, it starts its own', async () => {
    const h = harness();
    await h.handle(requested(), TRACE);
    expect(h.onboardings.stored('A0042.1').traceparent).toBe(TRACE);
    const own = harness();
    await own.handle(requested());
    expect(own.onboardings.stored('A0042.1').traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });

  it('when a second request comes while one is open, then it is recorded on the open one', async () => {
    const h = harness();
    await h.handle(requested());
    expect(await h.handle(requested({}, 'req-2'))).toEqual({ outcome: 'applied', onboardingId: 'A0042.1' });
    expect(h.onboardings.stored('A0042.1').history.at(-1)?.type).toBe('hire.duplicate');
  });
});

describe("a hire's manager", () => {
  it('when the hire names a manager the directory knows, then their object id is kept; unknown, the upn only; none named, the directory is not asked', async () => {
    const h = harness();
    const known = parse(buildHireJson({ employee: { managerUpn: MANAGER.upn } }));
    await h.handle(known);
    const id = `${known.employee.employeeId}.1`;
    expect(h.onboardings.stored(id)).toMatchObject({ managerUpn: MANAGER.upn, managerObjectId: MANAGER.id });
    const unknown = parse(buildHireJson({ employee: { managerUpn: 'inconnu@example.org' } }));
    await h.handle(unknown);
    expect(h.onboardings.stored(`${unknown.employee.employeeId}.1`)).not.toHaveProperty('managerObjectId');
    h.calls.length = 0;
    const none = parse(buildHireJson());
    await h.handle(none);
    expect(h.onboardings.stored(`${none.employee.employeeId}.1`).managerUpn).toBeNull();
    expect(h.calls.filter((c) => c.startsWith('objectIdOf'))).toEqual([]);
  });

  it("when the hire's department has a team, then Teams is needed", async () => {
    const h = harness({ teams: ['Direction des lycées'] });
    const hire = parse(buildHireJson());
    await h.handle(hire);
    expect(h.onboardings.stored(`${hire.employee.employeeId}.1`).steps.teams.status).toBe('pending');
  });
});

/** An onboarding of A0042 approved and equipped: completed (its steps done as decide records them). */
async function completedRequest(h: ReturnType<typeof harness>): Promise<Onboarding> {
  await h.handle(requested({ needs: { laptop: false, officeLicense: false, teams: false } }));
  const o = h.onboardings.stored('A0042.1');
  const approved = decide(o, { type: 'decided', at: NOW.toISOString(), by: APPROVER, decision: 'approve' }).state;
  const done = decide(approved, { type: 'step-succeeded', at: NOW.toISOString(), step: 'vpn' }).state;
  h.put(done);
  return done;
}

describe('a request withdrawn', () => {
  it("when the employee's latest onboarding is open, then it is cancelled", async () => {
    const h = harness();
    await h.handle(requested());
    expect(await h.handle(event('employee.request-cancelled', {}))).toEqual({
      outcome: 'applied',
      onboardingId: 'A0042.1',
    });
    expect(h.onboardings.stored('A0042.1').status).toBe('cancelled');
  });

  it('when an older one is still open under a newer finished one, then the open one is withdrawn', async () => {
    const h = harness();
    await h.handle(requested());
    const open = h.onboardings.stored('A0042.1');
    h.put({ ...open, id: 'A0042.2', sequence: 2, status: 'rejected', eventIds: ['other'] });
    expect(await h.handle(event('employee.request-cancelled', {}))).toEqual({
      outcome: 'applied',
      onboardingId: 'A0042.1',
    });
    expect(h.onboardings.stored('A0042.1').status).toBe('cancelled');
  });

  it('when none is open, then it is recorded on the latest, which it does not change', async () => {
    const h = harness();
    await h.handle(requested());
    const o = h.onboardings.stored('A0042.1');
    h.put(decide(o, { type: 'decided', at: NOW.toISOString(), by: APPROVER, decision: 'reject' }).state);
    expect(await h.handle(event('employee.request-cancelled', {}))).toEqual({
      outcome: 'applied',
      onboardingId: 'A0042.1',
    });
    const after = h.onboardings.stored('A0042.1');
    expect(after.status).toBe('rejected');
    expect(after.eventIds).toContain('employee.request-cancelled-1');
    expect(after.history.at(-1)?.type).toBe('hire-cancel.ignored');
  });

  it('when the employee has no onboarding at all, then no-onboarding', async () => {
    const h = harness();
    expect(await h.handle(event('employee.request-cancelled', {}))).toEqual({ outcome: 'no-onboarding' });
  });
});

describe('a priority that HR changes', () => {
  it('when the employee has an open onboarding, then its priority changes and its laptop is re-planned (served in the new order)', async () => {
    const h = harness();
    await h.handle(requested());
    h.calls.length = 0;
    expect(await h.handle(event('employee.priority-changed', { priority: 'continuity' }))).toEqual({
      outcome: 'applied',
      onboardingId: 'A0042.1',
    });
    expect(h.onboardings.stored('A0042.1').priority).toBe('continuity');
    expect(h.calls).toEqual(['replan A0042.1']);
    // The same event again: nothing new, the re-plan asked again (a crash may have come before it).
    h.calls.length = 0;
    expect(await h.handle(event('employee.priority-changed', { priority: 'continuity' }))).toEqual({
      outcome: 'duplicate',
      onboardingId: 'A0042.1',
    });
    expect(h.calls).toEqual(['replan A0042.1']);
  });

  it('when an older one is open under a newer finished one, then the open one changes', async () => {
    const h = harness();
    await h.handle(requested());
    const open = h.onboardings.stored('A0042.1');
    h.put({ ...open, id: 'A0042.2', sequence: 2, status: 'rejected', eventIds: ['other'] });
    await h.handle(event('employee.priority-changed', { priority: 'continuity' }));
    expect(h.onboardings.stored('A0042.1').priority).toBe('continuity');
    expect(h.onboardings.stored('A0042.2').priority).toBe('standard');
  });

  it('when none is open, then it is recorded on the latest without effect', async () => {
    const h = harness();
    await completedRequest(h);
    await h.handle(event('employee.priority-changed', { priority: 'continuity' }));
    const after = h.onboardings.stored('A0042.1');
    expect(after.priority).toBe('standard');
    expect(after.history.at(-1)?.type).toBe('priority-change.ignored');
  });
});

describe('a start date that HR changes', () => {
  it('when lead times are set, then the steps are planned for the new date', async () => {
    const h = harness({ leadTimes: true });
    await h.handle(requested({ employee: { neededBy: '2026-12-20' } }));
    const o = h.onboardings.stored('A0042.1');
    h.put(
      decide(o, {
        type: 'decided',
        at: NOW.toISOString(),
        by: APPROVER,
        decision: 'approve',
        notBefore: { vpn: '2026-12-20T06:00:00.000Z' },
      }).state,
    );
    await h.handle(event('employee.start-date-changed', { startDate: '2027-01-04' }));
    expect(h.onboardings.stored('A0042.1').steps.vpn.notBefore).toBe('2027-01-04T06:00:00.000Z');
  });
});

describe('a leaver, and the guard against mass departures', () => {
  it('when a completed onboarding leaves and the guard lets it through, then it is leaving and the end of its last day is scheduled', async () => {
    const h = harness();
    await completedRequest(h);
    h.calls.length = 0;
    await h.handle(event('employee.left', { lastDay: '2027-01-29' }));
    const o = h.onboardings.stored('A0042.1');
    expect(o.status).toBe('leaving');
    expect(o.departure).toEqual({ lastDay: '2027-01-29', dueAt: '2027-01-29T23:00:00.000Z' });
    expect(h.calls).toEqual([`admit A0042.1 ${NOW.toISOString()} 25`, 'departure A0042.1 due']);
  });

  it('when the guard holds it (too many within the hour), then it is leaving with its departure held, nothing removed', async () => {
    const h = harness({ admit: false });
    await completedRequest(h);
    await h.handle(event('employee.left', { lastDay: '2027-01-29' }));
    const o = h.onboardings.stored('A0042.1');
    expect(o.departure).toEqual({ lastDay: '2027-01-29', dueAt: '2027-01-29T23:00:00.000Z', held: true });
    expect(o.history.at(-1)).toMatchObject({ type: 'departure.held', details: { maxPerHour: 25 } });
  });

  it('when the onboarding is not completed, then the guard is not asked (nothing would be removed): it is cancelled', async () => {
    const h = harness({ admit: false });
    await h.handle(requested());
    h.calls.length = 0;
    await h.handle(event('employee.left', { lastDay: '2027-01-29' }));
    expect(h.onboardings.stored('A0042.1').status).toBe('cancelled');
    expect(h.calls.filter((c) => c.startsWith('admit'))).toEqual([]);
  });

  it('when the same departure comes again, then nothing new, and the end of its last day is scheduled again (a crash may have come first)', async () => {
    const h = harness();
    await completedRequest(h);
    await h.handle(event('employee.left', { lastDay: '2027-01-29' }));
    h.calls.length = 0;
    expect(await h.handle(event('employee.left', { lastDay: '2027-01-29' }))).toEqual({
      outcome: 'duplicate',
      onboardingId: 'A0042.1',
    });
    expect(h.calls).toEqual(['departure A0042.1 due']);
  });
});

describe('a mover', () => {
  const effective = (day: string, over: Record<string, unknown> = {}, eventId = 'moved-1') =>
    event('employee.moved', { department: 'Direction des finances', effectiveDate: day, ...over }, eventId);

  it('when the employee has no onboarding a move applies to, then it is set aside as an unknown employee, with why', async () => {
    const h = harness();
    expect(await h.handle(effective('2026-12-01'))).toEqual({
      outcome: 'unknown-employee',
      reason: 'employee.moved moved-1: no onboarding of employee A0042 that a move applies to',
    });
    await h.handle(requested());
    await h.handle(event('employee.request-cancelled', {}));
    expect(await h.handle(effective('2026-12-01', {}, 'moved-2'))).toMatchObject({ outcome: 'unknown-employee' });
  });

  it('when its day has come in Paris, then it applies at once and the laptop is re-planned from the new site', async () => {
    const h = harness();
    await h.handle(requested());
    h.calls.length = 0;
    // 23:30 UTC on 1 December is 2 December in Paris: a move effective on the 2nd applies.
    expect(await h.handle(effective('2026-12-02'))).toEqual({ outcome: 'applied', onboardingId: 'A0042.1' });
    expect(h.onboardings.stored('A0042.1').department).toBe('Direction des finances');
    expect(h.calls).toEqual(['replan A0042.1']);
  });

  it('when its day has not come, then it is planned, and looked at again at the start of that day in Paris, in a message that continues the trace and is named by the instant', async () => {
    const h = harness();
    await h.handle(requested());
    h.calls.length = 0;
    const move = effective('2026-12-03');
    await h.handle(move, TRACE);
    const o = h.onboardings.stored('A0042.1');
    expect(o.department).toBe('Direction des lycées');
    expect(o.plannedMove).toMatchObject({ eventId: 'moved-1', effectiveDate: '2026-12-03' });
    const start = startOfDayInParis('2026-12-03');
    expect(h.calls).toEqual([`send ${QUEUES.hrEvents}`]);
    expect(h.bus).toEqual([
      {
        messageId: `moved-1/effective/${start.toISOString()}`,
        body: move,
        subject: 'employee.moved',
        contentType: 'application/json',
        scheduledEnqueueTime: start,
        applicationProperties: { traceparent: TRACE },
      },
    ]);
  });

  it('when its day is months away, then the look again is a hop of at most 30 days that lands a whole number of hops before that day', async () => {
    const h = harness();
    await h.handle(requested());
    await h.handle(effective('2027-04-01'));
    const at = h.bus[0]?.scheduledEnqueueTime?.getTime() ?? 0;
    const due = startOfDayInParis('2027-04-01').getTime();
    const hop = 30 * 24 * 3600 * 1000;
    expect(at).toBeGreaterThan(NOW.getTime());
    expect(at).toBeLessThanOrEqual(NOW.getTime() + hop);
    expect((due - at) % hop).toBe(0);
    expect(h.bus[0]).not.toHaveProperty('applicationProperties');
  });

  it('when the move applies to an onboarding that is over, then the latest one not over is moved', async () => {
    const h = harness();
    await h.handle(requested());
    const open = h.onboardings.stored('A0042.1');
    h.put({ ...open, id: 'A0042.2', sequence: 2, status: 'cancelled', eventIds: ['other'] });
    expect(await h.handle(effective('2026-12-01'))).toEqual({ outcome: 'applied', onboardingId: 'A0042.1' });
  });

  it('when the same move comes again (its look on the day), then nothing new, and the laptop is re-planned', async () => {
    const h = harness();
    await h.handle(requested());
    await h.handle(effective('2026-12-01'));
    h.calls.length = 0;
    expect(await h.handle(effective('2026-12-01'))).toEqual({ outcome: 'duplicate', onboardingId: 'A0042.1' });
    expect(h.calls).toEqual(['replan A0042.1']);
  });
});
