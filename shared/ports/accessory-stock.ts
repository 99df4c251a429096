import type { AccessoryCount, AccessoryHold } from '../schemas/accessories';

/** One kind at one site as a pass reads it, with the etag that guards its next change. */
export interface AccessoryStockEntry {
  id: string;
  kind: string;
  site: string | null;
  available: number;
  holds: Readonly<Record<string, AccessoryHold>>;
  etag: string;
}

/** What an onboarding holds: one of a kind, from one site's stock. */
export interface AccessoryHolding {
  kind: string;
  site: string | null;
  status: AccessoryHold['status'];
}

/**
 * The counted stock of accessories (Cosmos DB in Azure and locally). Each change of a kind's stock is a
 * conditional write of its one document: a change made twice (a redelivery) finds its effect there already.
 */
export interface AccessoryStock {
  /** `count` more of a kind at a site (null: the DSI's own stock). */
  add(kind: string, site: string | null, count: number): Promise<AccessoryCount>;
  /** Every kind and site, by kind then site. */
  list(): Promise<AccessoryCount[]>;
  /** Every kind and site with its holders, for a pass. */
  entries(): Promise<AccessoryStockEntry[]>;
  /**
   * Sets aside one of the entry's kind for each of `onboardingIds`, if the entry is still as read (If-Match):
   * false when it changed meanwhile (nothing written), or when fewer are available than asked.
   */
  reserve(entry: AccessoryStockEntry, onboardingIds: readonly string[]): Promise<boolean>;
  /** What the onboarding holds, the reserved ones now handed out (`given`). */
  give(onboardingId: string): Promise<AccessoryHolding[]>;
  /** What the onboarding holds, as it stands. */
  holdingsOf(onboardingId: string): Promise<AccessoryHolding[]>;
  /** Puts back in stock what the onboarding holds (reserved or given); answers how many. */
  putBack(onboardingId: string): Promise<number>;
}
