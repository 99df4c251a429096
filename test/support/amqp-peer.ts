import type { AddressInfo } from 'node:net';
import type { Server } from 'node:net';
import rhea, { type Connection, type EventContext, type Message, type Receiver, type Sender } from 'rhea';

/** The parts of an AMQP message the tests read, as rhea decodes them. */
export interface WireMessage {
  message_id?: string | number;
  subject?: string;
  content_type?: string;
  correlation_id?: string | number;
  /** Service Bus puts the session id in the AMQP group-id. */
  group_id?: string;
  application_properties?: Record<string, unknown>;
  message_annotations?: Record<string, unknown>;
  body?: unknown;
}

/** A message as it arrived at the peer, decoded from the wire. */
export interface ReceivedMessage {
  queue: string;
  message: WireMessage;
  /** Set when it came through com.microsoft:schedule-message. */
  scheduledEnqueueTime?: Date;
}

const BATCH_FORMAT = 0x80013700;

/**
 * A small AMQP 1.0 peer, written with rhea, that the real @azure/service-bus client talks to
 * (UseDevelopmentEmulator=true in the connection string): it accepts the $cbs put-token, receives
 * single and batched messages, answers $management schedule-message, and records what arrived.
 */
export class AmqpServiceBusPeer {
  readonly received: ReceivedMessage[] = [];
  private server?: Server;
  private readonly replyLinks = new Map<string, Sender>();
  private sequence = 1;

  async start(): Promise<number> {
    const container = rhea.create_container({ id: 'amqp-peer' });
    container.on('sender_open', (ctx: EventContext) => {
      // The client's receiving links ($cbs and $management replies): remember them by address.
      // The client's receiving links ($cbs, <queue>/$management): replies go back on the link whose
      // source is the address the request was sent to, on the same connection.
      const sender = ctx.sender;
      const address = (sender?.source as { address?: string } | undefined)?.address;
      if (sender && address) this.replyLinks.set(`${ctx.connection.container_id}|${address}`, sender);
    });
    container.on('receiver_open', (ctx: EventContext) => {
      const receiver = ctx.receiver as Receiver & { local: { attach: { max_message_size?: number } } };
      // The client refuses to create batches unless the peer announces its largest message.
      receiver.local.attach.max_message_size = 1024 * 1024;
      receiver.add_credit(1000);
    });
    container.on('message', (ctx: EventContext) => this.onMessage(ctx));
    const server = container.listen({ port: 0, host: '127.0.0.1' });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    this.server = server;
    return (server.address() as AddressInfo).port;
  }

  connectionString(port: number): string {
    return `Endpoint=sb://localhost:${port};SharedAccessKeyName=peer;SharedAccessKey=peer;UseDevelopmentEmulator=true`;
  }

  private reply(
    ctx: EventContext,
    request: Message,
    applicationProperties: Record<string, unknown>,
    body: unknown,
  ): void {
    const address = (ctx.receiver?.target as { address?: string } | undefined)?.address ?? '';
    const link = this.replyLinks.get(`${ctx.connection.container_id}|${address}`);
    if (!link) throw new Error(`no reply link for ${address}`);
    link.send({ correlation_id: request.message_id, application_properties: applicationProperties, body });
  }

  private onMessage(ctx: EventContext): void {
    const message = ctx.message;
    const target = (ctx.receiver?.target as { address?: string } | undefined)?.address ?? '';
    if (!message) return;
    const operation = message.application_properties?.operation as string | undefined;
    if (target === '$cbs') {
      this.reply(ctx, message, { 'status-code': 202, 'status-description': 'Accepted' }, undefined);
      return;
    }
    if (target.endsWith('$management')) {
      if (operation === 'com.microsoft:schedule-message') {
        const body = message.body as { messages: { message: Buffer }[] };
        const queue = target.replace(/\/\$management$/, '');
        const numbers = body.messages.map(({ message: encoded }) => {
          const decoded = rhea.message.decode(encoded) as WireMessage;
          const at = decoded.message_annotations?.['x-opt-scheduled-enqueue-time'] as Date | number | undefined;
          this.received.push({
            queue,
            message: decoded,
            ...(at !== undefined ? { scheduledEnqueueTime: new Date(at) } : {}),
          });
          return this.sequence++;
        });
        this.reply(
          ctx,
          message,
          { statusCode: 200 },
          { 'sequence-numbers': rhea.types.wrap_array(numbers, 0x81, undefined) },
        );
      } else {
        this.reply(ctx, message, { statusCode: 200 }, {});
      }
      return;
    }
    const delivery = ctx.delivery as { format?: number } | undefined;
    if (delivery?.format === BATCH_FORMAT && Buffer.isBuffer(message)) {
      // A batch arrives undecoded (message format 0x80013700): decode the envelope, then each data section.
      const envelope = rhea.message.decode(message) as WireMessage;
      const body = envelope.body as { multiple?: boolean; content: Buffer | Buffer[] } | undefined;
      const sections =
        body?.multiple && Array.isArray(body.content) ? body.content : body ? [body.content as Buffer] : [];
      for (const section of sections)
        this.received.push({ queue: target, message: rhea.message.decode(section) as WireMessage });
    } else {
      this.received.push({ queue: target, message: message as WireMessage });
    }
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export type { Connection };
