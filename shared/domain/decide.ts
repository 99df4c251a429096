import type { AccessoryItem } from '../schemas/accessories';
import type { EmployeeHired } from '../schemas/hr-events';
import {
  ONBOARDING_SCHEMA_VERSION,
  STEP_NAMES,
  type HistoryEntry,
  type Onboarding,
  type OnboardingKind,
  type OnboardingStatus,
  type RequestReason,
  type Step,
  type StepCommand,
  type StepName,
  type StoredNeeds,
  type WaitingOn,
} from '../schemas/onboarding';
import type { Priority } from '../schemas/hr-events';
import { HR, SYSTEM, type Actor } from './actor';
import { DomainError, ErrorCodes } from './errors';
import type { HistoryType } from './history-types';
import { isBlocked, STEPS, stepsAfter } from './steps';
import { lacksAccount } from './waiting-on';

/** What opens an onboarding: a hire, or equipment requested for an agent in post. */
export interface Intake {
  kind: OnboardingKind;
  employeeId: string;
  userPrincipalName: string;
  displayName: string;
  department: string;
  site: string | null;
  priority: Priority;
  /** A hire's start date, or the day an equipment request is needed by. */
  startDate: string;
  usageLocation?: string;
  managerUpn: string | null;
  /** The manager's object id, when the directory knows the account: who sees the arrival (GET /api/me/arrivals). */
  managerObjectId?: string;
  /** What is needed, resolved (Teams only where the department has a team). */
  needs: StoredNeeds;
  replaces: { serialNumber: string } | null;
  reason?: RequestReason;
  /** Steps not needed because the agent has their effect already, and why (the laptop they hold). */
  alreadyHeld?: Partial<Record<StepName, string>>;
  /** Who asked (the person who imported the CODIR's list); otherwise HR. */
  requestedBy?: Actor;
}

/** The intake of a hire (`teams`: whether the hire's department has a team). */
export function intakeOfHire(hire: EmployeeHired, teams = false): Intake {
  const { employee, needs } = hire;
  return {
    kind: 'hire',
    employeeId: employee.employeeId,
    userPrincipalName: employee.userPrincipalName,
    displayName: `${employee.givenName} ${employee.surname}`,
    department: employee.department,
    site: employee.site ?? null,
    priority: employee.priority,
    startDate: employee.startDate,
    ...(employee.usageLocation ? { usageLocation: employee.usageLocation } : {}),
    managerUpn: employee.managerUpn ?? null,
    needs: { ...needs, teams: needs.teams && teams },
    replaces: null,
  };
}

/** Everything that can happen to an onboarding. */
export type OnboardingEvent =
  /** Another hire of the employee while this onboarding is open: recorded, nothing else changes. */
  | { type: 'hired'; eventId: string; at: string }
  | {
      type: 'decided';
      at: string;
      by: Actor;
      decision: 'approve' | 'reject';
      comment?: string;
      /** The agent's object id in Entra ID, when the directory knows the account: four-eyes compares ids. */
      agentObjectId?: string;
      /**
       * The directory has no such account. An agent in post's must exist (it is not created for them): their
       * request needs attention at once, and no laptop is held for it.
       */
      accountMissing?: boolean;
      /** Lead times: a step not to run before this instant (the setting's days before the start date). */
      notBefore?: StepSchedule;
    }
  /**
   * Step outcomes. `startedAt`: when the run that came to it began; a step that was pending gets its
   * `step.started` entry then, in the same write (the run does not write when it starts). `agentObjectId`:
   * the agent's account as the run found it in the directory, kept when the onboarding did not know it yet.
   */
  | {
      type: 'step-succeeded';
      at: string;
      step: StepName;
      serialNumber?: string;
      detail?: string;
      /** The team joined, and that membership (the `teams` step). */
      groupId?: string;
      membershipId?: string;
      /** The agent had it before this onboarding (an agent in post). */
      preExisting?: true;
      /** The accessories handed out, kind by kind. */
      items?: AccessoryItem[];
      /** The laptop is from another site's stock than the agent's. */
      fromSite?: string;
      startedAt?: string;
      agentObjectId?: string;
    }
  /** The step has nothing to do for this agent (a department without a team). */
  | { type: 'step-skipped'; at: string; step: StepName; detail: string; startedAt?: string; agentObjectId?: string }
  /** Nothing free: the step waits (re-checked by its worker, or resumed when stock comes back). */
  | {
      type: 'step-waiting';
      at: string;
      step: StepName;
      detail: string;
      /** The accessories step: what is given already, what still waits. */
      items?: AccessoryItem[];
      startedAt?: string;
      agentObjectId?: string;
    }
  | {
      type: 'step-retrying';
      at: string;
      startedAt?: string;
      step: StepName;
      reason: string;
      retry: number;
      notBefore: string;
      agentObjectId?: string;
      /** Which command is retried: provisioning (default) or its undo after a cancellation. */
      command?: 'run-step' | 'revert-step';
      /**
       * `account`: the directory has no such account (yet): the step waits for it, visibly, until it appears
       * (HR's provisioning is late) or a person corrects the upn; nothing is made and no laptop held meanwhile.
       */
      waitingOn?: Extract<WaitingOn, 'account'>;
    }
  | { type: 'step-revert-failed'; at: string; step: StepName; message: string }
  /**
   * Four-eyes, seen once the agent's account appeared in the directory (it was not there when the onboarding
   * was approved, so only the upn could be compared then): the approver's object id is the agent's. The
   * approval is void, before anything is provisioned; another person must decide.
   */
  | { type: 'self-approval-found'; at: string; agentObjectId: string }
  | {
      type: 'step-failed';
      at: string;
      step: StepName;
      code: string;
      message: string;
      startedAt?: string;
      agentObjectId?: string;
    }
  /** `note`: what the undo left in place on purpose (a licence inherited from a group...). */
  | { type: 'step-reverted'; at: string; step: StepName; note?: string }
  | { type: 'retry-requested'; at: string; by: Actor }
  /**
   * A person corrects the agent's upn while the directory has no such account (a step waits for it, or failed
   * with UserNotFound): the steps that lacked it run again for the new one.
   */
  | {
      type: 'upn-corrected';
      at: string;
      by: Actor;
      userPrincipalName: string;
      /** An agent in post's request: who the directory says the new upn is (the request only had the upn). */
      agent?: { displayName: string; department: string; site: string | null };
    }
  /**
   * The person who decided takes the decision back, within `undoMinutes` of it and before any step started:
   * awaiting approval again. A new history entry; nothing in the history is rewritten.
   */
  | { type: 'decision-undone'; at: string; by: Actor; undoMinutes: number }
  /**
   * An approval deadline came (scheduled when the onboarding was created): still awaiting approval, it is
   * reminded once, or rejected by the service when the approval expires. Once decided, it changes nothing.
   */
  | { type: 'approval-deadline'; at: string; deadline: 'reminder' | 'expiry' }
  | { type: 'hire-cancelled'; eventId: string; at: string }
  | { type: 'start-date-changed'; eventId: string; at: string; startDate: string; notBefore?: StepSchedule }
  /**
   * The priority changes (HR's `employee.priority-changed`, with its event id, or the DSI's PATCH): laptops
   * are served in the new order from the next allocation pass on.
   */
  | { type: 'priority-changed'; eventId?: string; at: string; by: Actor; priority: Priority }
  /**
   * HR's `employee.moved`: `due` when its effective day has come (it applies then: department and site change,
   * the department's team is swapped); not yet due, it is planned (and applied when its scheduled look comes).
   */
  | {
      type: 'moved';
      eventId: string;
      at: string;
      department?: string;
      site?: string;
      effectiveDate: string;
      due: boolean;
    }
  /** HR's `employee.left`: `dueAt` is the end of `lastDay` in Europe/Paris, when access is removed. */
  | {
      type: 'left';
      eventId: string;
      at: string;
      lastDay: string;
      dueAt: string;
      /**
       * Past the guard against mass departures (more than `maxPerHour` within an hour): held, nothing removed,
       * until a person confirms it or HR sends the event again.
       */
      held?: { maxPerHour: number };
    }
  /** A person confirms a departure the guard held: it runs as usual from now on. */
  | { type: 'departure-confirmed'; at: string; by: Actor }
  /** A leaver's last day ended (a scheduled message for that last day): access is removed, the laptop expected. */
  | { type: 'departure-due'; at: string; lastDay: string }
  /**
   * A Temporary Access Pass was issued for the agent's first sign-in, at a person's request: its validity is
   * recorded, never the pass.
   */
  | {
      type: 'access-pass-issued';
      at: string;
      by: Actor;
      startDateTime: string;
      lifetimeInMinutes: number;
      isUsableOnce: boolean;
    }
  /**
   * The laptop reached its agent: picked up at a site, or delivered (with its tracking number). Once only; the
   * device an equipment request replaces is expected back from then on.
   */
  | {
      type: 'laptop-handed-over';
      at: string;
      by: Actor;
      serialNumber: string;
      method: 'pickup' | 'delivery';
      trackingNumber?: string;
      comment?: string;
    }
  /**
   * The DSI recorded the return of the leaver's laptop (`ok`: back in stock; `repair`: kept out), or of the
   * device an equipment request replaced.
   */
  | {
      type: 'laptop-returned';
      at: string;
      by: Actor;
      serialNumber: string;
      condition: 'ok' | 'repair';
      comment?: string;
    };

