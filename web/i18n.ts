import { en } from './words/en';
import { fr, type Words } from './words/fr';

export type { Words };

/** The console's languages: French by default (the DSI works in French), English on demand. */
export type Lang = 'fr' | 'en';
const LANG_KEY = 'dsi-console.lang';

let lang: Lang = localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'fr';

export function currentLang(): Lang {
  return lang;
}

export function setLang(next: Lang): void {
  lang = next;
  localStorage.setItem(LANG_KEY, next);
  document.documentElement.lang = next;
}

/** The words of the page's language (typed tables: statuses, steps, history...). */
export function words(): Words {
  return lang === 'en' ? en : fr;
}

/** A plural: the forms of the language's plural rules that French and English use. */
export interface Plural {
  one: string;
  other: string;
}

type FlatKey = { [K in keyof Words]: Words[K] extends string ? K : never }[keyof Words];
type PluralKey = { [K in keyof Words]: Words[K] extends Plural ? K : never }[keyof Words];

/** `{name}` placeholders filled; numbers written as the language writes them (1 000, 0,5). */
export function fill(text: string, params: Record<string, string | number> = {}): string {
  return text.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const v = params[name];
    if (v === undefined) return `{${name}}`;
    return typeof v === 'number' ? num(v) : v;
  });
}

/** A word, with `{name}` placeholders filled. */
export function t(key: FlatKey, params: Record<string, string | number> = {}): string {
  return fill(words()[key], params);
}

/** A word that agrees with `n` (« 1 décision enregistrée », « 30 décisions enregistrées »); `{n}` is n. */
export function tn(key: PluralKey, n: number, params: Record<string, string | number> = {}): string {
  const forms: Plural = words()[key];
  const form = new Intl.PluralRules(lang).select(n) === 'one' ? forms.one : forms.other;
  return fill(form, { n, ...params });
}

const locale = () => (lang === 'en' ? 'en-GB' : 'fr-FR');

/** A number as the language writes it (« 1 000 », « 0,5 »). */
export function num(n: number, digits = 0): string {
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(n);
}

/** A day (YYYY-MM-DD) as people read it: « 7 déc. 2026 », "7 Dec 2026". */
export function date(day: string | null | undefined): string {
  if (!day) return '';
  const [y, m, d] = day.split('-').map(Number);
  if (!y || !m || !d) return day;
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeZone: 'UTC' }).format(Date.UTC(y, m - 1, d));
}

/** A day shortly: « 07/12 ». */
export function shortDate(day: string): string {
  const [, m, d] = day.split('-');
  return `${d ?? ''}/${m ?? ''}`;
}

/** A date and time in Paris: « 3 déc. 2026, 09:05 ». */
export function dateTime(iso: string | null | undefined): string {
  const at = iso ? new Date(iso) : null;
  // A value that is no instant says nothing rather than break the screen.
  if (!at || Number.isNaN(at.getTime())) return '';
  return new Intl.DateTimeFormat(locale(), {
    timeZone: 'Europe/Paris',
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(at);
}

/** A time of day in Paris: « 09:05 ». */
export function time(iso: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '';
  return new Intl.DateTimeFormat(locale(), { timeZone: 'Europe/Paris', timeStyle: 'short' }).format(at);
}

/** How long ago, in minutes, hours or days (« 3 h », « 2 j »). */
export function since(iso: string, now = Date.now()): string {
  const minutes = Math.max(0, (now - new Date(iso).getTime()) / 60_000);
  const w = words();
  if (minutes < 60) return fill(w.minutesShort, { n: Math.round(minutes) });
  if (minutes < 48 * 60) return fill(w.hoursShort, { n: Math.round(minutes / 60) });
  return fill(w.daysShort, { n: Math.round(minutes / 1440) });
}

/** Hours as a duration (« 0,5 h », « 36 h »); « — » for none. */
export function hours(h: number | null): string {
  return h === null ? '—' : fill(words().hoursShort, { n: num(h, 1) });
}

/** Today in Paris, `YYYY-MM-DD`. */
export function today(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());
}

/** Days from `a` to `b` (YYYY-MM-DD), positive when b is later. */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}
