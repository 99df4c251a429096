import { createHash } from 'node:crypto';

/** Service Bus refuses a messageId longer than this. */
export const MAX_MESSAGE_ID_LENGTH = 128;

/**
 * A deterministic message id within Service Bus's limit: ids built from long parts (a 64-character
 * employee id, a 64-character serial...) keep a readable head and end in a hash of the whole.
 */
export function boundedMessageId(id: string): string {
  if (id.length <= MAX_MESSAGE_ID_LENGTH) return id;
  const hash = createHash('sha256').update(id).digest('base64url');
  return `${id.slice(0, MAX_MESSAGE_ID_LENGTH - hash.length - 1)}~${hash}`;
}
