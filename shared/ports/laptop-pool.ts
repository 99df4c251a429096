import type { Reservation } from '../domain/laptop-allocation';
import type { Laptop, LaptopRequest, LaptopStatus } from '../schemas/laptops';

/**
 * The laptop stock: one writer at a time (an etag-guarded pool document), so priority order holds and
 * a laptop is never reserved twice. Each change that can free or add laptops runs an allocation pass
 * and answers the reservations it made, for the caller to resume those onboardings.
 */
export interface LaptopPool {
  list(status?: LaptopStatus): Promise<Laptop[]>;
  add(
    laptops: { serialNumber: string; model: string; site?: string | undefined }[],
  ): Promise<{ added: number; skipped: string[]; reservations: Reservation[] }>;
  /** The laptop the onboarding holds, or a place in line (and an allocation pass). */
  request(request: LaptopRequest): Promise<{ held: Laptop | null; reservations: Reservation[] }>;
  /** Records the Autopilot assignment; false when the laptop is no longer the onboarding's (released meanwhile). */
  markAssigned(onboardingId: string, serialNumber: string): Promise<boolean>;
  /** One laptop of the stock, or null. */
  find(serialNumber: string): Promise<Laptop | null>;
  /** What the onboarding holds, if anything (reserved or assigned). */
  heldBy(onboardingId: string): Promise<Laptop | null>;
  /** Returns the onboarding's laptop to stock and withdraws its request. */
  release(onboardingId: string): Promise<{ released: Laptop[]; reservations: Reservation[] }>;
  /** Reservations made before `olderThan` and still not assigned (their resume message may be lost). */
  staleReservations(olderThan: string): Promise<Reservation[]>;
}
