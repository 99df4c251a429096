import type { HttpHandler, HttpMethod, InvocationContext } from '@azure/functions';
import { isTraceparent } from '../shared/telemetry/telemetry';

/** An HTTP-triggered function; the route is under /api, as the Functions host serves it. */
export interface HttpFunctionDefinition {
  kind: 'http';
  name: string;
  methods: HttpMethod[];
  route: string;
  handler: HttpHandler;
}

/** A Service Bus queue-triggered function. Throw DeadLetterError for a message that can never succeed. */
export interface QueueFunctionDefinition {
  kind: 'serviceBusQueue';
  name: string;
  queueName: string;
  /** The app-setting prefix of the identity-based connection. */
  connection: 'ServiceBusConnection';
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

/** A message that will never be processed (it does not parse): dead-letter it at once, with the reason. */
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