/** When steps are due (lead times): an instant a step, for those that have one. */
export type StepSchedule = Partial<Record<StepName, string>>;

/** The outcome of `decide`: the new state, the commands it implies and what to add to the history. */
export interface Decision {
  state: Onboarding;
  commands: StepCommand[];
  history: HistoryEntry[];
  /** False when the event was already applied (a redelivery): nothing to write. */
  changed: boolean;
}

/** The identity of a new onboarding, chosen by the caller (the store knows the next sequence). */
export interface NewOnboardingIdentity {
  id: string;
  sequence: number;
}

/** Statuses of an onboarding still under way: what a hire, a priority change or a leaver's cancellation applies to. */
const OPEN: readonly OnboardingStatus[] = ['awaiting-approval', 'provisioning', 'needs-attention'];

/** Step statuses a cancellation's undo applies to (skipped: a waiting step whose place in line is withdrawn). */
const UNDOABLE: readonly Step['status'][] = ['done', 'in-progress', 'failed', 'skipped'];

/** Approved and being equipped: provisioning, or needing attention. */
function isRunning(status: OnboardingStatus): boolean {
  return status === 'provisioning' || status === 'needs-attention';
}

/** Under way: awaiting approval, provisioning or needing attention (not finished, not a leaver). */
export function isOpen(status: OnboardingStatus): boolean {
  return OPEN.includes(status);
}

/**
 * Whether the step's effect is being undone: a cancelled onboarding's (whatever it did), or a leaver's VPN
 * and licence once the last day ended.
 */
export function isUndoing(o: Onboarding, step: StepName): boolean {
  const status = o.steps[step].status;
  if (o.status === 'cancelled') return UNDOABLE.includes(status);
  // An approval withdrawn: the laptop's place in line (or a laptop reserved meanwhile) is given back.
  if (o.status === 'awaiting-approval') return step === 'laptop' && status === 'pending';
  return (
    o.status === 'leaving' &&
    o.departure?.accessRemovedAt !== undefined &&
    takenBackAtAccessEnd(o, step) &&
    status === 'done'
  );
}

/**
 * What a departure undoes at the end of the last day: the agent's access; and what they hold besides a laptop
 * (accessories) when no laptop is to come back, which it would otherwise come back with.
 */
function takenBackAtAccessEnd(o: Onboarding, step: StepName): boolean {
  if (STEPS[step].access) return true;
  return step !== 'laptop' && !['done', 'returning'].includes(o.steps.laptop.status);
}

