// The local host's movable clock (local/movable-clock.ts), shared with the benchmark's days.
export { movableClock } from '../../local/movable-clock';
