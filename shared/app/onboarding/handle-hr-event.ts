import { HR } from '../../domain/actor';
import { intakeOfHire, isOpen, openOnboarding, type Intake } from '../../domain/decide';
import { onboardingId } from '../../domain/onboarding-id';
import { dayInParis, startOfDayInParis } from '../../domain/paris-time';
import type { Clock } from '../../ports/clock';
import type { DepartureGuard } from '../../ports/departure-guard';
import type { Directory, DirectoryAgent } from '../../ports/directory';
import type { LaptopPool } from '../../ports/laptop-pool';
import type { MessageBus } from '../../ports/message-bus';
import { AlreadyExists, type OnboardingStore, type Versioned } from '../../ports/onboarding-store';
import { TransientError } from '../../ports/provisioners';
import type { EmployeeMoved, EquipmentRequested, HrEvent } from '../../schemas/hr-events';
import type { Onboarding } from '../../schemas/onboarding';
import { newTraceparent, recordChange } from '../../telemetry/telemetry';
import { DEPARTURE_HOP_MS, departureDueAt, type ScheduleDeparture } from '../departures/departures';
import { boundedMessageId } from '../message-id';
import type { Announce } from '../notifications/notifications';
import { QUEUES } from '../queues';
import type { ScheduleApprovalDeadlines } from './approval-deadlines';
import type { LeadTimes } from './lead-times';
import type { OnboardingWriter } from './onboarding-writer';

export type HrEventOutcome =
  | { outcome: 'created'; onboardingId: string }
  | { outcome: 'applied'; onboardingId: string }
  | { outcome: 'duplicate'; onboardingId: string }
  | { outcome: 'no-onboarding' }
  /** An employee the service has no onboarding of (a mover who was never onboarded): set aside, with why. */
  | { outcome: 'unknown-employee'; reason: string };

const MAX_CREATE_RACES = 5;

/** The events that open an onboarding. */
type Opening = Extract<HrEvent, { type: 'employee.hired' | 'employee.equipment-requested' }>;

/**
 * Applies one HR event. Idempotent: an event id already recorded on one of the employee's onboardings
 * changes nothing, so a redelivered or re-posted event is harmless.
 */