/** Creates an onboarding: awaiting approval, each step pending, or skipped where not needed (or held already). */
export function openOnboarding(
  identity: NewOnboardingIdentity,
  event: { eventId: string; at: string; intake: Intake; traceparent?: string },
): Decision {
  const { intake, at } = event;
  const needed: Record<StepName, boolean> = {
    laptop: intake.needs.laptop,
    vpn: intake.needs.vpn,
    officeLicense: intake.needs.officeLicense,
    teams: intake.needs.teams,
    accessories: intake.needs.accessories.length > 0,
  };
  const step = (name: StepName): Step => {
    const held = intake.alreadyHeld?.[name];
    if (needed[name] && held === undefined) return { status: 'pending', updatedAt: at, attempt: 0 };
    return { status: 'skipped', updatedAt: at, attempt: 0, ...(held !== undefined ? { detail: held } : {}) };
  };
  const entry: HistoryEntry = {
    at,
    type: 'onboarding.created',
    actor: (intake.requestedBy ?? HR).name,
    ...(intake.requestedBy?.id !== undefined ? { actorId: intake.requestedBy.id } : {}),
    details: {
      eventId: event.eventId,
      kind: intake.kind,
      startDate: intake.startDate,
      priority: intake.priority,
      needs: intake.needs,
      ...(intake.replaces ? { replaces: intake.replaces.serialNumber } : {}),
      ...(intake.reason ? { reason: intake.reason } : {}),
      ...(intake.alreadyHeld ? { alreadyHeld: intake.alreadyHeld } : {}),
    },
  };
  const state: Onboarding = {
    id: identity.id,
    docType: 'onboarding',
    schemaVersion: ONBOARDING_SCHEMA_VERSION,
    kind: intake.kind,
    employeeId: intake.employeeId,
    sequence: identity.sequence,
    userPrincipalName: intake.userPrincipalName,
    displayName: intake.displayName,
    department: intake.department,
    site: intake.site,
    priority: intake.priority,
    startDate: intake.startDate,
    ...(intake.usageLocation ? { usageLocation: intake.usageLocation } : {}),
    status: 'awaiting-approval',
    decision: null,
    needs: intake.needs,
    managerUpn: intake.managerUpn,
    ...(intake.managerObjectId !== undefined ? { managerObjectId: intake.managerObjectId } : {}),
    replaces: intake.replaces,
    ...(intake.reason ? { reason: intake.reason } : {}),
    steps: {
      laptop: step('laptop'),
      vpn: step('vpn'),
      officeLicense: step('officeLicense'),
      teams: step('teams'),
      accessories: step('accessories'),
    },
    createdAt: at,
    updatedAt: at,
    eventIds: [event.eventId],
    history: [entry],
    outbox: [],
    ...(event.traceparent ? { traceparent: event.traceparent } : {}),
  };
  return { state, commands: [], history: [entry], changed: true };
}

/** Creates the onboarding of a hire (whose department has no team unless `teams`). */
export function startOnboarding(
  identity: NewOnboardingIdentity,
  event: { type?: 'hired'; eventId: string; at: string; hire: EmployeeHired; traceparent?: string; teams?: boolean },
): Decision {
  return openOnboarding(identity, {
    eventId: event.eventId,
    at: event.at,
    intake: intakeOfHire(event.hire, event.teams),
    ...(event.traceparent ? { traceparent: event.traceparent } : {}),
  });
}

/**
 * The onboarding state machine: applies one event to the current state.
 * Pure: the caller stores `state` (with `history` appended) and sends `commands`.
 * Throws DomainError for an action the life cycle forbids.
 */
export function decide(current: Onboarding, event: OnboardingEvent): Decision {
  if ('eventId' in event && event.eventId !== undefined && current.eventIds.includes(event.eventId)) {
    return { state: current, commands: [], history: [], changed: false };
  }
  const b = new Builder(current, event.at);
  if ('step' in event) b.consume(event.step);
  if ('agentObjectId' in event && event.type !== 'decided' && event.agentObjectId !== undefined) {
    b.identify(event.agentObjectId);
  }
  switch (event.type) {
    case 'hired':
      b.recordEvent(event.eventId);
      b.log(HR, 'hire.duplicate', {
        eventId: event.eventId,
        detail: `an onboarding is already open for ${current.employeeId}; nothing else changed`,
      });
      break;
    case 'decided':
      decideApproval(b, event);
      break;
    case 'step-succeeded':
      stepSucceeded(b, event);
      break;
    case 'step-skipped':
      if (b.acceptsStepProgress(event.step, ['pending', 'in-progress', 'waiting'])) {
        b.started(event.step, event.startedAt);
        b.setStep(event.step, {
          status: 'skipped',
          detail: event.detail,
          groupId: undefined,
          membershipId: undefined,
          previousGroupId: undefined,
        });
        b.log(SYSTEM, 'step.skipped', { step: event.step, detail: event.detail });
        startDependents(b, event.step);
        b.settle();
      }
      break;
    case 'step-waiting':
      if (b.acceptsStepProgress(event.step, ['pending', 'in-progress', 'waiting'])) {
        const previous = b.state.steps[event.step];
        // A re-check that finds nothing new changes nothing, and writes nothing.
        if (previous.status === 'waiting' && previous.detail === event.detail) break;
        b.started(event.step, event.startedAt);
        b.setStep(event.step, {
          status: 'waiting',
          detail: event.detail,
          ...(event.items !== undefined ? { items: event.items } : {}),
        });
        b.log(SYSTEM, 'step.waiting', { step: event.step, detail: event.detail });
      }
      break;
    case 'step-retrying': {
      const command = event.command ?? 'run-step';
      const accepted =
        command === 'run-step'
          ? b.acceptsStepProgress(event.step, ['pending', 'in-progress', 'waiting'])
          : isUndoing(b.state, event.step);
      if (accepted) {
        if (command === 'run-step') b.started(event.step, event.startedAt);
        const attempt = b.state.steps[event.step].attempt;
        if (command === 'run-step' && event.waitingOn === 'account') {
          // Said once, when the step starts to wait for the account; each look again is a retry entry.
          const first = b.state.steps[event.step].waitingOn !== 'account';
          const detail = accountMissing(b.state.userPrincipalName);
          b.setStep(event.step, { status: 'waiting', waitingOn: 'account', detail });
          if (first) b.log(SYSTEM, 'step.waiting', { step: event.step, waitingOn: 'account', detail });
        } else {
          b.setStep(event.step, { detail: `retry ${event.retry} after a transient fault: ${event.reason}` });
        }
        b.command({ type: command, step: event.step, attempt, retry: event.retry, notBefore: event.notBefore });
        b.log(SYSTEM, command === 'run-step' ? 'step.retry-scheduled' : 'step.revert-retry-scheduled', {
          step: event.step,
          retry: event.retry,
          reason: event.reason,
          notBefore: event.notBefore,
        });
      }
      break;
    }
    case 'step-revert-failed':
      // The undo gave up: the step says so (failed, with the reason), for the DSI to undo by hand.
      if (isUndoing(b.state, event.step)) {
        b.setStep(event.step, { status: 'failed', detail: `revert failed: ${event.message}` });
        b.log(SYSTEM, 'step.revert-failed', { step: event.step, message: event.message });
      }
      break;
    case 'step-failed':
      if (b.acceptsStepProgress(event.step, ['pending', 'in-progress', 'waiting'])) {
        b.started(event.step, event.startedAt);
        const detail = `${event.code}: ${event.message}`;
        b.setStep(event.step, { status: 'failed', detail });
        b.log(SYSTEM, 'step.failed', { step: event.step, code: event.code, message: event.message });
        b.settle();
      }
      break;
    case 'step-reverted':
      // A step skipped at cancellation (it was waiting) had its request withdrawn: it stays skipped.
      if (
        (b.state.status === 'cancelled' &&
          ['done', 'in-progress', 'failed'].includes(b.state.steps[event.step].status)) ||
        (b.state.status === 'leaving' && isUndoing(b.state, event.step))
      ) {
        b.setStep(event.step, { status: 'reverted', detail: event.note });
        b.log(SYSTEM, 'step.reverted', { step: event.step, ...(event.note ? { note: event.note } : {}) });
        b.settleDeparture();
      }
      break;
    case 'retry-requested':
      retry(b, event.by);
      break;
    case 'upn-corrected':
      correctUpn(b, event);
      break;
    case 'decision-undone':
      undoDecision(b, event);
      break;
    case 'self-approval-found':
      if (isRunning(b.state.status) && b.state.decision?.byId === event.agentObjectId) {
        withdrawApproval(b, SYSTEM, 'onboarding.approval-voided', {
          reason: 'the approver is the agent (same object id in the directory); another person must decide',
          approverId: event.agentObjectId,
        });
      }
      break;
    case 'approval-deadline':
      approvalDeadline(b, event);
      break;
    case 'hire-cancelled':
      cancel(b, event.eventId);
      break;
    case 'priority-changed':
      changePriority(b, event);
      break;
    case 'left':
      leave(b, event);
      break;
    case 'departure-confirmed':
      if (isHeld(b.state)) {
        b.state.departure = withoutHold(b.state.departure);
        b.log(event.by, 'departure.confirmed', { lastDay: b.state.departure?.lastDay });
      } else {
        throw new DomainError(ErrorCodes.illegalTransition, `onboarding ${b.state.id} has no departure held`);
      }
      break;
    case 'departure-due':
      departureDue(b, event);
      break;
    case 'laptop-returned':
      laptopReturned(b, event);
      break;
    case 'laptop-handed-over':
      handOver(b, event);
      break;
    case 'access-pass-issued':
      b.log(event.by, 'onboarding.access-pass-issued', {
        startDateTime: event.startDateTime,
        lifetimeInMinutes: event.lifetimeInMinutes,
        isUsableOnce: event.isUsableOnce,
      });
      break;
    case 'moved':
      move(b, event);
      break;
    case 'start-date-changed':
      b.recordEvent(event.eventId);
      if (b.state.startDate !== event.startDate) {
        b.log(HR, 'start-date.changed', { eventId: event.eventId, from: b.state.startDate, to: event.startDate });
        b.state.startDate = event.startDate;
        replanScheduledSteps(b, event.notBefore ?? {});
      } else {
        b.log(HR, 'start-date.unchanged', { eventId: event.eventId, startDate: event.startDate });
      }
      break;
  }
  return b.result();
}

