import type { AddressInfo } from 'node:net';
import type { Server } from 'node:net';
import { randomUUID } from 'node:crypto';
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
/** A message in a dead-letter sub-queue of the peer. */
interface DeadLettered {
  sequenceNumber: number;
  message: WireMessage;
  locked: boolean;
}

/** The SDK reads a lock token as a .NET GUID: the first three groups byte-swapped. */
function reorderedGuid(tag: Buffer): string {
  const b = Buffer.from(tag);
  b.subarray(0, 4).reverse();
  b.subarray(4, 6).reverse();
  b.subarray(6, 8).reverse();
  return b.toString('hex');
}

export class AmqpServiceBusPeer {
  readonly received: ReceivedMessage[] = [];
  /** Queues whose tokens the peer refuses (a principal without Azure Service Bus Data Sender there). */
  readonly sendRefusedFor = new Set<string>();
  /** Dead-letter sub-queues by queue name, as Service Bus keeps them (`<queue>/$DeadLetterQueue`). */
  readonly deadLetters = new Map<string, DeadLettered[]>();
  private server?: Server;
  private readonly replyLinks = new Map<string, Sender>();
  /** Peek-locked dead letters by lock token (hex, both byte orders), for settlement through $management. */
  private readonly locks = new Map<string, { queue: string; entry: DeadLettered }>();
  private sequence = 1;

  /** Puts a message in `queue`'s dead-letter sub-queue, with the reason Service Bus would give. */
  deadLetter(queue: string, message: WireMessage, reason: string, description: string): number {
    const sequenceNumber = this.sequence++;
    const list = this.deadLetters.get(queue) ?? [];
    list.push({
      sequenceNumber,
      locked: false,
      message: {
        ...message,
        application_properties: {
          ...message.application_properties,
          DeadLetterReason: reason,
          DeadLetterErrorDescription: description,
        },
        message_annotations: {
          ...message.message_annotations,
          'x-opt-sequence-number': rhea.types.wrap_long(sequenceNumber),
          'x-opt-enqueued-time': new Date(),
        },
      },
    });
    this.deadLetters.set(queue, list);
    return sequenceNumber;
  }

  private settle(queue: string, entry: DeadLettered, state: 'accepted' | 'released'): void {
    const list = this.deadLetters.get(queue) ?? [];
    if (state === 'accepted' && list.includes(entry)) list.splice(list.indexOf(entry), 1);
    else entry.locked = false;
  }

  /** Sends the unlocked dead letters of `queue` on a receiving link of the client, peek-locked. */
  private deliverDeadLetters(sender: Sender, queue: string): void {
    for (const entry of this.deadLetters.get(queue) ?? []) {
      if (entry.locked || !sender.sendable()) continue;
      entry.locked = true;
      const tag = Buffer.from(randomUUID().replace(/-/g, ''), 'hex');
      const delivery = sender.send(
        {
          ...entry.message,
          delivery_count: 0,
          message_annotations: {
            ...entry.message.message_annotations,
            'x-opt-locked-until': new Date(Date.now() + 60_000),
          },
        } as Message,
        tag,
      ) as unknown as { settleHandler?: (state: 'accepted' | 'released') => void };
      delivery.settleHandler = (state) => this.settle(queue, entry, state);
      this.locks.set(tag.toString('hex'), { queue, entry });
      this.locks.set(reorderedGuid(tag), { queue, entry });
    }
  }

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
    // A receiving link of the client on a dead-letter sub-queue: messages flow as credit allows.
    container.on('sendable', (ctx: EventContext) => {
      const address = (ctx.sender?.source as { address?: string } | undefined)?.address ?? '';
      const dlq = /^(.+)\/\$DeadLetterQueue$/i.exec(address);
      if (ctx.sender && dlq?.[1]) this.deliverDeadLetters(ctx.sender, dlq[1]);
    });
    const settled = (state: 'accepted' | 'released') => (ctx: EventContext) => {
      (ctx.delivery as unknown as { settleHandler?: (s: 'accepted' | 'released') => void }).settleHandler?.(state);
    };
    container.on('accepted', settled('accepted'));
    container.on('released', settled('released'));
    container.on('modified', settled('released'));
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
      // The token's audience names the entity (sb://<namespace>/<queue>): refused for the queues where the caller
      // lacks the Send claim, as Service Bus refuses a token without the role (status 401).
      const audience = String(message.application_properties?.name ?? '');
      if ([...this.sendRefusedFor].some((queue) => audience.endsWith(`/${queue}`))) {
        this.reply(
          ctx,
          message,
          {
            'status-code': 401,
            'status-description': "Unauthorized access. 'Send' claim(s) are required to perform this operation.",
          },
          undefined,
        );
        return;
      }
      this.reply(ctx, message, { 'status-code': 202, 'status-description': 'Accepted' }, undefined);
      return;
    }
    if (target.endsWith('$management')) {
      const dlq = /^(.+)\/\$DeadLetterQueue\/\$management$/i.exec(target);
      if (operation === 'com.microsoft:peek-message' && dlq?.[1]) {
        const body = message.body as { 'from-sequence-number'?: Buffer | number; 'message-count'?: number };
        const raw = body['from-sequence-number'];
        const from = Buffer.isBuffer(raw) ? Number(raw.readBigInt64BE()) : (raw ?? 0);
        const found = (this.deadLetters.get(dlq[1]) ?? [])
          .filter((d) => d.sequenceNumber >= from)
          .slice(0, body['message-count'] ?? 1);
        if (found.length === 0) this.reply(ctx, message, { statusCode: 204 }, {});
        else
          this.reply(
            ctx,
            message,
            { statusCode: 200 },
            { messages: found.map((d) => ({ message: rhea.message.encode(d.message as Message) })) },
          );
        return;
      }
      if (operation === 'com.microsoft:update-disposition') {
        // Settlement by lock token, once the receiving link is gone (the SDK's batching receiver closes it).
        const body = message.body as { 'lock-tokens': Buffer[]; 'disposition-status': string };
        for (const token of body['lock-tokens']) {
          const lock = this.locks.get(Buffer.from(token).toString('hex'));
          if (lock)
            this.settle(lock.queue, lock.entry, body['disposition-status'] === 'completed' ? 'accepted' : 'released');
        }
        this.reply(ctx, message, { statusCode: 200 }, {});
        return;
      }
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
