import { queryString, type Counts, type ListPage, type Onboarding, type Query } from '../api';
import { act, View } from '../context';
import { blockers } from '../describe';
import { download, field, h, replace } from '../dom';
import { date, dateTime, fill, num, t, tn, today, words } from '../i18n';
import {
  data,
  kindBadge,
  ONBOARDING_STATUSES,
  personCell,
  priorityBadge,
  select,
  statusBadge,
  table,
} from '../widgets';

/** The list's filters as the address holds them (and the API takes them). */
const FILTERS = ['q', 'status', 'kind', 'priority', 'department', 'startDateFrom', 'startDateTo'] as const;

/** The orders offered, as `sort:order`. */
const SORTS = [
  'createdAt:desc',
  'createdAt:asc',
  'startDate:asc',
  'startDate:desc',
  'displayName:asc',
  'displayName:desc',
] as const;
type SortChoice = (typeof SORTS)[number];

function sortLabel(s: SortChoice): string {
  const w = words();
  const labels: Record<SortChoice, string> = {
    'createdAt:desc': w.sortNewest,
    'createdAt:asc': w.sortOldest,
    'startDate:asc': w.sortStartSoon,
    'startDate:desc': w.sortStartLate,
    'displayName:asc': w.sortName,
    'displayName:desc': w.sortNameDesc,
  };
  return labels[s];
}

/** The address's query: the filters, the order, the page size, and the tokens of the pages before this one. */
function fromAddress(): { filters: Query; sort: SortChoice; limit: string; tokens: string[] } {
  const params = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const filters: Query = {};
  for (const name of FILTERS) filters[name] = params.get(name) ?? undefined;
  const asked = params.get('sort') ?? 'createdAt:desc';
  const sort = (SORTS as readonly string[]).includes(asked) ? (asked as SortChoice) : 'createdAt:desc';
  const tokens = (params.get('pages') ?? '').split(',').filter(Boolean);
  return { filters, sort, limit: params.get('limit') ?? '25', tokens };
}

function address(filters: Query, sort: SortChoice, limit: string, tokens: string[]): string {
  return `#/onboardings${queryString({
    ...filters,
    ...(sort !== 'createdAt:desc' ? { sort } : {}),
    ...(limit !== '25' ? { limit } : {}),
    ...(tokens.length > 0 ? { pages: tokens.join(',') } : {}),
  })}`;
}

/**
 * Every onboarding, with a search that forgives case and accents, the filters (AND), an order, the total, and
 * pages; all of it in the address (`#/onboardings?q=helene&status=…&pages=…`), so that a view can be shared and
 * the browser's back button works. The same filters export the list for French Excel, or as the tools' CSV.
 */
export class OnboardingsView extends View {
  heading(): string {
    return t('onboardingsTitle');
  }

  protected async load(): Promise<void> {
    const { filters, sort, limit, tokens } = fromAddress();
    const [sortBy, order] = sort.split(':');
    const [page, counts] = await Promise.all([
      this.ctx.api.get<ListPage>('onboardings', {
        ...filters,
        sort: sortBy,
        order,
        limit,
        continuationToken: tokens.at(-1),
      }),
      this.ctx.api.get<Counts>('onboardings/counts', { include: 'departments' }),
    ]);
    const excel = h('button', { type: 'button', class: 'primary', 'data-action': 'export-excel' }, t('exportExcel'));
    const csv = h('button', { type: 'button', 'data-action': 'export' }, t('exportCsv'));
    excel.addEventListener('click', () => void act(this.ctx, excel, () => this.export(filters, 'excel-fr')));
    csv.addEventListener('click', () => void act(this.ctx, csv, () => this.export(filters)));
    replace(
      this,
      h('h1', {}, this.heading()),
      this.form(filters, sort, limit, counts),
      h(
        'div',
        { class: 'toolbar results-bar' },
        h('p', { class: 'lead', 'data-total': String(page.total) }, tn('results', page.total)),
        h('span', { class: 'spacer' }),
        excel,
        csv,
      ),
      this.results(page, filters, sort, limit, tokens),
    );
  }

