import type { LaptopStatus, Onboarding, OnboardingStatus } from './api';
import { field, h, type Child } from './dom';
import { fill, t, tn, words } from './i18n';

/** A column of a table: its header, and whether its cells are numbers (aligned right). */
export interface Column {
  label: string;
  numeric?: boolean;
  /** Kept out of the stacked rows of a narrow screen (a checkbox's empty header). */
  bare?: boolean;
}

/**
 * A table with a caption and a header row; every row is a list of cells. On a narrow screen each row is a card
 * whose cells carry their header (`data-label`), so nothing sits off to the right of a phone.
 */
export function table(
  caption: string,
  columns: (Column | string)[],
  rows: Child[][],
  className = 'data',
  options: { hideCaption?: boolean; rowAttrs?: (i: number) => Record<string, string> } = {},
): HTMLElement {
  const cols = columns.map((c) => (typeof c === 'string' ? { label: c } : c));
  if (rows.length === 0) {
    return h(
      'div',
      { class: 'empty-table' },
      !options.hideCaption && h('h3', { class: 'caption' }, caption),
      h('p', { class: 'empty' }, t('none')),
    );
  }
  return h(
    'div',
    { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': caption },
    h(
      'table',
      { class: className },
      h('caption', options.hideCaption ? { class: 'visually-hidden' } : {}, caption),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          cols.map((c) => h('th', { scope: 'col', ...(c.numeric ? { class: 'num' } : {}) }, c.label)),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((cells, i) =>
          h(
            'tr',
            options.rowAttrs?.(i) ?? {},
            cells.map((c, j) => {
              const col = cols[j];
              return h(
                'td',
                {
                  ...(col?.label && !col.bare ? { 'data-label': col.label } : {}),
                  ...(col?.numeric ? { class: 'num' } : {}),
                  ...(col?.bare ? { 'data-bare': 'true' } : {}),
                },
                // One box a cell: on a phone the cell is a grid of its header and this.
                h('div', { class: 'cell' }, c),
              );
            }),
          ),
        ),
      ),
    ),
  );
}

/** Text that is data (a name, a upn, a department): never translated, read as it is. */
export function data(text: string | null | undefined, className?: string): HTMLElement {
  return h('span', { translate: 'no', ...(className ? { class: className } : {}) }, text ?? '');
}

/** An onboarding's status as a badge, the API's value as its data attribute (tests and styles read it). */
export function statusBadge(status: OnboardingStatus): HTMLElement {
  return h('span', { class: `badge status-${status}`, 'data-status': status }, words().onboardingStatus[status]);
}

export function laptopBadge(status: LaptopStatus): HTMLElement {
  return h('span', { class: `badge status-${status}`, 'data-status': status }, words().laptopStatus[status]);
}

export function priorityBadge(priority: Onboarding['priority']): HTMLElement {
  return h('span', { class: `badge priority-${priority}`, 'data-priority': priority }, words().priorityName[priority]);
}

export function kindBadge(kind: Onboarding['kind']): HTMLElement {
  return h('span', { class: `badge kind-${kind}`, 'data-kind': kind }, words().kindName[kind]);
}

/** The address of an onboarding's record. */
export function onboardingHref(id: string): string {
  return `#/onboardings/${encodeURIComponent(id)}`;
}

/** Who an onboarding is for: the name (a link to the record when the person may read it), upn and employee id below. */
export function personCell(
  o: Pick<Onboarding, 'id' | 'displayName' | 'userPrincipalName' | 'employeeId'>,
  linked = true,
): Child {
  const name = linked
    ? h('a', { href: onboardingHref(o.id), translate: 'no', class: 'person' }, o.displayName)
    : data(o.displayName, 'person');
  return [name, h('small', { class: 'sub', translate: 'no' }, `${o.userPrincipalName} · ${o.employeeId}`)];
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
  'needs-attention': true,
  completed: true,
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

/**
 * Asks before something is done: a modal dialog naming what will happen (and how many), with an optional
 * reason (required to reject). Resolves with the reason ('' when none is asked), or null when cancelled.
 */
export function confirmDialog(o: {
  title: string;
  body: string;
  confirm: string;
  danger?: boolean;
  reason?: { label: string; required: boolean; missing: string };
}): Promise<string | null> {
  return new Promise((resolve) => {
    const id = `dlg-${Math.random().toString(36).slice(2, 8)}`;
    const reason = o.reason ? h('textarea', { name: 'reason', rows: 3, maxlength: 1000 }) : null;
    const error = h('p', { class: 'field-error', role: 'alert' });
    const ok = h(
      'button',
      { type: 'submit', class: o.danger ? 'danger' : 'primary', 'data-action': 'confirm-dialog' },
      o.confirm,
    );
    const no = h('button', { type: 'button', 'data-action': 'cancel-dialog' }, t('cancel'));
    const form = h(
      'form',
      { method: 'dialog' },
      h('h2', { id }, o.title),
      h('p', {}, o.body),
      reason && o.reason && field(o.reason.label, reason),
      error,
      h('div', { class: 'buttons' }, no, ok),
    );
    const dialog = h('dialog', { 'aria-labelledby': id, class: 'confirm' }, form);
    let settled = false;
    const done = (value: string | null) => {
      if (settled) return;
      settled = true;
      dialog.close();
      dialog.remove();
      resolve(value);
    };
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const text = reason?.value.trim() ?? '';
      if (o.reason?.required && text === '') {
        error.textContent = o.reason.missing;
        reason?.focus();
        return;
      }
      done(text);
    });
    no.addEventListener('click', () => done(null));
    dialog.addEventListener('cancel', () => done(null));
    document.body.append(dialog);
    dialog.showModal();
    (reason ?? ok).focus();
  });
}

/** A progress bar with its words (« 400 sur 1 000 »), for work done in parts. */
export function progress(label: (done: number, total: number) => string): {
  el: HTMLElement;
  set(done: number, total: number): void;
} {
  const bar = h('progress', { max: 1, value: 0 });
  const text = h('span', { class: 'progress-text' });
  const el = h('div', { class: 'progress', role: 'status' }, bar, text);
  return {
    el,
    set(done, total) {
      bar.max = Math.max(1, total);
      bar.value = done;
      const said = label(done, total);
      text.textContent = said;
      bar.setAttribute('aria-label', said);
    },
  };
}

/** A heading with a count in words beside it. */
export function countHeading(level: 'h2' | 'h3', text: string, n: number | null): HTMLElement {
  return h(level, {}, text, n !== null && h('span', { class: 'count' }, fill('{n}', { n })));
}

/** Re-exports used by the views. */
export { tn };
