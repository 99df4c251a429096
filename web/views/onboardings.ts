import { queryString, type Onboarding, type Page, type Query } from '../api';
import { act, View } from '../context';
import { download, field, h, replace } from '../dom';
import { statusLabel, t } from '../i18n';
import { agentCell, ONBOARDING_STATUSES, priorityBadge, select, statusBadge, table, today } from '../widgets';

const FILTERS = [
  'employeeId',
  'status',
  'department',
  'priority',
  'startDateFrom',
  'startDateTo',
  'decidedBy',
] as const;

/**
 * Every onboarding, newest first, with the list's filters (AND) and paging by continuation token; the
 * same filters export the CSV. The filters live in the address (`#/onboardings?status=…`), so a view can
 * be shared and the browser's back button works.
 */
export class OnboardingsView extends View {
  /** The continuation tokens of the pages before this one (the first page has none). */
  private readonly tokens: (string | null)[] = [null];

  heading(): string {
    return t('onboardingsTitle');
  }

  private filters(): Query {
    const params = new URLSearchParams(location.hash.split('?')[1] ?? '');
    const q: Query = {};
    for (const name of FILTERS) q[name] = params.get(name) ?? undefined;
    q.limit = params.get('limit') ?? '25';
    return q;
  }

  protected async load(): Promise<void> {
    const q = this.filters();
    const form = this.filterForm(q);
    const results = h('div', {}, h('p', { role: 'status' }, t('loading')));
    const exportButton = h('button', { type: 'button', 'data-action': 'export' }, t('exportCsv'));
    exportButton.addEventListener('click', () => void act(this.ctx, exportButton, () => this.export(q)));
    replace(this, h('h1', {}, this.heading()), form, h('div', { class: 'toolbar' }, exportButton), results);
    await this.page(q, results);
  }

  private filterForm(q: Query): HTMLFormElement {
    const input = (name: string, type = 'text') => {
      const el = h('input', { name, type });
      el.value = String(q[name] ?? '');
      return el;
    };
    const status = select('status', ONBOARDING_STATUSES, statusLabel, t('any'));
    status.value = String(q.status ?? '');
    const priority = select(
      'priority',
      ['continuity', 'standard'],
      (v) => (v === 'continuity' ? t('continuity') : t('standard')),
      t('any'),
    );
    priority.value = String(q.priority ?? '');
    const limit = select('limit', ['10', '25', '50', '100', '200'], (v) => v);
    limit.value = String(q.limit);
    const form = h(
      'form',
      { class: 'filters', role: 'search', 'aria-label': t('filters') },
      h(
        'fieldset',
        {},
        h('legend', {}, t('filters')),
        field(t('employeeId'), input('employeeId')),
        field(t('status'), status),
        field(t('department'), input('department')),
        field(t('priority'), priority),
        field(t('startDateFrom'), input('startDateFrom', 'date')),
        field(t('startDateTo'), input('startDateTo', 'date')),
        field(t('decidedBy'), input('decidedBy')),
        field(t('pageSize'), limit),
        h(
          'div',
          { class: 'buttons' },
          h('button', { type: 'submit', class: 'primary' }, t('apply')),
          h('button', { type: 'reset' }, t('reset')),
        ),
      ),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const next: Query = {};
      new FormData(form).forEach((v, k) => (next[k] = typeof v === 'string' ? v : v.name));
      location.hash = `#/onboardings${queryString(next)}`;
    });
    form.addEventListener('reset', () => setTimeout(() => (location.hash = '#/onboardings'), 0));
    return form;
  }

  private async page(q: Query, area: HTMLElement): Promise<void> {
    const index = this.tokens.length - 1;
    const page = await this.ctx.api.get<Page<Onboarding>>('onboardings', {
      ...q,
      continuationToken: this.tokens[index],
    });
    const rows = page.items.map((o) => [
      agentCell(o),
      statusBadge(o.status),
      priorityBadge(o.priority),
      o.startDate,
      o.department,
      o.decision ? `${o.decision.decision} ${t('by')} ${o.decision.by}` : '',
    ]);
    const prev = h('button', { type: 'button', 'data-action': 'previous-page' }, t('previous'));
    const next = h('button', { type: 'button', 'data-action': 'next-page' }, t('next'));
    prev.disabled = index === 0;
    next.disabled = !page.continuationToken;
    const turn = (button: HTMLButtonElement, change: () => void) => () => {
      // One page at a time: both buttons wait for the page asked for; the focus stays on the one pressed.
      prev.disabled = next.disabled = true;
      change();
      void this.page(q, area)
        .then(() => {
          this.ctx.say(t('pageN', { n: this.tokens.length }));
          const same = area.querySelector<HTMLButtonElement>(`[data-action=${button.dataset.action ?? ''}]`);
          (same && !same.disabled ? same : area.querySelector<HTMLButtonElement>('nav.pager button:enabled'))?.focus();
        })
        .catch((err: unknown) => this.ctx.fail(err));
    };
    prev.addEventListener(
      'click',
      turn(prev, () => this.tokens.pop()),
    );
    next.addEventListener(
      'click',
      turn(next, () => this.tokens.push(page.continuationToken)),
    );
    replace(
      area,
      table(
        t('pageN', { n: index + 1 }),
        [t('agent'), t('status'), t('priority'), t('startDate'), t('department'), t('decision')],
        rows,
        'data onboardings',
      ),
      h('nav', { class: 'pager', 'aria-label': t('pageN', { n: index + 1 }) }, prev, next),
    );
  }

  /** `GET /api/onboardings/export` with the list's filters, saved as a file. */
  private async export(q: Query): Promise<void> {
    const { limit: _limit, ...filters } = q;
    const res = await this.ctx.api.fetch('GET', 'onboardings/export', { query: filters });
    const file = `onboardings-${today()}.csv`;
    download(await res.blob(), file);
    this.ctx.say(t('exported', { file }));
  }
}
