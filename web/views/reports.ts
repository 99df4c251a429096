import type { Onboarding, Summary } from '../api';
import { act, View } from '../context';
import { download, field, h, replace, svg } from '../dom';
import { statusLabel, t } from '../i18n';
import { onboardingLink, ONBOARDING_STATUSES, table, today } from '../widgets';

/** The priorities, continuity first (the summary has figures for both). */
const PRIORITIES = ['continuity', 'standard'] as const;

/** Colours of the statuses in the charts (each with at least 3:1 contrast on white, WCAG 1.4.11). */
const COLOURS: Record<string, string> = {
  'awaiting-approval': '#8a5a00',
  provisioning: '#1f5fbf',
  completed: '#1b7a3a',
  'needs-attention': '#b3261e',
  rejected: '#5f5f5f',
  cancelled: '#7a4b9c',
  leaving: '#00707a',
  left: '#3d3d3d',
};

/** Onboardings created per day (Paris), by status: `{ day: { status: n } }`, days in order. */
export function perDay(items: Onboarding[], from: string, to: string): [string, Record<string, number>][] {
  const days = new Map<string, Record<string, number>>();
  const fmt = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' });
  for (const o of items) {
    const day = fmt.format(new Date(o.createdAt));
    if (day < from || day > to) continue;
    const counts = days.get(day) ?? {};
    counts[o.status] = (counts[o.status] ?? 0) + 1;
    days.set(day, counts);
  }
  return [...days.entries()].sort(([a], [b]) => a.localeCompare(b));
}

/** A stacked bar chart of the days (an image for the eye; the same figures follow as a table). */
function dayChart(days: [string, Record<string, number>][]): Element {
  const width = 640;
  const height = 220;
  const max = Math.max(1, ...days.map(([, c]) => Object.values(c).reduce((a, b) => a + b, 0)));
  const band = width / Math.max(1, days.length);
  const bars = days.flatMap(([day, counts], i) => {
    let y = height;
    return ONBOARDING_STATUSES.filter((s) => counts[s]).map((s) => {
      const n = counts[s] ?? 0;
      const hgt = (n / max) * (height - 10);
      y -= hgt;
      return svg(
        'rect',
        { x: i * band + band * 0.15, y, width: band * 0.7, height: hgt, fill: COLOURS[s] ?? '#333' },
        svg('title', {}, `${day} — ${statusLabel(s)}: ${n}`),
      );
    });
  });
  return svg(
    'svg',
    { viewBox: `0 0 ${width} ${height + 20}`, role: 'img', 'aria-label': t('perDay'), class: 'chart' },
    ...bars,
    ...days.map(([day], i) =>
      svg('text', { x: i * band + band / 2, y: height + 15, 'text-anchor': 'middle', 'font-size': 11 }, day.slice(5)),
    ),
  );
}

/** Median and 90th percentile of hire→equipped and approval→equipped, per priority, as horizontal bars. */
function timeChart(s: Summary): Element {
  const rows = PRIORITIES.flatMap((p) => [
    { label: `${t(p)} — ${t('hireToCompleted')}`, v: s.hireToCompleted[p] },
    { label: `${t(p)} — ${t('approvalToCompleted')}`, v: s.approvalToCompleted[p] },
  ]);
  const max = Math.max(1, ...rows.flatMap((r) => [r.v.p90Hours ?? 0, r.v.p50Hours ?? 0]));
  const width = 640;
  const left = 300;
  return svg(
    'svg',
    { viewBox: `0 0 ${width} ${rows.length * 40}`, role: 'img', 'aria-label': t('timeToEquipped'), class: 'chart' },
    ...rows.flatMap((r, i) => {
      const p50 = r.v.p50Hours ?? 0;
      const p90 = r.v.p90Hours ?? 0;
      const scale = (width - left - 60) / max;
      return [
        svg('text', { x: 0, y: i * 40 + 22, 'font-size': 12 }, r.label),
        svg(
          'rect',
          { x: left, y: i * 40 + 6, width: p90 * scale, height: 24, fill: '#9db7e0' },
          svg('title', {}, `${t('p90')}: ${p90} h`),
        ),
        svg(
          'rect',
          { x: left, y: i * 40 + 12, width: p50 * scale, height: 12, fill: '#1f5fbf' },
          svg('title', {}, `${t('median')}: ${p50} h`),
        ),
        svg('text', { x: left + p90 * scale + 6, y: i * 40 + 22, 'font-size': 12 }, `${p50} / ${p90} h`),
      ];
    }),
  );
}

