/** A message in a queue's dead-letter sub-queue, as an operator sees it. */
export interface DeadLetteredMessage {
  sequenceNumber: number;
  messageId: string;
  /** MaxDeliveryCountExceeded, TTLExpiredException... as Service Bus sets it. */
  reason: string;
  description: string;
  enqueuedTimeUtc?: string;
  body: unknown;
}

/** The queues' own dead-letter sub-queues (Service Bus in Azure, the local bus locally). */
export interface DeadLetterQueues {
  peek(queue: string, max: number): Promise<DeadLetteredMessage[]>;
  /** Sends a copy of the message to its queue under `messageId`, then removes it; false when not found. */
  resubmit(queue: string, sequenceNumber: number, messageId: string): Promise<boolean>;
}
