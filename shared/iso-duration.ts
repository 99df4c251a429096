// ISO 8601 durations as settings take them (P5Y, P1M, P7D, PT30S, P1Y2M3DT4H5M6S): calendar parts move the
// calendar (a year back from 29 February is 28 February, or 1 March: as JavaScript's Date sets it).

const PATTERN = /^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

export function isIsoDuration(text: string): boolean {
  return PATTERN.test(text);
}

/** The instant `duration` before `from`. Throws on a text that is not a duration. */
export function before(from: Date, duration: string): Date {
  return shifted(from, duration, -1);
}

/** The instant `duration` after `from`. Throws on a text that is not a duration. */
export function after(from: Date, duration: string): Date {
  return shifted(from, duration, 1);
}

function shifted(from: Date, duration: string, sign: 1 | -1): Date {
  const m = PATTERN.exec(duration);
  if (!m) throw new Error(`not an ISO 8601 duration: ${duration}`);
  const [y, mo, w, d, h, mi, s] = m.slice(1).map((v: string | undefined) => sign * Number(v ?? 0));
  const at = new Date(from.getTime());
  at.setUTCFullYear(
    at.getUTCFullYear() + (y ?? 0),
    at.getUTCMonth() + (mo ?? 0),
    at.getUTCDate() + (w ?? 0) * 7 + (d ?? 0),
  );
  at.setUTCHours(at.getUTCHours() + (h ?? 0), at.getUTCMinutes() + (mi ?? 0), at.getUTCSeconds() + (s ?? 0));
  return at;
}