function decideApproval(b: Builder, event: Extract<OnboardingEvent, { type: 'decided' }>): void {
  const s = b.state;
  if (s.status !== 'awaiting-approval') {
    throw new DomainError(ErrorCodes.alreadyDecided, `onboarding ${s.id} is ${s.status}, not awaiting approval`);
  }
  const agentObjectId = event.agentObjectId ?? s.agentObjectId;
  // Four-eyes by the immutable object id; the upn too, for an account the directory does not know yet.
  const sameObject = event.by.id !== undefined && agentObjectId !== undefined && event.by.id === agentObjectId;
  if (sameObject || event.by.name.toLowerCase() === s.userPrincipalName.toLowerCase()) {
    throw new DomainError(ErrorCodes.selfApproval, 'an agent may not decide on their own onboarding');
  }
  if (agentObjectId !== undefined) s.agentObjectId = agentObjectId;
  s.decision = {
    decision: event.decision,
    by: event.by.name,
    ...(event.by.id !== undefined ? { byId: event.by.id } : {}),
    at: event.at,
    ...(event.comment !== undefined ? { comment: event.comment } : {}),
  };
  b.log(event.by, event.decision === 'approve' ? 'onboarding.approved' : 'onboarding.rejected', {
    ...(event.comment !== undefined ? { comment: event.comment } : {}),
  });
  if (event.decision === 'reject') {
    s.status = 'rejected';
    for (const step of STEP_NAMES) {
      if (s.steps[step].status === 'pending') b.setStep(step, { status: 'skipped' });
    }
    return;
  }
  s.status = 'provisioning';
  if (event.accountMissing && s.kind === 'equipment') {
    // Nothing can be made for an account that does not exist; no laptop is held for it meanwhile.
    const message = `no account ${s.userPrincipalName} in the directory: an agent in post's account must exist (a mistyped upn?)`;
    for (const step of STEP_NAMES) {
      if (s.steps[step].status !== 'pending') continue;
      b.setStep(step, { status: 'failed', detail: `UserNotFound: ${message}` });
      b.log(SYSTEM, 'step.failed', { step, code: 'UserNotFound', message });
    }
    b.settle();
    return;
  }
  // A step that runs after another (Teams after the licence) starts when that one is done. No account yet (HR's
  // provisioning is late, or the upn is mistyped): the laptop's run looks for it before it takes a place in line.
  for (const step of STEP_NAMES) {
    if (s.steps[step].status === 'pending' && !isBlocked(s, step)) {
      startStep(b, step, event.notBefore?.[step], { lookFirst: event.accountMissing === true });
    }
  }
  b.settle();
}

/** The detail of a step waiting for an account the directory does not have. */
function accountMissing(userPrincipalName: string): string {
  return `no account ${userPrincipalName} in the directory: not provisioned yet, or a mistyped upn`;
}

/** The comment of a rejection by the service when nobody decided in time. */
export const APPROVAL_EXPIRED = 'approval expired';

function approvalDeadline(b: Builder, event: Extract<OnboardingEvent, { type: 'approval-deadline' }>): void {
  if (b.state.status !== 'awaiting-approval') return;
  if (event.deadline === 'expiry') {
    decideApproval(b, { type: 'decided', at: event.at, by: SYSTEM, decision: 'reject', comment: APPROVAL_EXPIRED });
  } else if (!b.state.history.some((h) => h.type === REMINDER_SENT)) {
    b.log(SYSTEM, REMINDER_SENT, { awaitingSince: b.state.createdAt });
  }
}

/** The history entry of an approval reminder. */
export const REMINDER_SENT = 'onboarding.reminder-sent' satisfies HistoryType;

/**
 * Starts a step's run: the laptop takes its place in line at once (the pool's allocation pass serves the
 * line in priority order, then resumes the step), the others run.
 */
