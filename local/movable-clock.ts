import type { Clock } from '../shared/ports/clock';

/**
 * A clock that runs with real time from a chosen instant, and that a test moves on instead of waiting (the
 * end of a day in Paris, a lead time's day). Whoever schedules against it (the local bus) is told of each
 * move, so that what is scheduled comes due as it would have.
 */
export function movableClock(startAt: number) {
  let offset = startAt - Date.now();
  const listeners: (() => void)[] = [];
  const clock: Clock = { now: () => new Date(Date.now() + offset) };
  return {
    clock,
    /** Also tell `listener` of each move (the host's bus: `() => host.bus.clockChanged()`). */
    onMove(listener: () => void): void {
      listeners.push(listener);
    },
    /** Jumps to `instant` (ms since the epoch), never back. */
    moveTo(instant: number): void {
      const now = clock.now().getTime();
      if (instant <= now) return;
      offset += instant - now;
      for (const l of listeners) l();
    },
  };
}
