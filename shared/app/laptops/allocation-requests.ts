import type { Clock } from '../../ports/clock';
import type { MessageBus } from '../../ports/message-bus';
import { DEFAULT_POOL } from '../../schemas/laptops';
import { boundedMessageId } from '../message-id';
import { QUEUES } from '../queues';

/** Requests of a pass within this span come to one pass, at its end. */
export const ALLOCATION_TICK_MS = 1000;

/**
 * Asks the pool's allocator for a pass: a message in the pool's session, scheduled for the end of the
 * current tick, with the tick for its id. However many approvals, releases or deliveries ask within one
 * tick, duplicate detection keeps one message: one pass, which reads the line after all of them were
 * written (each writes before it asks). `reason` is for the logs.
 */
export function createRequestAllocation(bus: MessageBus, clock: Clock, tickMs = ALLOCATION_TICK_MS) {
  return async function requestAllocation(reason: string): Promise<void> {
    const tick = Math.floor(clock.now().getTime() / tickMs) + 1;
    await bus.send(QUEUES.laptopAllocation, [
      {
        messageId: boundedMessageId(`allocate/${DEFAULT_POOL}/${tick}`),
        sessionId: DEFAULT_POOL,
        subject: 'allocate',
        contentType: 'application/json',
        body: { pool: DEFAULT_POOL, reason },
        scheduledEnqueueTime: new Date(tick * tickMs),
      },
    ]);
  };
}
export type RequestAllocation = ReturnType<typeof createRequestAllocation>;
