import { isHistoryType } from '../shared/domain/history-types';
import type { HistoryEntry, Onboarding, Problem, StepName } from './api';
import { STEP_NAMES } from './api';
import { date, dateTime, fill, words } from './i18n';
import type { KnownFailure, KnownProblem, KnownStatus } from './words/fr';

// The service's values said in the page's words: statuses, steps and what they wait for, history entries,
// problems. Nothing raw reaches the screen: an event type, a status value, an ISO time or the API's English
// becomes a sentence; what only an engineer needs (Microsoft Graph's own message) is kept as a technical
// detail, marked as English for screen readers.

type Step = Onboarding['steps'][StepName];

/** A failure code the console explains. */
function isKnownFailure(code: string): code is KnownFailure {
  return code in words().failure;
}

/** The code a failed step's detail starts with (`UserNotFound: gave up…`). */
export function failureCode(detail: string | undefined): string | null {
  const m = /^([A-Za-z_]+):/.exec(detail ?? '');
  return m?.[1] ?? null;
}

/** A step's detail in words, when the console knows what it says; null when it is only technical. */
export function detailInWords(step: Step): string | null {
  const d = step.detail ?? '';
  const w = words().detailWords;
  let m: RegExpExecArray | null;
  if ((m = /^retry (\d+) after a transient fault/.exec(d))) return fill(w.retry, { n: Number(m[1]) });
  if ((m = /^the agent already holds laptop (.+)$/.exec(d))) return fill(w.alreadyHolds, { serial: m[1] ?? '' });
  if ((m = /^laptop (.*) expected back at the DSI$/.exec(d))) return fill(w.expectedBack, { serial: m[1] ?? '' });
  if (d === 'expected back at the DSI with the laptop') return w.backWithLaptop;
  if (d === 'laptop returned (ok)') return w.returnedOk;
  if (d === 'laptop returned (repair)') return w.returnedRepair;
  if (d === 'returned with the laptop') return w.returnedWith;
  if (d === 'kept: the agent had it before the request') return w.kept;
  if (d.startsWith('no team for the department')) return w.noTeam;
  if (d.startsWith('already a member')) return w.alreadyMember;
  if (d === 'licence already held') return w.licenceHeld;
  if (d.startsWith('inherited from group')) return w.inherited;
  if (d.startsWith('revert failed')) return w.revertFailed;
  const code = failureCode(d);
  if (step.status === 'failed' && code) return isKnownFailure(code) ? words().failure[code] : words().failureOther;
  return null;
}

/** What a step stands at, as a sentence: its status, what it waits for, or why it failed. */
export function stepInWords(name: StepName, step: Step): string {
  const w = words();
  if (step.waitingOn) {
    return step.waitingOn === 'day'
      ? fill(w.waitingSentence.day, { day: date(step.notBefore?.slice(0, 10) ?? '') })
      : w.waitingSentence[step.waitingOn];
  }
  const said = w.stepSentence[step.status];
  const detail = detailInWords(step);
  const pre = step.preExisting ? ` (${w.preExisting})` : '';
  return detail ? `${said} — ${detail}${pre}` : `${said}${pre}`;
}

/** The step's own technical detail (Microsoft Graph's message), when the sentence does not already say all. */
export function technicalDetail(step: Step): string | null {
  const d = step.detail;
  if (!d) return null;
  if (step.status === 'failed' || step.waitingOn === 'account' || /^retry \d+ after/.test(d)) return d;
  return null;
}

/** The steps an onboarding needs (a step never needed is left out of the story). */
export function neededSteps(o: Onboarding): StepName[] {
  return STEP_NAMES.filter((s) => !(o.steps[s].status === 'skipped' && !o.steps[s].detail));
}

/** What holds an onboarding, as short sentences (empty: nothing). */
export function blockers(o: Onboarding): string[] {
  const w = words();
  return STEP_NAMES.flatMap((name) => {
    const step = o.steps[name];
    if (step.status === 'failed' || step.waitingOn) return [`${w.stepName[name]}${w.sep}${stepInWords(name, step)}`];
    return [];
  });
}

