/**
 * Where the DSI's channel is told of what needs them (Microsoft Teams, through a Workflows webhook). A
 * failure worth retrying throws TransientError; one that will not pass as it is throws NotificationRefused.
 */
export interface Notifier {
  post(message: TeamsMessage): Promise<void>;
}

/** An Adaptive Card as a Teams message: what a Workflows "when a webhook request is received" flow takes. */
export interface TeamsMessage {
  type: 'message';
  attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive'; contentUrl: null; content: AdaptiveCard }];
}

export interface AdaptiveCard {
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json';
  type: 'AdaptiveCard';
  version: '1.4';
  body: Record<string, unknown>[];
  actions?: Record<string, unknown>[];
}

/** The webhook refused the message for good (4xx other than throttling): it is set aside with the reason. */
export class NotificationRefused extends Error {
  override readonly name = 'NotificationRefused';
}
