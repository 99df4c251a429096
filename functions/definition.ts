import type { HttpHandler, HttpMethod, InvocationContext } from '@azure/functions';
import type { z } from 'zod';
import type { ServicesProvider } from '../shared/app/services';
import { secured, type SecuredRoute } from '../shared/http/http-handler';
import { describeFieldErrors, toFieldErrors } from '../shared/schemas/validation';
import { redact } from '../shared/telemetry/redaction';
import { isTraceparent } from '../shared/telemetry/telemetry';

/** The prefix of the API's routes (host.json's routePrefix is empty, so that the console is served at `/`). */
export const API_PREFIX = 'api/';

/** An HTTP-triggered function; the route is under /api unless `root` says it is served at the site's root. */
export interface HttpFunctionDefinition {
  kind: 'http';
  name: string;
  methods: HttpMethod[];
  /** The route template under /api (`onboardings/{id}`), or from the root when `root` (`{*path}`: the rest). */
  route: string;
  /** Served from the site's root (the web console), not under /api. */
  root?: true;
  handler: HttpHandler;
  /** The largest body the route takes (default MAX_BODY_BYTES, 256 KiB): the host refuses more with 413. */
  maxBodyBytes?: number;
}

/** An HTTP function behind `secured` (token, roles, problem+json), one method on one route. */
export function securedRoute(
  services: ServicesProvider,
  name: string,
  method: HttpMethod,
  route: string,
  r: SecuredRoute,
  options: Pick<HttpFunctionDefinition, 'maxBodyBytes'> = {},
): HttpFunctionDefinition {
  return {
    kind: 'http',
    name,
    methods: [method],
    route,
    handler: secured(services, r),
    ...options,
  };
}

/** The route as the Functions host registers it (host.json's routePrefix is empty). */
export function hostRoute(def: HttpFunctionDefinition): string {
  return def.root ? def.route : `${API_PREFIX}${def.route}`;
}

/** A Service Bus queue-triggered function (build it with `queueFunction`). */
export interface QueueFunctionDefinition {
  kind: 'serviceBusQueue';
  name: string;
  queueName: string;
  /** The app-setting prefix of the identity-based connection. */
  connection: 'ServiceBusConnection';
  /** A session-enabled queue: one session's messages are handled one at a time, in order. */
  isSessionsEnabled?: boolean;
  handler: (message: unknown, context: InvocationContext) => Promise<void>;
}

/** A timer-triggered function, every N minutes. */
export interface TimerFunctionDefinition {
  kind: 'timer';
  name: string;
  everyMinutes: number;
  handler: (context: InvocationContext) => Promise<void>;
}

export type FunctionDefinition = HttpFunctionDefinition | QueueFunctionDefinition | TimerFunctionDefinition;

/**
 * A message that will never be processed as it is (it does not parse...): thrown by a queue function's
 * handler, it sets the message aside with its reason (`queueFunction`) instead of redelivering it.
 */
export class DeadLetterError extends Error {
  override readonly name = 'DeadLetterError';
  constructor(
    readonly reason: string,
    readonly description: string,
  ) {
    super(`${reason}: ${description}`);
  }
}

/** NCRONTAB (with seconds) for the Functions host. */
export function ncrontabEvery(minutes: number): string {
  return `0 */${minutes} * * * *`;
}

/**
 * The message's body parsed with `schema`; one that does not parse is set aside with `reason` and the fields
 * at fault (a DeadLetterError), never redelivered.
 */
export function parseMessage<T extends z.ZodType>(schema: T, message: unknown, reason: string): z.infer<T> {
  const parsed = schema.safeParse(decodeMessageBody(message));
  if (!parsed.success) throw new DeadLetterError(reason, describeFieldErrors(toFieldErrors(parsed.error)));
  return parsed.data;
}

/**
 * The body of a Service Bus message as a handler sees it: the Functions host hands over JSON already
 * parsed, a string, or bytes depending on how it was sent; all three come out as the parsed JSON value.
 */
