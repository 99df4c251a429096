import type { QueueFunctionDefinition, TimerFunctionDefinition } from './definition';
import { parseMessage, deliveryCountOf, queueFunction, traceparentOf } from './definition';
import { inMessageSpan } from '../shared/telemetry/telemetry';
import { STEP_QUEUES } from '../shared/app/queues';
import type { ServicesProvider } from '../shared/app/services';
import { stepCommandSchema } from '../shared/schemas/onboarding';

/**
 * The provisioning workers: each runs or reverts one step per message. A function a queue: the VPN and licence
 * steps (Entra ID's budget), the laptop steps (Intune's), the Teams steps (Teams'), so that none waits behind
 * another; each twice, the continuity agents' queue with workers of its own (decision 14).
 */
export function stepWorkers(services: ServicesProvider): QueueFunctionDefinition[] {
  return [
    stepWorker(services, 'provisioning-worker', STEP_QUEUES.provisioning.standard),
    stepWorker(services, 'provisioning-continuity-worker', STEP_QUEUES.provisioning.continuity),
    stepWorker(services, 'laptop-step-worker', STEP_QUEUES.laptop.standard),
    stepWorker(services, 'laptop-step-continuity-worker', STEP_QUEUES.laptop.continuity),
    stepWorker(services, 'teams-step-worker', STEP_QUEUES.teams.standard),
    stepWorker(services, 'teams-step-continuity-worker', STEP_QUEUES.teams.continuity),
  ];
}

function stepWorker(services: ServicesProvider, name: string, queueName: string): QueueFunctionDefinition {
  return queueFunction(services, {
    name,
    queueName,
    async handler(message, context) {
      const command = parseMessage(stepCommandSchema, message, 'InvalidStepCommand');
      const s = await services();
      const after = await inMessageSpan(
        `${command.type} ${command.step}`,
        traceparentOf(context),
        { 'onboarding.id': command.onboardingId, 'onboarding.step': command.step },
        () =>
          s.provisioning.runStepCommand(command, {
            deliveryCount: deliveryCountOf(context),
            maxDeliveryCount: s.config.ServiceBus__maxDeliveryCount,
          }),
      );
      if (!after) return;
      const line = `${command.type} ${command.step} of ${after.id}: step ${after.steps[command.step].status}, onboarding ${after.status}`;
      // The reason's code only (Authorization_RequestDenied...): the message is in the history, not the logs.
      if (after.status === 'needs-attention') context.warn(`${line} (${reasonCode(after.steps[command.step].detail)})`);
      else context.log(line);
    },
  });
}

/** The code that leads a step's detail (`Request_ResourceNotFound: …`), or a pointer to the history. */
function reasonCode(detail: string | undefined): string {
  return /^([A-Za-z][\w.-]*):/.exec(detail ?? '')?.[1] ?? 'see the history';
}

/**
 * Re-drives what a lost message or a worker stopped mid-way left behind: commands in an outbox, resumes
 * of laptop reservations not taken up, steps that have not moved for too long.
 */
export function outboxSweeper(services: ServicesProvider): TimerFunctionDefinition {
  return {
    kind: 'timer',
    name: 'outbox-sweeper',
    everyMinutes: 1,
    async handler(context) {
      const { outbox, reservations, redriven } = await (await services()).operations.sweep();
      if (outbox + reservations + redriven > 0) {
        context.log(
          `sweeper re-sent the commands of ${outbox} onboarding(s), ${reservations} laptop reservation(s) and ${redriven} stuck step(s)`,
        );
      }
    },
  };
}

/** Pseudonymises the finished onboardings whose retention period is over (README, "Retention of personal data"). */
export function retentionSweeper(services: ServicesProvider): TimerFunctionDefinition {
  return {
    kind: 'timer',
    name: 'retention-sweeper',
    everyMinutes: 60,
    async handler(context) {
      const pseudonymised = await (await services()).operations.retention.run();
      if (pseudonymised > 0) context.log(`retention: ${pseudonymised} onboarding(s) pseudonymised`);
    },
  };
}
