import type { QueueFunctionDefinition } from './definition';
import { DeadLetterError, parseMessage, queueFunction } from './definition';
import { queuedNotificationSchema } from '../shared/app/notifications/notifications';
import { QUEUES } from '../shared/app/queues';
import type { ServicesProvider } from '../shared/app/services';
import { NotificationRefused } from '../shared/ports/notifier';

/**
 * Posts what the DSI's Teams channel is told. A post that fails for a while is scheduled again with
 * back-off; one refused for good, or still failing after the last attempt, is set aside with the reason.
 * The logs name the onboarding, never the agent or the webhook.
 */
export function notificationWorker(services: ServicesProvider): QueueFunctionDefinition {
  return queueFunction(services, {
    name: 'notification-worker',
    queueName: QUEUES.notifications,
    async handler(message, context) {
      const queued = parseMessage(queuedNotificationSchema, message, 'InvalidNotification');
      const { notification } = queued;
      const about =
        'onboardingId' in notification
          ? notification.onboardingId
          : notification.kind === 'departures-held'
            ? notification.window
            : `${notification.from}..${notification.to}`;
      try {
        const result = await (await services()).notifications.deliver(queued);
        if (result.outcome === 'gave-up') throw new DeadLetterError('NotificationUndeliverable', result.reason);
        context.log(`notification ${notification.kind} (${about}): ${result.outcome}`);
      } catch (err) {
        if (err instanceof NotificationRefused) throw new DeadLetterError('NotificationRefused', err.message);
        throw err;
      }
    },
  });
}
