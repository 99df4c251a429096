import type { Agent } from 'node:https';
import {
  agentPolicy,
  createDefaultHttpClient,
  createEmptyPipeline,
  createPipelineRequest,
  isRestError,
  type HttpClient,
  type Pipeline,
} from '@azure/core-rest-pipeline';
import { NotificationRefused, type Notifier, type TeamsMessage } from '../../ports/notifier';
import { TransientError } from '../../ports/provisioners';

/** Teams refuses messages over about 28 KB; a card is kept well under it. */
export const MAX_MESSAGE_BYTES = 28 * 1024;

/**
 * Posts to a Teams channel through a Workflows webhook ("Post to a channel when a webhook request is
 * received"): the Office 365 connectors' incoming webhooks are retired. The URL carries its own signature
 * (`sig=`), so it is a secret: read from Key Vault through a Key Vault reference, never logged; no message
 * of this class contains it.
 */
export class TeamsWorkflowNotifier implements Notifier {
  private readonly pipeline: Pipeline = createEmptyPipeline();
  private readonly httpClient: HttpClient = createDefaultHttpClient();
  private readonly timeoutMs: number;

  constructor(
    private readonly webhookUrl: string,
    options: { agent?: Agent; timeoutMs?: number } = {},
  ) {
    if (options.agent) this.pipeline.addPolicy(agentPolicy(options.agent));
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  async post(message: TeamsMessage): Promise<void> {
    const body = JSON.stringify(message);
    if (Buffer.byteLength(body) > MAX_MESSAGE_BYTES) {
      throw new NotificationRefused(`the card is ${Buffer.byteLength(body)} bytes, over Teams' ${MAX_MESSAGE_BYTES}`);
    }
    const request = createPipelineRequest({
      url: this.webhookUrl,
      method: 'POST',
      body,
      timeout: this.timeoutMs,
    });
    request.headers.set('content-type', 'application/json');
    let status: number;
    let retryAfter: string | undefined;
    try {
      const response = await this.pipeline.sendRequest(this.httpClient, request);
      status = response.status;
      retryAfter = response.headers.get('retry-after');
    } catch (err) {
      // Never the error's own text: it could carry the request's URL.
      const code = isRestError(err) ? (err.code ?? 'network error') : 'network error';
      throw new TransientError(`the Teams webhook could not be reached (${code})`);
    }
    if (status >= 200 && status < 300) return;
    if (status === 429 || status === 408 || status >= 500) {
      const seconds = retryAfter !== undefined ? Number(retryAfter) : NaN;
      throw new TransientError(`the Teams webhook answered ${status}`, Number.isFinite(seconds) ? seconds : undefined);
    }
    throw new NotificationRefused(`the Teams webhook answered ${status}`);
  }
}

/** What the webhook setting comes to: a notifier, or none with the reason (never the value: it is a secret). */
export function notifierFromSetting(
  value: string | undefined,
  options: { agent?: Agent } = {},
): { notifier: TeamsWorkflowNotifier | null; problem?: string } {
  if (value === undefined || value === '') {
    return { notifier: null, problem: 'Notifications__teamsWebhookUrl is not set: no notifications' };
  }
  if (value.startsWith('@Microsoft.KeyVault(')) {
    // App Service leaves a reference it could not resolve as it is.
    return {
      notifier: null,
      problem:
        'Notifications__teamsWebhookUrl is a Key Vault reference the platform could not resolve: give the ' +
        "app's identity the Key Vault Secrets User role on the vault and check the secret's name; no notifications meanwhile",
    };
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { notifier: null, problem: 'Notifications__teamsWebhookUrl is not a URL: no notifications' };
  }
  if (url.protocol !== 'https:' || !url.searchParams.get('sig')) {
    return {
      notifier: null,
      problem:
        'Notifications__teamsWebhookUrl must be the https URL of a Workflows webhook, with its sig: no notifications',
    };
  }
  return { notifier: new TeamsWorkflowNotifier(value, options) };
}
