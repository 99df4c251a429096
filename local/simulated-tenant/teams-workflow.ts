import { randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * A Teams channel's Workflows webhook ("Post to a channel when a webhook request is received"), as the
 * local host's stand-in, with what the real one does:
 * - the URL is `…/workflows/{id}/triggers/manual/paths/invoke?api-version=…&sp=…&sv=1.0&sig=…`; the `sig`
 *   is a shared access signature: a wrong or missing one is 401 (Logic Apps' DirectApiInvalidAuthorizationSignature);
 * - the trigger answers 202 Accepted as soon as the request is taken: the flow posts the card afterwards,
 *   so a card Teams cannot show (not an Adaptive Card, over about 28 KB) is lost in the flow's run history,
 *   not refused to the sender. It is recorded here as not posted, with the reason;
 * - a body that is not JSON is 400 (InvalidRequestContent); throttling is 429 with Retry-After.
 * https://learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/add-incoming-webhook
 * https://learn.microsoft.com/azure/logic-apps/logic-apps-limits-and-config
 */
export const teamsCardSchema = z.object({
  at: z.string(),
  message: z.unknown(),
  posted: z.boolean(),
  error: z.string().optional(),
});
export type ReceivedTeamsCard = z.infer<typeof teamsCardSchema>;

/** Teams' limit on a message's size (its card included). */
const TEAMS_MESSAGE_LIMIT = 28 * 1024;

const adaptiveMessageSchema = z.object({
  type: z.literal('message'),
  attachments: z
    .array(
      z.object({
        contentType: z.literal('application/vnd.microsoft.card.adaptive'),
        content: z.object({ type: z.literal('AdaptiveCard'), version: z.string(), body: z.array(z.unknown()) }),
      }),
    )
    .min(1),
});

export class TeamsWorkflowChannel {
  readonly workflowId = randomBytes(16).toString('hex');
  private readonly signature = randomBytes(32).toString('base64url');
  readonly received: ReceivedTeamsCard[] = [];
  /** How many requests got each status (202 taken, 401, 429, 503...). */
  readonly answeredWith: Record<number, number> = {};
  private readonly faults: { status: number; retryAfter?: number }[] = [];

  constructor(private readonly record: (card: ReceivedTeamsCard, index: number) => void = () => undefined) {}

  /** The webhook's URL on the server at `baseUrl` (a secret: it carries the signature). */
  webhookUrl(baseUrl: string): string {
    const query = new URLSearchParams({ 'api-version': '2016-06-01', sp: '/triggers/manual/run', sv: '1.0' });
    return `${baseUrl}${this.path}?${query.toString()}&sig=${this.signature}`;
  }

  get path(): string {
    return `/workflows/${this.workflowId}/triggers/manual/paths/invoke`;
  }

  /** The next `count` posts answer `status` (tests of the retries). */
  failNext(count: number, status: number, retryAfter?: number): void {
    for (let i = 0; i < count; i++) this.faults.push({ status, ...(retryAfter !== undefined ? { retryAfter } : {}) });
  }

  restore(cards: ReceivedTeamsCard[]): void {
    this.received.splice(0, this.received.length, ...cards);
  }

  /** Answers one request to the webhook's path: status, body and headers. */
  handle(method: string, url: URL, raw: string): { status: number; body: unknown; headers?: Record<string, string> } {
    const answer = this.answer(method, url, raw);
    this.answeredWith[answer.status] = (this.answeredWith[answer.status] ?? 0) + 1;
    return answer;
  }

  private answer(
    method: string,
    url: URL,
    raw: string,
  ): { status: number; body: unknown; headers?: Record<string, string> } {
    const sig = Buffer.from(url.searchParams.get('sig') ?? '');
    const expected = Buffer.from(this.signature);
    if (sig.length !== expected.length || !timingSafeEqual(sig, expected)) {
      return {
        status: 401,
        body: {
          error: {
            code: 'DirectApiInvalidAuthorizationSignature',
            message: "The provided authorization signature is not valid for the workflow's trigger.",
          },
        },
      };
    }
    if (method !== 'POST') {
      return {
        status: 400,
        body: { error: { code: 'TriggerRequestMethodNotValid', message: `The HTTP method '${method}' is not valid.` } },
      };
    }
    const fault = this.faults.shift();
    if (fault) {
      return {
        status: fault.status,
        body: {
          error: {
            code: fault.status === 429 ? 'WorkflowRequestsThrottled' : 'ServiceUnavailable',
            message: 'Try again later.',
          },
        },
        ...(fault.retryAfter !== undefined ? { headers: { 'retry-after': String(fault.retryAfter) } } : {}),
      };
    }
    let message: unknown;
    try {
      message = JSON.parse(raw) as unknown;
    } catch {
      return {
        status: 400,
        body: { error: { code: 'InvalidRequestContent', message: 'The request content is not valid JSON.' } },
      };
    }
    const shape = adaptiveMessageSchema.safeParse(message);
    const size = Buffer.byteLength(raw);
    const error = !shape.success
      ? `not an Adaptive Card message: ${shape.error.issues[0]?.message ?? 'invalid'}`
      : size > TEAMS_MESSAGE_LIMIT
        ? `the message is ${size} bytes, over Teams' ${TEAMS_MESSAGE_LIMIT}`
        : undefined;
    const card: ReceivedTeamsCard = {
      at: new Date().toISOString(),
      message,
      posted: !error,
      ...(error ? { error } : {}),
    };
    this.received.push(card);
    this.record(card, this.received.length - 1);
    return { status: 202, body: '' };
  }
}
