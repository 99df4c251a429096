import definitions from '../definitions/service-bus-queues.json';
import type { OutgoingMessage } from '../ports/message-bus';
import type { HrEvent, Priority } from '../schemas/hr-events';
import type { StepName } from '../schemas/onboarding';

/**
 * Service Bus queues the product uses. shared/definitions/service-bus-queues.json is the single source of truth for
 * their settings: the Bicep declares them from it, the local bus takes its limits from it.
 */
export const QUEUES = {
  /** HR events from the HR systems (and POST /api/hr-events). */
  hrEvents: 'hr-events',
  /** Internal: run, resume or revert one provisioning step (the VPN and the licence: Entra ID's budget). */
  provisioning: 'provisioning',
  /** Internal: the same for business-continuity agents (decision 14: served first in time). */
  provisioningContinuity: 'provisioning-continuity',
  /**
   * Internal: the same for the laptop step (Intune's budget, the crisis's bottleneck): a queue of its own, so
   * that laptops are assigned as soon as they are reserved, not behind every agent's VPN and licence.
   */
  laptopSteps: 'laptop-steps',
  laptopStepsContinuity: 'laptop-steps-continuity',
  /**
   * Internal: the Teams step (Teams' budget: 4 requests a second on a given team): a queue of its own, so that
   * agents waiting for their department's team do not hold up every agent's VPN and licence.
   */
  teamsSteps: 'teams-steps',
  teamsStepsContinuity: 'teams-steps-continuity',
  /**
   * Internal: allocation passes of the laptop stock. Session-enabled, one session per pool: Service Bus hands
   * a session to one receiver at a time, so one pass at a time allocates each pool.
   */
  laptopAllocation: 'laptop-allocation',
  /**
   * Internal: an onboarding's approval deadlines (the reminder, the expiry), scheduled when it is created. Its
   * messages wait up to `Approval__expiresAfter` (P10D by default): the queue keeps them 60 days.
   */
  approvalDeadlines: 'approval-deadlines',
  /**
   * Internal: the end of a leaver's last day, scheduled when `employee.left` applies (in hops of at most 30
   * days towards a last day further away).
   */
  departures: 'departures',
  /** Internal: what the DSI's Teams channel is told; a post that fails is retried from here, never from a step. */
  notifications: 'notifications',
} as const;

/**
 * The queues of step commands: one per Microsoft Graph budget a step spends (the directory's, Intune's, Teams'), so
 * that a step waiting for one budget never holds a worker another step needs; each twice, the continuity agents'
 * and the others' (Service Bus has no priority within a queue: a queue of its own, with its own workers, is how a
 * message goes first; decision 14).
 */
export const STEP_QUEUES = {
  provisioning: { continuity: QUEUES.provisioningContinuity, standard: QUEUES.provisioning },
  laptop: { continuity: QUEUES.laptopStepsContinuity, standard: QUEUES.laptopSteps },
  teams: { continuity: QUEUES.teamsStepsContinuity, standard: QUEUES.teamsSteps },
} as const satisfies Record<string, Record<Priority, string>>;

/** Every queue of step commands, continuity's first. */
export const STEP_QUEUE_NAMES: readonly string[] = Object.values(STEP_QUEUES).flatMap((q) => [
  q.continuity,
  q.standard,
]);

/** The queue of a step's commands for an agent of this priority. */
export function stepQueueFor(step: StepName, priority: Priority): string {
  const kind = step === 'laptop' ? 'laptop' : step === 'teams' ? 'teams' : 'provisioning';
  return STEP_QUEUES[kind][priority];
}

export interface QueueDefinition {
  name: string;
  maxDeliveryCount: number;
  lockDuration: string;
  defaultMessageTimeToLive: string;
  duplicateDetectionHistoryTimeWindow: string;
  requiresSession: boolean;
  deadLetteringOnMessageExpiration: boolean;
}

export const QUEUE_DEFINITIONS: readonly QueueDefinition[] = definitions;

/** ISO 8601 durations of the queue settings (PT1H, P14D...) in milliseconds. */
export function durationMs(iso: string): number {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(iso);
  if (!m) throw new Error(`not an ISO 8601 duration: ${iso}`);
  const [, d = '0', h = '0', min = '0', s = '0'] = m;
  return (((Number(d) * 24 + Number(h)) * 60 + Number(min)) * 60 + Number(s)) * 1000;
}

/**
 * An HR event as its message on `hr-events`: the message id is the event id, so that Service Bus drops the
 * same event sent twice within its duplicate window; the onboarding's trace rides along.
 */
export function hrEventMessage(event: HrEvent, traceparent: string): OutgoingMessage {
  return {
    messageId: event.eventId,
    body: event,
    subject: event.type,
    contentType: 'application/json',
    applicationProperties: { traceparent },
  };
}
