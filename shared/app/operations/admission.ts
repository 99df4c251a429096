/**
 * How many API requests an instance works on at once. Past it a request is refused at once with 503 and
 * `Retry-After`, before anything is read or written, rather than queued behind the others until it runs past
 * every client's timeout: under a flood of clients the ones admitted finish in their usual time, and the
 * others know when to come back. Azure scales out on the same signal (requests per instance).
 */
export class Admission {
  private inFlight = 0;

  constructor(readonly limit: number) {}

  /** Takes a place; false when every place is taken (the caller answers 503). */
  tryEnter(): boolean {
    if (this.inFlight >= this.limit) return false;
    this.inFlight += 1;
    return true;
  }

  leave(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
  }

  /** Requests being worked on now. */
  get current(): number {
    return this.inFlight;
  }
}

/** Seconds a refused client waits before it tries again: requests take well under a second when admitted. */
export const BUSY_RETRY_AFTER_SECONDS = 1;