/** Who did something, as the page says it: a person's upn as it is, HR, the service, an application. */
export function actorInWords(actor: string): string {
  const a = words().actorName;
  if (actor === 'hr') return a.hr;
  if (actor === 'system') return a.system;
  if (actor.startsWith('app:')) return fill(a.app, { name: actor.slice(4) });
  return actor;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** A value of a history entry's details in words: a day, a priority, a department and site. */
function valueInWords(v: unknown): string {
  const w = words();
  if (typeof v === 'string') {
    if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return date(v);
    if (/^\d{4}-\d{2}-\d{2}T/.test(v) && !Number.isNaN(Date.parse(v))) return dateTime(v);
    if (v === 'continuity' || v === 'standard') return w.priorityName[v];
    return v;
  }
  if (typeof v === 'object' && v !== null) {
    const o = v as { department?: unknown; site?: unknown };
    return [str(o.department), str(o.site)].filter(Boolean).join(', ');
  }
  return '';
}

/** How a laptop reached its agent: picked up at a site, or sent (with its tracking number). */
export function handoverInWords(h: { method: 'pickup' | 'delivery'; trackingNumber?: string }): string {
  const w = words();
  if (h.method === 'pickup') return w.handoverPickup;
  return h.trackingNumber ? fill(w.handoverTracking, { tracking: h.trackingNumber }) : w.handoverDelivery;
}

/** One history entry as a sentence, and what it adds (a comment, a reason) as a second line. */
export function entryInWords(e: HistoryEntry): { text: string; more: string | null; technical: string | null } {
  const w = words();
  const d = e.details ?? {};
  const step = typeof d.step === 'string' && d.step in w.stepName ? w.stepName[d.step as StepName] : '';
  const steps = Array.isArray(d.steps)
    ? d.steps
        .filter((s): s is StepName => typeof s === 'string' && s in w.stepName)
        .map((s) => w.stepName[s])
        .join(', ')
    : '';
  const day =
    [d.startDate, d.lastDay, d.effectiveDate, d.decidedAt, d.to, d.notBefore, d.startDateTime]
      .map(str)
      .find((v) => /^\d{4}-\d{2}-\d{2}/.test(v) && !Number.isNaN(Date.parse(v))) ?? '';
  const args = {
    step,
    steps,
    from: valueInWords(d.from),
    to: valueInWords(d.to),
    day: day ? (day.length > 10 ? dateTime(day) : date(day)) : '',
    serial: str(d.serialNumber),
    reason: d.condition === 'repair' ? w.conditionRepair : w.conditionOk,
    decision: d.decision === 'reject' ? w.decisionName.reject : w.decisionName.approve,
    max: typeof d.maxPerHour === 'number' ? d.maxPerHour : 0,
    method: handoverInWords({
      method: d.method === 'delivery' ? 'delivery' : 'pickup',
      ...(typeof d.trackingNumber === 'string' ? { trackingNumber: d.trackingNumber } : {}),
    }),
    minutes: typeof d.lifetimeInMinutes === 'number' ? d.lifetimeInMinutes : 0,
  };
  const text = isHistoryType(e.type) ? w.historyEntry[e.type](args) : w.historyUnknown;
  let more: string | null = null;
  if (typeof d.comment === 'string' && d.comment) more = `« ${d.comment} »`;
  if (e.type === 'step.waiting' && d.waitingOn === 'account') more = w.waitingSentence.account;
  if (e.type === 'step.done' && d.preExisting === true) more = w.preExisting;
  if (e.type === 'step.done' && typeof d.serialNumber === 'string') more = `${w.serial} ${d.serialNumber}`;
  if (e.type === 'step.failed' && typeof d.code === 'string') {
    more = isKnownFailure(d.code) ? w.failure[d.code] : w.failureOther;
  }
  const technical =
    e.type === 'step.failed' || e.type === 'step.retry-scheduled' || e.type === 'step.revert-failed'
      ? [str(d.code), str(d.message) || str(d.reason)].filter(Boolean).join(': ')
      : null;
  return { text, more, technical: technical || null };
}

/** History entries folded: consecutive retries of a step are one row with their count and span. */
export interface FoldedEntry {
  entry: HistoryEntry;
  count: number;
  lastAt: string;
}

const RETRIES = new Set(['step.retry-scheduled', 'step.revert-retry-scheduled']);

/**
 * A step's retries are one row, where the first came, with their count and span, until something else happens
 * to that step (it is done, fails, waits anew): retries of several steps interleave, each folds on its own.
 */
export function foldHistory(items: readonly HistoryEntry[]): FoldedEntry[] {
  const out: FoldedEntry[] = [];
  const open = new Map<string, FoldedEntry>();
  for (const entry of items) {
    const step = typeof entry.details?.step === 'string' ? entry.details.step : '';
    const key = `${entry.type}/${step}`;
    const folded = RETRIES.has(entry.type) ? open.get(key) : undefined;
    if (folded) {
      folded.count += 1;
      folded.lastAt = entry.at;
      continue;
    }
    const row = { entry, count: 1, lastAt: entry.at };
    out.push(row);
    if (RETRIES.has(entry.type)) open.set(key, row);
    else if (step) for (const type of RETRIES) open.delete(`${type}/${step}`);
    // A new run of the steps (a retry asked, an approval undone...) starts their story again.
    else open.clear();
  }
  return out;
}

/** A span of two instants as the page says it, the day once when it is the same. */
export function spanInWords(from: string, to: string): { from: string; to: string } {
  const a = dateTime(from);
  const b = dateTime(to);
  return { from: a, to: a.slice(0, -5) === b.slice(0, -5) ? b.slice(-5) : b };
}

/** A problem in the page's words: a sentence for what happened, the API's own words kept as technical detail. */
export function problemInWords(p: Problem): { title: string; message: string; technical: string } {
  const w = words();
  const code = typeof p.code === 'string' ? p.code : '';
  const byCode = w.problemByCode as Record<string, string | undefined>;
  const status = String(p.status) as KnownStatus;
  const message =
    byCode[code as KnownProblem] ??
    (w.problemByStatus as Record<string, string | undefined>)[status] ??
    w.problemByStatus['500'];
  const technical = [p.status ? `HTTP ${p.status}` : '', p.title, p.detail].filter(Boolean).join(' — ');
  return { title: w.problemTitle, message, technical };
}

/** A field of a validation error in words. */
export function fieldInWords(path: string): string {
  const fields = words().field as Record<string, string | undefined>;
  const last =
    path
      .split('.')
      .filter((p) => !/^\d+$/.test(p))
      .at(-1) ?? path;
  return fields[last] ?? last;
}