export function createHandleHrEvent(deps: {
  store: OnboardingStore;
  writer: OnboardingWriter;
  bus: MessageBus;
  clock: Clock;
  /** What the directory says of an agent in post (department, site, manager), and whether the account exists. */
  directory: Pick<Directory, 'agent' | 'objectIdOf'>;
  /** The laptop an agent in post holds already. */
  laptops: Pick<LaptopPool, 'assignedTo'>;
  /** Re-plans the laptop of an onboarding whose start date, priority or site changed. */
  replanLaptop: (onboarding: Onboarding) => Promise<void>;
  /** Schedules a new onboarding's approval reminder and expiry. */
  scheduleApprovalDeadlines: ScheduleApprovalDeadlines;
  /** Tells the DSI's channel of a new onboarding awaiting approval (in the digest of its minute). */
  announce: Pick<Announce, 'created'>;
  /** Schedules the end of a leaver's last day. */
  scheduleDeparture: ScheduleDeparture;
  /** When each step is due for a start date (lead times): a moved start date re-plans what is not run. */
  leadTimes?: LeadTimes;
  /** Whether a department has a team (Provisioning__departmentTeams): the Teams step is needed there only. */
  hasTeam: (department: string) => boolean;
  /** The guard against mass departures, and its threshold (Safety__maxDeparturesPerHour). */
  departureGuard: { guard: DepartureGuard; maxPerHour: number };
}) {
  const { store, writer, clock, replanLaptop, scheduleApprovalDeadlines, announce, scheduleDeparture } = deps;

  /** What a hire or an equipment request opens. An agent in post's department and site are the directory's. */
  async function intakeOf(event: Opening): Promise<Intake> {
    if (event.type === 'employee.hired') {
      const intake = intakeOfHire(event, deps.hasTeam(event.employee.department));
      const manager = intake.managerUpn === null ? null : await deps.directory.objectIdOf(intake.managerUpn);
      return manager === null ? intake : { ...intake, managerObjectId: manager };
    }
    return equipmentIntake(event);
  }

  /** The manager's object id: the one the request names, else the directory's manager of the agent. */
  async function managerOf(
    named: string | undefined,
    agent: DirectoryAgent | null,
  ): Promise<{ managerObjectId?: string }> {
    const id = named !== undefined ? await deps.directory.objectIdOf(named) : (agent?.managerObjectId ?? null);
    return id === null ? {} : { managerObjectId: id };
  }

  async function equipmentIntake(event: EquipmentRequested): Promise<Intake> {
    const { employee, needs } = event;
    const [agent, held] = await Promise.all([
      deps.directory.agent(employee.userPrincipalName),
      deps.laptops.assignedTo(employee.userPrincipalName),
    ]);
    const department = employee.department ?? agent?.department ?? '';
    const replaces = event.replaces ?? null;
    // A laptop the agent holds already is not given twice, unless the request replaces that very one.
    const keepsTheirs =
      needs.laptop && held !== null && held.serialNumber.toUpperCase() !== replaces?.serialNumber.toUpperCase();
    return {
      kind: 'equipment',
      employeeId: employee.employeeId,
      userPrincipalName: employee.userPrincipalName,
      displayName: agent?.displayName ?? employee.userPrincipalName,
      department,
      site: employee.site ?? agent?.site ?? null,
      priority: employee.priority,
      startDate: employee.neededBy ?? dayInParis(clock.now()),
      managerUpn: employee.managerUpn ?? agent?.managerUpn ?? null,
      ...(await managerOf(employee.managerUpn, agent)),
      needs: { ...needs, teams: needs.teams && deps.hasTeam(department) },
      replaces,
      ...(event.reason ? { reason: event.reason } : {}),
      ...(keepsTheirs ? { alreadyHeld: { laptop: `the agent already holds laptop ${held.serialNumber}` } } : {}),
      ...(event.requestedBy
        ? { requestedBy: { name: event.requestedBy.userPrincipalName, id: event.requestedBy.objectId } }
        : {}),
    };
  }

  /** Opens an onboarding for the event (a concurrent one that took the id: null, look again). */
  async function open(event: Opening, sequence: number, at: string, traceparent?: string): Promise<string | null> {
    const created = openOnboarding(
      { id: onboardingId(event.employee.employeeId, sequence), sequence },
      { eventId: event.eventId, at, intake: await intakeOf(event), traceparent: traceparent ?? newTraceparent() },
    );
    try {
      await store.create(created.state);
    } catch (err) {
      if (err instanceof AlreadyExists) return null;
      throw err;
    }
    recordChange(created.state, created.history);
    await scheduleApprovalDeadlines(created.state);
    await announce.created(created.state);
    return created.state.id;
  }

  /**
   * A move's effective day, not yet come: the event is looked at again at the start of that day in Paris (or at
   * the next hop towards it, so that no message outlives the queue's time to live); the id names the instant,
   * so that a redelivery schedules it once.
   */
  async function lookAgainWhenEffective(event: EmployeeMoved, traceparent?: string): Promise<void> {
    const due = startOfDayInParis(event.employee.effectiveDate).getTime();
    const now = clock.now().getTime();
    const hops = Math.max(0, Math.ceil((due - now) / DEPARTURE_HOP_MS) - 1);
    const at = new Date(due - hops * DEPARTURE_HOP_MS);
    await deps.bus.send(QUEUES.hrEvents, [
      {
        messageId: boundedMessageId(`${event.eventId}/effective/${at.toISOString()}`),
        body: event,
        subject: event.type,
        contentType: 'application/json',
        scheduledEnqueueTime: at,
        ...(traceparent ? { applicationProperties: { traceparent } } : {}),
      },
    ]);
  }

  async function applyMove(
    event: EmployeeMoved,
    target: Versioned<Onboarding>,
    at: string,
    traceparent?: string,
  ): Promise<void> {
    const due = startOfDayInParis(event.employee.effectiveDate).getTime() <= clock.now().getTime();
    const { department, site, effectiveDate } = event.employee;
    const changed = await writer.apply(
      target.value.id,
      () => ({
        type: 'moved',
        eventId: event.eventId,
        at,
        ...(department !== undefined ? { department } : {}),
        ...(site !== undefined ? { site } : {}),
        effectiveDate,
        due,
      }),
      target,
    );
    if (!due) await lookAgainWhenEffective(event, traceparent);
    // A laptop still in line is served from the new site's stock first: a pass reads the line anew.
    else if (changed) await replanLaptop(changed);
  }

  /** `traceparent`: the trace the event came with; a new onboarding's trace continues it. */
  return async function handleHrEvent(event: HrEvent, traceparent?: string): Promise<HrEventOutcome> {
    const at = clock.now().toISOString();
    for (let i = 0; i < MAX_CREATE_RACES; i++) {
      const onboardings = await store.listForEmployee(event.employee.employeeId);
      const seen = onboardings.find((o) => o.value.eventIds.includes(event.eventId));
      if (seen) {
        // A redelivery after a crash: finish what the first delivery may have left undone.
        await writer.flushOutbox(seen);
        if (event.type === 'employee.start-date-changed' || event.type === 'employee.priority-changed') {
          await replanLaptop(seen.value);
        }
        if (event.type === 'employee.moved') await replanLaptop(seen.value);
        if (event.type === 'employee.left') await scheduleDeparture(seen.value);
        // The event that opened it: its deadlines may not have been scheduled (ids make a re-send a no-op).
        if (seen.value.eventIds[0] === event.eventId && seen.value.status === 'awaiting-approval') {
          await scheduleApprovalDeadlines(seen.value);
          await announce.created(seen.value);
        }
        return { outcome: 'duplicate', onboardingId: seen.value.id };
      }
      const latest = onboardings[0];
      if (event.type === 'employee.hired' || event.type === 'employee.equipment-requested') {
        // One open onboarding an employee: another hire or request while it is open is recorded on it. A leaver's
        // onboarding is over: a later one opens a new onboarding.
        const current = onboardings.find((o) => isOpen(o.value.status));
        if (current) {
          await writer.apply(current.value.id, () => ({ type: 'hired', eventId: event.eventId, at }), current);
          return { outcome: 'applied', onboardingId: current.value.id };
        }
        const id = await open(event, (latest?.value.sequence ?? 0) + 1, at, traceparent);
        if (id === null) continue; // a concurrent one took this id: look again
        return { outcome: 'created', onboardingId: id };
      }
      if (event.type === 'employee.moved') {
        // The latest onboarding that is not over; none: an employee the service does not know.
        const target = onboardings.find((o) => !['rejected', 'cancelled', 'left'].includes(o.value.status));
        if (!target) {
          return {
            outcome: 'unknown-employee',
            reason: `${event.type} ${event.eventId}: no onboarding of employee ${event.employee.employeeId} that a move applies to`,
          };
        }
        await applyMove(event, target, at, traceparent);
        return { outcome: 'applied', onboardingId: target.value.id };
      }
      if (!latest) return { outcome: 'no-onboarding' };
      const target = latest.value.id;
      switch (event.type) {
        case 'employee.hire-cancelled':
          await writer.apply(target, () => ({ type: 'hire-cancelled', eventId: event.eventId, at }), latest);
          break;
        case 'employee.request-cancelled': {
          // The latest open onboarding, of either kind; none open: recorded on the latest, which it does not change.
          const current = onboardings.find((o) => isOpen(o.value.status)) ?? latest;
          await writer.apply(current.value.id, () => ({ type: 'hire-cancelled', eventId: event.eventId, at }), current);
          return { outcome: 'applied', onboardingId: current.value.id };
        }
        case 'employee.start-date-changed': {
          const changed = await writer.apply(
            target,
            () => ({
              type: 'start-date-changed',
              eventId: event.eventId,
              at,
              startDate: event.employee.startDate,
              ...(deps.leadTimes ? { notBefore: deps.leadTimes(event.employee.startDate) } : {}),
            }),
            latest,
          );
          // Re-plan what is not done: a laptop request in line moves with its start date.
          if (changed) await replanLaptop(changed);
          break;
        }
        case 'employee.priority-changed': {
          // The open onboarding's; none open: recorded on the latest, which it does not change.
          const current = onboardings.find((o) => isOpen(o.value.status)) ?? latest;
          const changed = await writer.apply(
            current.value.id,
            () => ({ type: 'priority-changed', eventId: event.eventId, at, by: HR, priority: event.employee.priority }),
            current,
          );
          // Served in the new order from the next pass: one now (a continuity agent may take a reservation).
          if (changed) await replanLaptop(changed);
          return { outcome: 'applied', onboardingId: current.value.id };
        }
        case 'employee.left': {
          const { lastDay } = event.employee;
          // A departure that would remove access (a completed onboarding) is counted by the guard first.
          const { guard, maxPerHour } = deps.departureGuard;
          const held =
            latest.value.status === 'completed' && !(await guard.admit(target, clock.now(), maxPerHour))
              ? { held: { maxPerHour } }
              : {};
          const changed = await writer.apply(
            target,
            () => ({ type: 'left', eventId: event.eventId, at, lastDay, dueAt: departureDueAt(lastDay), ...held }),
            latest,
          );
          if (changed) await scheduleDeparture(changed);
          break;
        }
      }
      return { outcome: 'applied', onboardingId: target };
    }
    throw new TransientError(`too many concurrent hires for ${event.employee.employeeId}; try again`);
  };
}