function startStep(b: Builder, step: StepName, notBefore?: string, options: { lookFirst?: boolean } = {}): void {
  const attempt = b.state.steps[step].attempt + 1;
  if (notBefore !== undefined && notBefore > b.at) {
    // Not due yet (lead times): pending until then, run by a message scheduled for then.
    b.setStep(step, { status: 'pending', detail: undefined, attempt, notBefore });
    b.command({ type: 'run-step', step, attempt, notBefore });
  } else if (step === 'laptop' && attempt === 1 && !options.lookFirst) {
    b.setStep(step, { status: 'waiting', detail: IN_LINE, attempt });
    b.command({ type: 'request-laptop', step, attempt });
  } else {
    // A laptop retried may still hold its laptop: its run looks first, and takes its place in line if not.
    b.setStep(step, { status: 'pending', detail: undefined, attempt });
    b.command({ type: 'run-step', step, attempt });
  }
}

/** The laptop step's detail while it waits for the pool to serve it. */
export const IN_LINE = 'in line for a laptop';

function stepSucceeded(b: Builder, event: Extract<OnboardingEvent, { type: 'step-succeeded' }>): void {
  const s = b.state;
  const step = s.steps[event.step];
  const extra = {
    ...(event.serialNumber !== undefined ? { serialNumber: event.serialNumber } : {}),
    ...(event.detail !== undefined ? { detail: event.detail } : {}),
    ...(event.groupId !== undefined ? { groupId: event.groupId } : {}),
    ...(event.membershipId !== undefined ? { membershipId: event.membershipId } : {}),
    ...(event.preExisting ? { preExisting: true as const } : {}),
    ...(event.items !== undefined ? { items: event.items } : {}),
    ...(event.fromSite !== undefined ? { fromSite: event.fromSite } : {}),
  };
  if (s.status === 'cancelled' && ['in-progress', 'reverted', 'skipped'].includes(step.status)) {
    // The effect landed after the cancellation: record it and undo it.
    const attempt = step.attempt + 1;
    b.setStep(event.step, { status: 'done', attempt, ...extra });
    b.log(SYSTEM, 'step.done', { step: event.step, ...extra, note: 'after cancellation; reverting' });
    b.command({ type: 'revert-step', step: event.step, attempt });
    return;
  }
  if (!b.acceptsStepProgress(event.step, ['pending', 'in-progress', 'waiting'])) return;
  b.started(event.step, event.startedAt);
  b.setStep(event.step, { status: 'done', detail: event.detail, previousGroupId: undefined, ...extra });
  b.log(SYSTEM, 'step.done', { step: event.step, ...extra });
  startDependents(b, event.step);
  b.settle();
}

/** `step` is done: the steps that waited for it (Teams for the licence) start, once nothing else holds them. */
function startDependents(b: Builder, step: StepName): void {
  for (const next of stepsAfter(step)) {
    if (b.state.steps[next].status === 'pending' && !isBlocked(b.state, next)) startStep(b, next);
  }
}

function retry(b: Builder, by: Actor): void {
  const s = b.state;
  if (s.status !== 'needs-attention') {
    throw new DomainError(
      ErrorCodes.notRetryable,
      `onboarding ${s.id} is ${s.status}; only needs-attention can be retried`,
    );
  }
  const failed = STEP_NAMES.filter((step) => s.steps[step].status === 'failed');
  s.status = 'provisioning';
  for (const step of failed) startStep(b, step);
  b.log(by, 'onboarding.retry-requested', { steps: failed });
}

function correctUpn(b: Builder, event: Extract<OnboardingEvent, { type: 'upn-corrected' }>): void {
  const s = b.state;
  const lacking = STEP_NAMES.filter((step) => lacksAccount(s.steps[step]));
  if (!isRunning(s.status) || lacking.length === 0) {
    throw new DomainError(
      ErrorCodes.upnNotCorrectable,
      `onboarding ${s.id} is ${s.status} and no step lacks the account ${s.userPrincipalName}; the upn is HR's to change`,
    );
  }
  if (event.userPrincipalName.toLowerCase() === s.userPrincipalName.toLowerCase()) return;
  b.log(event.by, 'onboarding.upn-corrected', {
    from: s.userPrincipalName,
    to: event.userPrincipalName,
    steps: lacking,
  });
  s.userPrincipalName = event.userPrincipalName;
  if (event.agent && s.kind === 'equipment') {
    s.displayName = event.agent.displayName;
    s.department = event.agent.department || s.department;
    s.site = event.agent.site ?? s.site;
  }
  delete s.agentObjectId;
  s.status = 'provisioning';
  for (const step of lacking) {
    // A new run of each: it looks for the new account first (the laptop too, before any place in line).
    const attempt = s.steps[step].attempt + 1;
    b.setStep(step, { status: 'pending', detail: undefined, attempt });
    if (!isBlocked(s, step)) b.command({ type: 'run-step', step, attempt });
  }
}

/** A step that may have begun: made, being undone, given up, or pending and due (its run may be under way). */
function hasStarted(step: Step, at: string): boolean {
  if (step.status === 'pending') return step.notBefore === undefined || step.notBefore <= at;
  return !['waiting', 'skipped'].includes(step.status);
}

function undoDecision(b: Builder, event: Extract<OnboardingEvent, { type: 'decision-undone' }>): void {
  const s = b.state;
  const decision = s.decision;
  if (!decision || !['provisioning', 'rejected'].includes(s.status) || event.by.id === undefined) {
    throw new DomainError(ErrorCodes.undoRefused, `onboarding ${s.id} is ${s.status}: there is no decision to undo`);
  }
  if (decision.byId !== event.by.id) {
    throw new DomainError(ErrorCodes.undoNotYours, `only ${decision.by}, who decided, may undo the decision`);
  }
  if (Date.parse(event.at) - Date.parse(decision.at) > event.undoMinutes * 60_000) {
    throw new DomainError(
      ErrorCodes.undoTooLate,
      `the decision was made more than ${event.undoMinutes} minutes ago; it can no longer be undone`,
    );
  }
  const started = STEP_NAMES.filter((step) => hasStarted(s.steps[step], event.at));
  if (decision.decision === 'approve' && started.length > 0) {
    throw new DomainError(
      ErrorCodes.undoTooLate,
      `${started.join(', ')} started already; the approval can no longer be undone`,
    );
  }
  const details = { decision: decision.decision, decidedAt: decision.at };
  if (decision.decision === 'approve') {
    withdrawApproval(b, event.by, 'onboarding.decision-undone', details);
    return;
  }
  // A rejection skipped every step still pending: those needed (no reason of their own) are pending again.
  s.status = 'awaiting-approval';
  s.decision = null;
  b.log(event.by, 'onboarding.decision-undone', details);
  const needed: Record<StepName, boolean> = {
    laptop: s.needs.laptop,
    vpn: s.needs.vpn,
    officeLicense: s.needs.officeLicense,
    teams: s.needs.teams,
    accessories: s.needs.accessories.length > 0,
  };
  for (const step of STEP_NAMES) {
    const current = s.steps[step];
    if (needed[step] && current.status === 'skipped' && current.detail === undefined) {
      b.setStep(step, { status: 'pending' });
    }
  }
}

