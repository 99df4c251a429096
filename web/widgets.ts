import type { Onboarding } from './api';
import type { LaptopStatus } from '../shared/schemas/laptops';
import type { OnboardingStatus } from '../shared/schemas/onboarding';
import { h, type Child } from './dom';
import { statusLabel, t } from './i18n';

/** A table with a caption and a header row; every row is a list of cells. */
export function table(caption: string, headers: string[], rows: Child[][], className = 'data'): HTMLElement {
  if (rows.length === 0)
    return h('div', {}, h('h3', { class: 'caption' }, caption), h('p', { class: 'empty' }, t('none')));
  // A wide table scrolls within its frame, which takes the keyboard's focus to be scrolled (WCAG 2.1.1).
  return h(
    'div',
    { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': caption },
    h(
      'table',
      { class: className },
      h('caption', {}, caption),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          headers.map((x) => h('th', { scope: 'col' }, x)),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((cells) =>
          h(
            'tr',
            {},
            cells.map((c) => h('td', {}, c)),
          ),
        ),
      ),
    ),
  );
}

/** A status as a badge, with the API's value as its data attribute (tests and styles read it). */
export function statusBadge(status: string): HTMLElement {
  return h('span', { class: `badge status-${status}`, 'data-status': status }, statusLabel(status));
}

export function priorityBadge(priority: string): HTMLElement {
  return h(
    'span',
    { class: `badge priority-${priority}` },
    priority === 'continuity' ? t('continuity') : t('standard'),
  );
}

/** A link to an onboarding's timeline. */
export function onboardingLink(id: string, label: string = id): HTMLElement {
  return h('a', { href: `#/onboardings/${encodeURIComponent(id)}` }, label);
}

export function agentCell(o: Onboarding): Child {
  return [onboardingLink(o.id, o.displayName), h('br'), h('small', {}, `${o.employeeId} · ${o.id}`)];
}

/** A select of values with their labels; `any` adds an empty first choice. */
export function select(name: string, values: string[], label: (v: string) => string, any?: string): HTMLSelectElement {
  return h(
    'select',
    { name },
    any !== undefined && h('option', { value: '' }, any),
    values.map((v) => h('option', { value: v }, label(v))),
  );
}

/**
 * The API's statuses in the order the console lists them. `satisfies` holds the lists to the API's own
 * types: a status the API adds and the console lacks (or one it no longer has) is a type error.
 */
const ONBOARDING_ORDER = {
  'awaiting-approval': true,
  provisioning: true,
  completed: true,
  'needs-attention': true,
  rejected: true,
  cancelled: true,
  leaving: true,
  left: true,
} satisfies Record<OnboardingStatus, true>;
export const ONBOARDING_STATUSES = Object.keys(ONBOARDING_ORDER) as OnboardingStatus[];

const LAPTOP_ORDER = {
  available: true,
  reserved: true,
  assigned: true,
  'to-return': true,
  repair: true,
} satisfies Record<LaptopStatus, true>;
export const LAPTOP_STATUSES = Object.keys(LAPTOP_ORDER) as LaptopStatus[];

/** Today in Paris, `YYYY-MM-DD`. */
export function today(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());
}
