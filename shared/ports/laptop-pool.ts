import type { AvailableLaptop, Reservation } from '../domain/laptop-allocation';
import type { Delivery, Laptop, LaptopRequest, LaptopStatus } from '../schemas/laptops';

/** A laptop an onboarding holds: reserved by a pass, or assigned by its step. */
export interface Holding {
  serialNumber: string;
  status: 'reserved' | 'assigned';
  /** When the laptop last changed (reserved, or assigned). */
  since: string;
}

export interface LaptopPage {
  items: Laptop[];
  continuationToken: string | null;
}

/**
 * The laptop stock, one document per laptop. Reserving a laptop for an onboarding is a conditional write
 * of that laptop alone (it must still be available), and only the allocation pass of the pool reserves
 * (one at a time: the pool's Service Bus session), so priority order holds and a laptop is never given
 * twice.
 */
export interface LaptopPool {
  /**
   * Adds the laptops whose serial is not known yet (whatever its case): in stock, or, with `userPrincipalName`,
   * assigned to that agent already (the fleet of the agents in post).
   */
  add(
    laptops: { serialNumber: string; model: string; site?: string | undefined; userPrincipalName?: string }[],
  ): Promise<{ added: number; skipped: string[] }>;
  /** `handedOver`: only those handed over to their agent (true), or not (false). */
  list(options: {
    status?: LaptopStatus;
    handedOver?: boolean;
    limit: number;
    continuationToken?: string;
  }): Promise<LaptopPage>;
  find(serialNumber: string): Promise<Laptop | null>;
  /** What the onboarding holds (reserved or assigned), if anything, with the etag of that read. */
  heldBy(onboardingId: string): Promise<(Laptop & { etag: string }) | null>;
  /** The laptop assigned to this user (an agent in post's, or one an earlier onboarding gave), if any. */
  assignedTo(userPrincipalName: string): Promise<Laptop | null>;
  /** Which of these onboardings hold a laptop (reserved or assigned): what each holds, and since when. */
  holders(onboardingIds: string[]): Promise<Map<string, Holding>>;
  /** Available laptops, the longest in stock first; at these sites only when given; with the etag of that read. */
  available(sites: string[] | null, limit: number): Promise<(AvailableLaptop & { etag: string })[]>;
  /**
   * Laptops reserved (not yet assigned) for standard agents, the latest reserved first: what a continuity
   * agent may take when nothing is available. With the etag of that read.
   */
  preemptible(limit: number): Promise<(Laptop & { etag: string })[]>;
  /** Reserves the laptop for the request if it is still as read (available, or reserved for another); false otherwise. */
  reserve(laptop: { serialNumber: string; etag: string }, request: LaptopRequest): Promise<boolean>;
  /**
   * Records the Autopilot assignment; false when the laptop is no longer the onboarding's (released
   * meanwhile). `laptop`: as the caller read it (its etag spares a read when nothing changed since).
   */
  markAssigned(onboardingId: string, laptop: Laptop & { etag: string }): Promise<boolean>;
  /** Takes the laptop the onboarding holds out of stock (`repair`): no one can be given it as it is. */
  setAside(serialNumber: string, onboardingId: string): Promise<boolean>;
  /**
   * Puts back in stock what the onboarding holds; answers what it released. A laptop already handed over is
   * with the agent: it is expected back (`to-return`), not in stock.
   */
  release(onboardingId: string): Promise<Laptop[]>;
  /** Puts back in stock this laptop if it is still reserved (not assigned) for the onboarding. */
  releaseReservation(serialNumber: string, onboardingId: string): Promise<boolean>;
  /** A leaver's laptop, assigned to the onboarding, is expected back: `to-return`. */
  markToReturn(serialNumber: string, onboardingId: string): Promise<boolean>;
  /** The laptop assigned to the onboarding reached its agent (`at`); false when it is not, or was already. */
  handOver(serialNumber: string, onboardingId: string, at: string): Promise<boolean>;
  /**
   * The device an agent hands back (what an equipment request replaces) is expected back for the onboarding:
   * `to-return`, recorded in the stock if it was not in it (a desktop). False: another onboarding holds it.
   */
  expectBack(
    serialNumber: string,
    holder: { onboardingId: string; userPrincipalName: string; site: string | null },
  ): Promise<boolean>;
  /**
   * Records a laptop's return (from `to-return` or `repair`): `ok` back in stock, held by no one; `repair` out
   * of stock. False: it was not in one of those statuses.
   */
  recordReturn(serialNumber: string, condition: 'ok' | 'repair'): Promise<boolean>;
  /**
   * A device recorded only to be handed back (a desktop an equipment request replaced, not a laptop of the
   * stock) is back: it leaves the stock. False: it was not such a device expected back.
   */
  retire(serialNumber: string): Promise<boolean>;
  /** How many laptops are in this status. */
  count(status: LaptopStatus): Promise<number>;
  /** Available laptops by site (null: a laptop with no site). */
  availableBySite(): Promise<Map<string | null, number>>;
  /** Expected deliveries (the forecast counts them until they are removed), earliest first. */
  addDelivery(delivery: Omit<Delivery, 'id'>): Promise<Delivery>;
  removeDelivery(id: string): Promise<boolean>;
  deliveries(): Promise<Delivery[]>;
  /** Reservations made before `olderThan` and still not assigned (their resume message may be lost). */
  staleReservations(olderThan: string): Promise<Reservation[]>;
}
