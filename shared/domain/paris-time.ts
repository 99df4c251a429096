/**
 * Calendar days as the DSI lives them: in Europe/Paris. HR sends days (a start date, a last day); the service
 * acts at instants. Pure (the time zone rules come with the runtime's ICU data).
 */
const ZONE = 'Europe/Paris';

const offsetFormat = new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, timeZoneName: 'longOffset' });
const dayFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** Paris's offset from UTC at an instant, in minutes (60 in winter, 120 in summer). */
function offsetMinutes(at: number): number {
  const name = offsetFormat.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  if (!m) return 0;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === '-' ? -minutes : minutes;
}

/** The day `days` after `day` (YYYY-MM-DD; negative: before). */
export function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The day after `day` (YYYY-MM-DD). */
export function nextDay(day: string): string {
  return addDays(day, 1);
}

/** The instant `day` starts in Paris (its 00:00 there; midnight is never skipped by a change of time there). */
export function startOfDayInParis(day: string): Date {
  const midnightUtc = Date.parse(`${day}T00:00:00Z`);
  // The offset at the guess, then at the instant it gives (the two differ only around a change of time).
  const first = midnightUtc - offsetMinutes(midnightUtc) * 60_000;
  return new Date(midnightUtc - offsetMinutes(first) * 60_000);
}

/** The instant it is `hour`:00 on `day` in Paris (a whole hour that exists that day: 7, not 2 on the spring change). */
export function atHourInParis(day: string, hour: number): Date {
  const wallUtc = Date.parse(`${day}T${String(hour).padStart(2, '0')}:00:00Z`);
  const first = wallUtc - offsetMinutes(wallUtc) * 60_000;
  return new Date(wallUtc - offsetMinutes(first) * 60_000);
}

/** The instant `day` ends in Paris: the next day's 00:00 there. */
export function endOfDayInParis(day: string): Date {
  return startOfDayInParis(nextDay(day));
}

/** The calendar day in Paris at an instant (YYYY-MM-DD). */
export function dayInParis(at: Date): string {
  return dayFormat.format(at);
}