export function decodeMessageBody(message: unknown): unknown {
  let text: string | undefined;
  if (typeof message === 'string') text = message;
  else if (message instanceof Uint8Array) text = Buffer.from(message).toString('utf8');
  if (text === undefined) return message;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new DeadLetterError('MalformedJson', 'the message body is not valid JSON');
  }
}

/** One of the application properties of the message that triggered this invocation. */
export function applicationProperty(context: InvocationContext, name: string): unknown {
  const props = context.triggerMetadata?.applicationProperties;
  return typeof props === 'object' && props !== null ? (props as Record<string, unknown>)[name] : undefined;
}

/** The traceparent a message carries in its application properties, if any. */
export function traceparentOf(context: InvocationContext): string | undefined {
  const value = applicationProperty(context, 'traceparent');
  return isTraceparent(value) ? value : undefined;
}

/** The delivery count the Service Bus trigger puts in triggerMetadata (1 on the first delivery). */
export function deliveryCountOf(context: InvocationContext): number {
  const value = context.triggerMetadata?.deliveryCount;
  return typeof value === 'number' ? value : Number(value ?? 1) || 1;
}

/** The body as received, for the record of a message set aside: parsed JSON, else the text. */
function receivedBody(message: unknown): unknown {
  const text =
    typeof message === 'string'
      ? message
      : message instanceof Uint8Array
        ? Buffer.from(message).toString('utf8')
        : undefined;
  if (text === undefined) return message;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function metadataString(context: InvocationContext, name: string): string | undefined {
  const value = context.triggerMetadata?.[name];
  return typeof value === 'string' ? value : value instanceof Date ? value.toISOString() : undefined;
}

/**
 * A queue function whose handler may throw DeadLetterError: the message is then recorded with its queue,
 * id, reason, description and body (Cosmos DB), and completed. The same on every host: on Azure the Node
 * worker cannot dead-letter a message itself, so a reason given here would otherwise be lost to ten
 * redeliveries and a `MaxDeliveryCountExceeded`. Any other error is thrown, for Service Bus to redeliver.
 */
export function queueFunction(
  services: ServicesProvider,
  def: Omit<QueueFunctionDefinition, 'kind' | 'connection'>,
): QueueFunctionDefinition {
  return {
    kind: 'serviceBusQueue',
    connection: 'ServiceBusConnection',
    name: def.name,
    queueName: def.queueName,
    ...(def.isSessionsEnabled ? { isSessionsEnabled: true } : {}),
    async handler(message, context) {
      try {
        await def.handler(message, context);
      } catch (err) {
        if (!(err instanceof DeadLetterError)) throw err;
        const props = context.triggerMetadata?.applicationProperties;
        const applicationProperties =
          typeof props === 'object' && props !== null
            ? Object.fromEntries(
                Object.entries(props).filter((e): e is [string, string | number | boolean] =>
                  ['string', 'number', 'boolean'].includes(typeof e[1]),
                ),
              )
            : undefined;
        const messageId = metadataString(context, 'messageId') ?? '';
        const subject = metadataString(context, 'subject');
        const contentType = metadataString(context, 'contentType');
        const enqueuedTimeUtc = metadataString(context, 'enqueuedTimeUtc');
        await (
          await services()
        ).operations.rejectedMessages.record({
          queue: def.queueName,
          messageId,
          reason: err.reason,
          description: err.description,
          body: receivedBody(message),
          deliveryCount: deliveryCountOf(context),
          ...(subject ? { subject } : {}),
          ...(contentType ? { contentType } : {}),
          ...(enqueuedTimeUtc ? { enqueuedTimeUtc } : {}),
          ...(applicationProperties ? { applicationProperties } : {}),
        });
        context.warn(`${def.queueName} message ${messageId} set aside: ${err.reason}: ${redact(err.description)}`);
      }
    },
  };
}
