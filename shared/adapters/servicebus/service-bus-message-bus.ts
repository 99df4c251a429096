import { ServiceBusClient, type ServiceBusMessage, type ServiceBusSender } from '@azure/service-bus';
import type { TokenCredential } from '@azure/identity';
import type { MessageBus, OutgoingMessage } from '../../ports/message-bus';

function toServiceBusMessage(m: OutgoingMessage): ServiceBusMessage {
  return {
    messageId: m.messageId,
    body: m.body,
    contentType: m.contentType ?? 'application/json',
    ...(m.subject ? { subject: m.subject } : {}),
    ...(m.correlationId ? { correlationId: m.correlationId } : {}),
    ...(m.sessionId ? { sessionId: m.sessionId } : {}),
    ...(m.applicationProperties ? { applicationProperties: m.applicationProperties } : {}),
  };
}

/** Sends through Azure Service Bus with the managed identity; one sender per queue, reused. */
export class ServiceBusMessageBus implements MessageBus {
  private readonly senders = new Map<string, ServiceBusSender>();

  constructor(private readonly client: ServiceBusClient) {}

  static withCredential(fullyQualifiedNamespace: string, credential: TokenCredential): ServiceBusMessageBus {
    return new ServiceBusMessageBus(new ServiceBusClient(fullyQualifiedNamespace, credential));
  }

  private sender(queue: string): ServiceBusSender {
    let sender = this.senders.get(queue);
    if (!sender) {
      sender = this.client.createSender(queue);
      this.senders.set(queue, sender);
    }
    return sender;
  }

  async send(queue: string, messages: OutgoingMessage[]): Promise<void> {
    const sender = this.sender(queue);
    const now = [];
    for (const m of messages) {
      if (m.scheduledEnqueueTime) await sender.scheduleMessages(toServiceBusMessage(m), m.scheduledEnqueueTime);
      else now.push(toServiceBusMessage(m));
    }
    let batch = await sender.createMessageBatch();
    for (const m of now) {
      if (!batch.tryAddMessage(m)) {
        await sender.sendMessages(batch);
        batch = await sender.createMessageBatch();
        if (!batch.tryAddMessage(m)) throw new Error(`message ${String(m.messageId)} is larger than a batch allows`);
      }
    }
    if (batch.count > 0) await sender.sendMessages(batch);
  }

  /**
   * Opens the sender's link to `queue` (its claims-based authorization with the managed identity's token) and reads
   * the largest batch it may send: refused without Azure Service Bus Data Sender on the queue. Sends nothing.
   */
  async probe(queue: string, signal: AbortSignal): Promise<void> {
    await this.sender(queue).createMessageBatch({ abortSignal: signal });
  }

  async close(): Promise<void> {
    await Promise.all([...this.senders.values()].map((s) => s.close()));
    await this.client.close();
  }
}
