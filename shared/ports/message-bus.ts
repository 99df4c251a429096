/** A message to send on a queue, in the shape Service Bus takes it. */
export interface OutgoingMessage {
  /** Deterministic, so that duplicate detection drops a re-send. */
  messageId: string;
  body: unknown;
  subject?: string;
  contentType?: string;
  correlationId?: string;
  sessionId?: string;
  applicationProperties?: Record<string, string | number | boolean>;
  /** Deliver no earlier than this instant (a scheduled message). */
  scheduledEnqueueTime?: Date;
}

/** Sends messages; in Azure, Service Bus; locally, the in-process bus. */
export interface MessageBus {
  send(queue: string, messages: OutgoingMessage[]): Promise<void>;
  /** Resolves if this service may send to `queue` now (readiness), without sending anything. */
  probe?(queue: string, signal: AbortSignal): Promise<void>;
}