  private form(filters: Query, sort: SortChoice, limit: string, counts: Counts): HTMLFormElement {
    const w = words();
    const input = (name: string, type = 'text') => {
      const el = h('input', { name, type });
      el.value = String(filters[name] ?? '');
      return el;
    };
    const q = h('input', { name: 'q', type: 'search', autocomplete: 'off', maxlength: 100 });
    q.value = String(filters.q ?? '');
    const status = select(
      'status',
      ONBOARDING_STATUSES,
      (v) => w.onboardingStatus[v as Onboarding['status']],
      w.allStatuses,
    );
    status.value = String(filters.status ?? '');
    const kind = select('kind', ['hire', 'equipment'], (v) => w.kindName[v as Onboarding['kind']], w.allKinds);
    kind.value = String(filters.kind ?? '');
    const priority = select(
      'priority',
      ['continuity', 'standard'],
      (v) => w.priorityName[v as Onboarding['priority']],
      w.allPriorities,
    );
    priority.value = String(filters.priority ?? '');
    const departments = Object.entries(counts.byDepartment ?? {}).sort(([a], [b]) => a.localeCompare(b, 'fr'));
    const department = h(
      'select',
      { name: 'department', translate: 'no' },
      h('option', { value: '' }, w.allDepartments),
      departments.map(([d, n]) => h('option', { value: d }, `${d} (${num(n)})`)),
    );
    department.value = String(filters.department ?? '');
    const order = select('sort', [...SORTS], (v) => sortLabel(v as SortChoice));
    order.value = sort;
    const size = select('limit', ['10', '25', '50', '100', '200'], (v) => v);
    size.value = limit;
    const form = h(
      'form',
      { class: 'filters', role: 'search', 'aria-label': t('search') },
      h(
        'div',
        { class: 'search-row' },
        field(t('search'), q, t('searchHint')),
        h('button', { type: 'submit', class: 'primary', 'data-action': 'search' }, t('searchButton')),
      ),
      h(
        'details',
        { class: 'more-filters', ...(FILTERS.some((f) => f !== 'q' && filters[f]) ? { open: true } : {}) },
        h('summary', {}, t('filters')),
        h(
          'div',
          { class: 'filter-grid' },
          field(t('status'), status),
          field(t('kind'), kind),
          field(t('priority'), priority),
          field(t('department'), department),
          field(`${t('startDate')} — ${t('from')}`, input('startDateFrom', 'date')),
          field(`${t('startDate')} — ${t('to')}`, input('startDateTo', 'date')),
          field(t('sortBy'), order),
          field(t('pageSize'), size),
          h(
            'div',
            { class: 'buttons' },
            h('button', { type: 'submit', class: 'primary' }, t('apply')),
            h('button', { type: 'reset', 'data-action': 'reset' }, t('reset')),
          ),
        ),
      ),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const next: Query = {};
      for (const name of FILTERS) {
        const value = new FormData(form).get(name);
        next[name] = typeof value === 'string' ? value.trim() : undefined;
      }
      location.hash = address(next, order.value as SortChoice, size.value, []);
    });
    form.addEventListener('reset', () => setTimeout(() => (location.hash = '#/onboardings'), 0));
    return form;
  }

  private results(page: ListPage, filters: Query, sort: SortChoice, limit: string, tokens: string[]): HTMLElement {
    const w = words();
    const rows = page.items.map((o) => {
      const holds = blockers(o);
      return [
        [personCell(o), h('div', { class: 'tags' }, kindBadge(o.kind))],
        [statusBadge(o.status), holds.length > 0 && h('small', { class: 'sub cause' }, holds[0])],
        priorityBadge(o.priority),
        date(o.startDate),
        [h('span', { translate: 'no' }, o.department), o.site && h('small', { class: 'sub', translate: 'no' }, o.site)],
        o.decision
          ? [
              w.decisionName[o.decision.decision],
              h(
                'small',
                { class: 'sub' },
                h('span', { translate: 'no' }, o.decision.by),
                ' · ',
                dateTime(o.decision.at),
              ),
            ]
          : '',
      ];
    });
    const pageNo = tokens.length + 1;
    const pages = Math.max(1, Math.ceil(page.total / Number(limit)));
    const prev = h(
      'a',
      { class: 'button', 'data-action': 'previous-page', href: address(filters, sort, limit, tokens.slice(0, -1)) },
      t('previous'),
    );
    const next = h(
      'a',
      {
        class: 'button',
        'data-action': 'next-page',
        href: page.continuationToken ? address(filters, sort, limit, [...tokens, page.continuationToken]) : '#',
      },
      t('next'),
    );
    if (tokens.length === 0) prev.setAttribute('aria-disabled', 'true');
    if (!page.continuationToken) next.setAttribute('aria-disabled', 'true');
    for (const link of [prev, next]) {
      link.addEventListener('click', (e) => {
        if (link.getAttribute('aria-disabled') === 'true') e.preventDefault();
      });
    }
    return h(
      'div',
      {},
      table(
        fill(w.pageOf, { page: num(pageNo), pages: num(pages) }),
        [t('agent'), t('status'), t('priority'), t('startOrNeeded'), t('department'), t('decision')],
        rows,
        'data onboardings',
      ),
      h(
        'nav',
        { class: 'pager', 'aria-label': fill(w.pageOf, { page: num(pageNo), pages: num(pages) }) },
        prev,
        h('span', { class: 'page-no' }, fill(w.pageOf, { page: num(pageNo), pages: num(pages) })),
        next,
      ),
    );
  }

  /** `GET /api/onboardings/export` with the list's filters, saved as a file. */
  private async export(filters: Query, format?: 'excel-fr'): Promise<void> {
    const res = await this.ctx.api.fetch('GET', 'onboardings/export', {
      query: { ...filters, ...(format ? { format } : {}) },
    });
    const file = `${format === 'excel-fr' ? 'arrivees' : 'onboardings'}-${today()}.csv`;
    download(await res.blob(), file);
    this.ctx.say([t('exported'), ' ', data(file)]);
  }
}