/**
 * An approval taken back before anything was provisioned: awaiting approval again, nothing of the decision
 * kept but its history. Each step needed goes back to pending in a new run (the messages of the old one are
 * spent); the laptop's place in line, or a laptop reserved meanwhile, is given back by its undo. Runs that
 * were retried or gave up made nothing: only a step done (or being undone) forbids it.
 */
function withdrawApproval(
  b: Builder,
  by: Actor,
  entry: Extract<HistoryType, 'onboarding.approval-voided' | 'onboarding.decision-undone'>,
  details: Record<string, unknown>,
): void {
  const s = b.state;
  const made = STEP_NAMES.filter((step) => ['done', 'reverted', 'returning'].includes(s.steps[step].status));
  if (!isRunning(s.status) || s.decision?.decision !== 'approve' || made.length > 0) {
    throw new DomainError(
      ErrorCodes.illegalTransition,
      `onboarding ${s.id} is ${s.status}${made.length > 0 ? ` and ${made.join(', ')} done` : ''}; its approval can no longer be withdrawn`,
    );
  }
  s.status = 'awaiting-approval';
  s.decision = null;
  b.log(by, entry, details);
  for (const step of STEP_NAMES) {
    const current = s.steps[step];
    if (current.status === 'skipped') continue;
    b.consume(step);
    const attempt = current.attempt + 1;
    b.setStep(step, { status: 'pending', detail: undefined, attempt });
    if (step === 'laptop') b.command({ type: 'revert-step', step, attempt });
  }
}

/**
 * The start date moved: a step not run yet because it was not due (lead times) is planned anew for its new
 * day (a new run, so that the message of the old one is spent), or run now when that day is past.
 */
function replanScheduledSteps(b: Builder, notBefore: StepSchedule): void {
  if (b.state.status !== 'provisioning' && b.state.status !== 'needs-attention') return;
  for (const step of STEP_NAMES) {
    const current = b.state.steps[step];
    if (current.status !== 'pending' || current.notBefore === undefined) continue;
    if (notBefore[step] === current.notBefore) continue;
    b.log(SYSTEM, 'step.replanned', { step, from: current.notBefore, to: notBefore[step] ?? b.at });
    startStep(b, step, notBefore[step]);
  }
}

function changePriority(b: Builder, event: Extract<OnboardingEvent, { type: 'priority-changed' }>): void {
  const s = b.state;
  if (event.eventId !== undefined) b.recordEvent(event.eventId);
  const eventId = event.eventId !== undefined ? { eventId: event.eventId } : {};
  if (!isOpen(s.status)) {
    // HR's event for a finished onboarding is recorded and changes nothing; the DSI is told no (409).
    if (event.eventId === undefined) {
      throw new DomainError(ErrorCodes.finished, `onboarding ${s.id} is ${s.status}; its priority no longer matters`);
    }
    b.log(event.by, 'priority-change.ignored', { ...eventId, detail: `onboarding is ${s.status}` });
    return;
  }
  if (s.priority === event.priority) {
    if (event.eventId !== undefined) b.log(event.by, 'priority.unchanged', { ...eventId, priority: s.priority });
    return;
  }
  b.log(event.by, 'priority.changed', { ...eventId, from: s.priority, to: event.priority });
  s.priority = event.priority;
}

function move(b: Builder, event: Extract<OnboardingEvent, { type: 'moved' }>): void {
  const s = b.state;
  if (s.status === 'rejected' || s.status === 'cancelled' || s.status === 'left') {
    b.recordEvent(event.eventId);
    b.log(HR, 'move.ignored', { eventId: event.eventId, detail: `onboarding is ${s.status}` });
    return;
  }
  const planned = {
    eventId: event.eventId,
    ...(event.department !== undefined ? { department: event.department } : {}),
    ...(event.site !== undefined ? { site: event.site } : {}),
    effectiveDate: event.effectiveDate,
  };
  if (!event.due) {
    // Not yet: planned, and applied when its day comes (the event is recorded then).
    if (JSON.stringify(s.plannedMove) === JSON.stringify(planned)) return;
    s.plannedMove = planned;
    b.log(HR, 'move.planned', { ...planned });
    return;
  }
  b.recordEvent(event.eventId);
  if (s.plannedMove?.eventId === event.eventId) delete s.plannedMove;
  const from = { department: s.department, site: s.site };
  const to = { department: event.department ?? s.department, site: event.site ?? s.site };
  b.log(HR, 'onboarding.moved', { eventId: event.eventId, from, to, effectiveDate: event.effectiveDate });
  if (to.department === from.department && to.site === from.site) return;
  s.department = to.department;
  s.site = to.site;
  if (to.department === from.department) return;
  // The team of the former department is left for the new one's (or for none): the step runs again.
  const teams = s.steps.teams;
  const accessGone = s.status === 'leaving' && s.departure?.accessRemovedAt !== undefined;
  if (teams.status !== 'done' || accessGone) return;
  const attempt = teams.attempt + 1;
  b.setStep('teams', { status: 'pending', attempt, previousGroupId: teams.groupId });
  b.command({ type: 'run-step', step: 'teams', attempt });
  if (s.status === 'completed') s.status = 'provisioning';
}

function leave(b: Builder, event: Extract<OnboardingEvent, { type: 'left' }>): void {
  const s = b.state;
  if (isOpen(s.status)) {
    // Not finished: cancelled as a cancelled hire is (what was provisioned is undone).
    b.log(HR, 'employee.left', { eventId: event.eventId, lastDay: event.lastDay });
    cancel(b, event.eventId);
    return;
  }
  b.recordEvent(event.eventId);
  if (s.status === 'completed') {
    s.status = 'leaving';
    s.departure = { lastDay: event.lastDay, dueAt: event.dueAt, ...(event.held ? { held: true as const } : {}) };
    b.log(HR, 'onboarding.leaving', { eventId: event.eventId, lastDay: event.lastDay, accessEndsAt: event.dueAt });
    if (event.held) {
      b.log(SYSTEM, 'departure.held', {
        lastDay: event.lastDay,
        maxPerHour: event.held.maxPerHour,
        reason: `more than ${event.held.maxPerHour} departures within an hour: nothing is removed until a person confirms it`,
      });
    }
  } else if (isHeld(s) && s.departure) {
    // HR sends the departure again (after fixing its export): that is its confirmation.
    s.departure = { ...withoutHold(s.departure), lastDay: event.lastDay, dueAt: event.dueAt };
    b.log(HR, 'departure.confirmed', { eventId: event.eventId, lastDay: event.lastDay });
  } else if (s.status === 'leaving' && s.departure && s.departure.accessRemovedAt === undefined) {
    // A last day changed (or said again) before it came: the departure moves; the old one's message is spent.
    if (s.departure.lastDay !== event.lastDay) {
      b.log(HR, 'departure.changed', { eventId: event.eventId, from: s.departure.lastDay, to: event.lastDay });
      s.departure = { lastDay: event.lastDay, dueAt: event.dueAt };
    } else {
      b.log(HR, 'departure.unchanged', { eventId: event.eventId, lastDay: event.lastDay });
    }
  } else {
    b.log(HR, 'employee-left.ignored', {
      eventId: event.eventId,
      detail:
        s.status === 'leaving' ? 'access was already removed at the end of the last day' : `onboarding is ${s.status}`,
    });
  }
}

