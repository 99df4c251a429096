import type { RejectedMessage } from '../schemas/rejected-message';
import type { Versioned } from './onboarding-store';

/** Where queue functions set aside the messages that can never succeed. */
export interface RejectedMessageStore {
  /** Records it; recording the same message (queue and messageId) again answers the first record. */
  record(message: RejectedMessage): Promise<RejectedMessage>;
  get(queue: string, id: string): Promise<Versioned<RejectedMessage> | null>;
  /** Oldest first; without `includeResubmitted`, only those never sent again. */
  list(options: { queue?: string; includeResubmitted?: boolean; limit: number }): Promise<RejectedMessage[]>;
  /** Replaces only if the etag is still current (ConcurrencyConflict otherwise). */
  replace(message: RejectedMessage, etag: string): Promise<void>;
}