/**
 * The summary report between two dates: onboardings per day by status (a chart and its table), time to
 * equipped by priority, who waits, what needs attention; and the CSV export of the onboardings.
 */
export class ReportsView extends View {
  private from = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
  private to = today();

  heading(): string {
    return t('reportsTitle');
  }

  protected async load(): Promise<void> {
    const from = h('input', { name: 'from', type: 'date', value: this.from, required: true });
    const to = h('input', { name: 'to', type: 'date', value: this.to, required: true });
    const form = h(
      'form',
      { class: 'filters' },
      field(t('from'), from),
      field(t('to'), to),
      h('button', { type: 'submit', class: 'primary' }, t('show')),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.from = from.value;
      this.to = to.value;
      void this.refresh();
    });
    const exportButton = h('button', { type: 'button', 'data-action': 'export' }, t('exportCsv'));
    exportButton.addEventListener(
      'click',
      () =>
        void act(this.ctx, exportButton, async () => {
          const res = await this.ctx.api.fetch('GET', 'onboardings/export');
          const file = `onboardings-${today()}.csv`;
          download(await res.blob(), file);
          this.ctx.say(t('exported', { file }));
        }),
    );
    const [s, items] = await Promise.all([
      this.ctx.api.get<Summary>('reports/summary', { from: this.from, to: this.to }),
      this.ctx.api.all<Onboarding>('onboardings'),
    ]);
    const days = perDay(items, this.from, this.to);
    const statuses = ONBOARDING_STATUSES.filter((st) => days.some(([, c]) => c[st]));
    replace(
      this,
      h('h1', {}, this.heading()),
      form,
      h('div', { class: 'toolbar' }, exportButton),
      h('p', {}, t('waitingNow', { laptop: s.waiting.laptop, license: s.waiting.officeLicense })),
      table(
        t('byStatus'),
        [t('status'), t('count')],
        Object.entries(s.byStatus).map(([k, n]) => [statusLabel(k), String(n)]),
        'data by-status',
      ),
      h(
        'section',
        {},
        h('h2', {}, t('perDay')),
        dayChart(days),
        h(
          'ul',
          { class: 'legend' },
          statuses.map((st) => h('li', {}, h('span', { class: `swatch swatch-${st}` }), statusLabel(st))),
        ),
      ),
      h(
        'details',
        {},
        h('summary', {}, t('chartSummary')),
        table(
          t('perDay'),
          [t('day'), ...statuses.map(statusLabel), t('total')],
          days.map(([day, c]) => [
            day,
            ...statuses.map((st) => String(c[st] ?? 0)),
            String(Object.values(c).reduce((a, b) => a + b, 0)),
          ]),
          'data per-day',
        ),
      ),
      h('section', {}, h('h2', {}, t('timeToEquipped')), timeChart(s)),
      table(
        t('timeToEquipped'),
        [
          t('priority'),
          `${t('hireToCompleted')} (${t('median')} / ${t('p90')})`,
          `${t('approvalToCompleted')} (${t('median')} / ${t('p90')})`,
          'n',
        ],
        PRIORITIES.map((p) => [
          t(p),
          `${s.hireToCompleted[p].p50Hours ?? '—'} / ${s.hireToCompleted[p].p90Hours ?? '—'} h`,
          `${s.approvalToCompleted[p].p50Hours ?? '—'} / ${s.approvalToCompleted[p].p90Hours ?? '—'} h`,
          String(s.hireToCompleted[p].n),
        ]),
        'data times',
      ),
      table(
        t('needsAttention'),
        [t('onboarding'), t('reason')],
        s.needsAttention.map((n) => [onboardingLink(n.onboardingId), n.reason]),
        'data attention',
      ),
    );
  }
}