/** A leaver whose departure the guard holds (nothing is removed). */
export function isHeld(o: Onboarding): boolean {
  return o.status === 'leaving' && o.departure?.held === true;
}

function withoutHold<D extends { held?: true }>(departure: D): Omit<D, 'held'>;
function withoutHold<D extends { held?: true }>(departure: D | undefined): Omit<D, 'held'> | undefined;
function withoutHold<D extends { held?: true }>(departure: D | undefined): Omit<D, 'held'> | undefined {
  if (!departure) return undefined;
  const { held: _held, ...rest } = departure;
  return rest;
}

function departureDue(b: Builder, event: Extract<OnboardingEvent, { type: 'departure-due' }>): void {
  const s = b.state;
  // Only the departure as it stands, once: a message for a last day since changed, or a redelivery, is spent;
  // a departure held by the guard removes nothing until it is confirmed.
  if (s.status !== 'leaving' || !s.departure || s.departure.lastDay !== event.lastDay || s.departure.held) return;
  if (s.departure.accessRemovedAt !== undefined) return;
  s.departure = { ...s.departure, accessRemovedAt: event.at };
  b.log(SYSTEM, 'departure.access-removed', { lastDay: event.lastDay });
  for (const step of STEP_NAMES) {
    const current = s.steps[step];
    if (current.status !== 'done') continue;
    if (takenBackAtAccessEnd(s, step)) {
      const attempt = current.attempt + 1;
      b.setStep(step, { attempt });
      b.command({ type: 'revert-step', step, attempt });
    } else if (step === 'laptop') {
      b.setStep(step, { status: 'returning', detail: `laptop ${current.serialNumber ?? ''} expected back at the DSI` });
    } else {
      // What the agent holds besides the laptop comes back with it.
      b.setStep(step, { status: 'returning', detail: 'expected back at the DSI with the laptop' });
    }
  }
  b.settleDeparture();
}

function handOver(b: Builder, event: Extract<OnboardingEvent, { type: 'laptop-handed-over' }>): void {
  const s = b.state;
  const laptop = s.steps.laptop;
  if (laptop.handover) {
    throw new DomainError(
      ErrorCodes.laptopNotHandable,
      `laptop ${laptop.serialNumber ?? ''} was handed over already (${laptop.handover.method}, ${laptop.handover.at})`,
    );
  }
  if (!['provisioning', 'needs-attention', 'completed'].includes(s.status) || laptop.status !== 'done') {
    throw new DomainError(
      ErrorCodes.laptopNotHandable,
      `onboarding ${s.id} is ${s.status} and its laptop step ${laptop.status}: there is no laptop to hand over`,
    );
  }
  if (laptop.serialNumber !== event.serialNumber) {
    throw new DomainError(
      ErrorCodes.laptopNotHandable,
      `onboarding ${s.id} was given laptop ${laptop.serialNumber ?? ''}, not ${event.serialNumber}`,
    );
  }
  const handover = {
    method: event.method,
    at: event.at,
    by: event.by.name,
    ...(event.trackingNumber !== undefined ? { trackingNumber: event.trackingNumber } : {}),
  };
  b.setStep('laptop', { handover });
  if (s.replaces && s.replaces.expectedBackSince === undefined) {
    s.replaces = { ...s.replaces, expectedBackSince: event.at };
  }
  b.log(event.by, 'laptop.handed-over', {
    serialNumber: event.serialNumber,
    method: event.method,
    ...(event.trackingNumber !== undefined ? { trackingNumber: event.trackingNumber } : {}),
    ...(event.comment !== undefined ? { comment: event.comment } : {}),
    ...(s.replaces ? { expectedBack: s.replaces.serialNumber } : {}),
  });
}

function laptopReturned(b: Builder, event: Extract<OnboardingEvent, { type: 'laptop-returned' }>): void {
  const s = b.state;
  const replaced = s.replaces;
  if (
    replaced?.expectedBackSince !== undefined &&
    replaced.returned === undefined &&
    replaced.serialNumber.toUpperCase() === event.serialNumber.toUpperCase()
  ) {
    // The device the new laptop replaces is back: recorded as a leaver's laptop's return is.
    s.replaces = { ...replaced, returned: { at: event.at, condition: event.condition } };
    b.log(event.by, 'replaced-device.returned', {
      serialNumber: event.serialNumber,
      condition: event.condition,
      ...(event.comment !== undefined ? { comment: event.comment } : {}),
    });
    return;
  }
  const laptop = s.steps.laptop;
  if (s.status !== 'leaving' || laptop.status !== 'returning' || laptop.serialNumber !== event.serialNumber) return;
  b.setStep('laptop', { status: 'reverted', detail: `laptop returned (${event.condition})` });
  for (const step of STEP_NAMES) {
    if (step !== 'laptop' && s.steps[step].status === 'returning') {
      b.setStep(step, { status: 'reverted', detail: 'returned with the laptop' });
    }
  }
  b.log(event.by, 'laptop.returned', {
    serialNumber: event.serialNumber,
    condition: event.condition,
    ...(event.comment !== undefined ? { comment: event.comment } : {}),
  });
  b.settleDeparture();
}

function cancel(b: Builder, eventId: string): void {
  const s = b.state;
  b.recordEvent(eventId);
  if (s.status === 'leaving' || s.status === 'left') {
    b.log(HR, 'hire-cancel.ignored', { eventId, detail: `onboarding is ${s.status}: the agent came and is leaving` });
    return;
  }
  if (s.status === 'rejected' || s.status === 'cancelled') {
    b.log(HR, 'hire-cancel.ignored', { eventId, detail: `onboarding is already ${s.status}` });
    return;
  }
  const running = s.status === 'provisioning' || s.status === 'needs-attention';
  s.status = 'cancelled';
  b.log(HR, 'onboarding.cancelled', { eventId });
  for (const step of STEP_NAMES) {
    const current = s.steps[step];
    if (current.status === 'pending' && !running) {
      b.setStep(step, { status: 'skipped', detail: undefined });
    } else if (current.status === 'waiting' || current.status === 'pending') {
      // A pending step of a running onboarding may be in flight: its undo is harmless when it did nothing.
      // Nothing was provisioned, but its place in line (or a reservation made meanwhile) must be given back.
      const attempt = current.attempt + 1;
      b.setStep(step, { status: 'skipped', detail: undefined, attempt });
      b.command({ type: 'revert-step', step, attempt });
    } else if (current.status === 'done' && current.preExisting) {
      // The agent in post had it before the request: withdrawing the request takes nothing away from them.
      b.setStep(step, { status: 'skipped', detail: 'kept: the agent had it before the request' });
    } else if (current.status === 'done' || current.status === 'in-progress' || current.status === 'failed') {
      const attempt = current.attempt + 1;
      b.setStep(step, { attempt });
      b.command({ type: 'revert-step', step, attempt });
    }
  }
}

/** Accumulates one change: a copy of the state, its history entries and commands. */
class Builder {
  readonly state: Onboarding;
  private readonly history: HistoryEntry[] = [];
  private readonly commands: StepCommand[] = [];

  constructor(
    current: Onboarding,
    readonly at: string,
  ) {
    this.state = structuredClone(current);
  }

  private dirty = false;

  /** The agent's object id, as a step's run found the account: kept once, for four-eyes. */
  identify(agentObjectId: string): void {
    if (this.state.agentObjectId !== undefined) return;
    this.dirty = true;
    this.state.agentObjectId = agentObjectId;
  }

  recordEvent(eventId: string): void {
    this.dirty = true;
    this.state.eventIds.push(eventId);
  }

  log(actor: Actor, type: HistoryType, details: Record<string, unknown>): void {
    this.history.push({
      at: this.at,
      type,
      actor: actor.name,
      ...(actor.id !== undefined ? { actorId: actor.id } : {}),
      details,
    });
  }

  /**
   * A pending step's run began at `startedAt`: its `step.started` entry, written with its outcome (stamped
   * when written, so that the history stays in the order of its writes; the start time is in its details).
   */
  started(step: StepName, startedAt: string | undefined): void {
    if (startedAt && this.state.steps[step].status === 'pending') {
      this.log(SYSTEM, 'step.started', { step, attempt: this.state.steps[step].attempt, startedAt });
    }
  }

  private readonly consumedSteps = new Set<StepName>();

  /** An outcome of `step` was recorded: the commands of its outbox were delivered (their consumer is writing). */
  consume(step: StepName): void {
    this.consumedSteps.add(step);
  }

  command(c: Omit<StepCommand, 'onboardingId' | 'employeeId' | 'priority'>): void {
    // The priority rides with the command: it picks the queue, so that continuity agents' steps go first.
    const priority = this.state.priority === 'continuity' ? { priority: this.state.priority } : {};
    this.commands.push({ onboardingId: this.state.id, employeeId: this.state.employeeId, ...c, ...priority });
  }

  setStep(step: StepName, patch: Partial<Step>): void {
    this.dirty = true;
    const { detail, serialNumber, notBefore, waitingOn, ...rest } = {
      ...this.state.steps[step],
      notBefore: undefined,
      // What a step waits for is said again by each change that keeps it waiting for it.
      waitingOn: undefined,
      ...patch,
      updatedAt: this.at,
    };
    // Optional fields set to undefined by the patch are left out, as a stored document has them.
    this.state.steps[step] = Object.fromEntries(
      Object.entries({
        ...rest,
        detail,
        serialNumber,
        // Only a step still waiting for its day keeps it (any other change of the step ends the wait).
        notBefore,
        waitingOn,
      }).filter(([, value]) => value !== undefined),
    ) as Step;
  }

  /** Step progress counts only while provisioning runs and the step is in one of `from`. */
  acceptsStepProgress(step: StepName, from: Step['status'][]): boolean {
    const s = this.state;
    return (s.status === 'provisioning' || s.status === 'needs-attention') && from.includes(s.steps[step].status);
  }

  /** After a step changed: completed when every step is done or skipped, needs-attention when one failed and none runs. */
  settle(): void {
    const statuses = STEP_NAMES.map((step) => this.state.steps[step].status);
    if (statuses.every((st) => st === 'done' || st === 'skipped')) {
      this.state.status = 'completed';
      this.state.completedAt = this.at;
      this.log(SYSTEM, 'onboarding.completed', {});
    } else if (statuses.includes('failed') && this.state.status !== 'needs-attention') {
      this.state.status = 'needs-attention';
      this.log(SYSTEM, 'onboarding.needs-attention', {
        steps: STEP_NAMES.filter((step) => this.state.steps[step].status === 'failed'),
      });
    }
  }

  /** A leaver whose access was removed and whose laptop is back (or who had none) has left. */
  settleDeparture(): void {
    const s = this.state;
    if (s.status !== 'leaving' || s.departure?.accessRemovedAt === undefined) return;
    if (STEP_NAMES.every((step) => ['reverted', 'skipped'].includes(s.steps[step].status))) {
      s.status = 'left';
      this.log(SYSTEM, 'onboarding.left', {});
    }
  }

  result(): Decision {
    const changed = this.dirty || this.history.length > 0;
    if (changed) {
      this.state.updatedAt = this.at;
      this.state.history.push(...this.history);
      // The outbox keeps what must reach a worker; a step's consumer clears it in the write it makes anyway.
      // A laptop's place in line is its waiting step itself: the request to the pool needs no outbox.
      // A run scheduled for a step's day (lead times) is not kept either: it would be sent again at every sweep
      // for weeks; lost, the sweeper drives the step once it is due and has not moved. Nor is the return of a
      // withdrawn approval's place in line: its step stays pending, so no outcome would clear it; lost, the
      // sweeper gives back a reservation nobody waits for.
      this.state.outbox = [
        ...this.state.outbox.filter((c) => !this.consumedSteps.has(c.step)),
        ...this.commands.filter(
          (c) =>
            c.type !== 'request-laptop' &&
            !(c.notBefore !== undefined && this.state.steps[c.step].notBefore === c.notBefore) &&
            !(c.type === 'revert-step' && this.state.status === 'awaiting-approval'),
        ),
      ];
    }
    return { state: this.state, commands: this.commands, history: this.history, changed };
  }
}
