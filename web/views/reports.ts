import type { OnboardingStatus, Summary } from '../api';
import { act, View } from '../context';
import { download, field, h, replace, svg } from '../dom';
import { hours, num, shortDate, t, tn, today, words } from '../i18n';
import { data, ONBOARDING_STATUSES, table } from '../widgets';

/** The priorities, continuity first (the summary has figures for both). */
const PRIORITIES = ['continuity', 'standard'] as const;

/** Colours of the statuses in the chart (each with at least 3:1 contrast on white, WCAG 1.4.11). */
const COLOURS: Record<OnboardingStatus, string> = {
  'awaiting-approval': '#8a5a00',
  provisioning: '#1f5fbf',
  completed: '#1b7a3a',
  'needs-attention': '#b3261e',
  rejected: '#5f5f5f',
  cancelled: '#7a4b9c',
  leaving: '#00707a',
  left: '#3d3d3d',
};

/** Round steps for an axis up to `max`: 1, 2 or 5 times a power of ten, about four of them. */
export function ticks(max: number): number[] {
  if (max <= 0) return [0, 1];
  const rough = max / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? power * 10;
  const out: number[] = [];
  for (let v = 0; v <= max + step * 0.999; v += step) out.push(Math.round(v));
  return out;
}

/** The days of the period with their counts by status, every day of it (a day with none drawn empty). */
function days(s: Summary): { day: string; counts: Partial<Record<OnboardingStatus, number>> }[] {
  const byDay = new Map(s.byDay.map((d) => [d.day, d.byStatus]));
  const out: { day: string; counts: Partial<Record<OnboardingStatus, number>> }[] = [];
  const last = Date.parse(`${s.to}T00:00:00Z`);
  const first = Math.max(Date.parse(`${s.from}T00:00:00Z`), last - 89 * 86_400_000);
  for (let d = first; d <= last; d += 86_400_000) {
    const day = new Date(d).toISOString().slice(0, 10);
    out.push({ day, counts: byDay.get(day) ?? {} });
  }
  return out;
}

/**
 * Onboardings created per day, by status, as stacked bars with a value axis and its grid, the days below, and
 * each bar's total above it; the same figures follow as a table for whoever does not read charts.
 */
function dayChart(s: Summary): Element {
  const rows = days(s);
  const width = 720;
  const height = 240;
  const left = 44;
  const bottom = 28;
  const top = 30;
  const totals = rows.map((r) => Object.values(r.counts).reduce((a, b) => a + b, 0));
  const axis = ticks(Math.max(1, ...totals));
  const max = axis.at(-1) ?? 1;
  const plot = height - bottom - top;
  const y = (v: number) => top + plot - (v / max) * plot;
  const band = (width - left - 8) / Math.max(1, rows.length);
  const labelEvery = Math.max(1, Math.ceil(rows.length / 12));
  return svg(
    'svg',
    { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': t('perDay'), class: 'chart' },
    svg('title', {}, t('perDay')),
    ...axis.flatMap((v) => [
      svg('line', { x1: left, x2: width - 4, y1: y(v), y2: y(v), class: 'grid' }),
      svg('text', { x: left - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'axis' }, num(v)),
    ]),
    svg('text', { x: 4, y: 14, class: 'axis' }, t('perDayAxis')),
    ...rows.flatMap((r, i) => {
      let base = 0;
      const x = left + i * band + band * 0.15;
      const bars = ONBOARDING_STATUSES.filter((st) => r.counts[st]).map((st) => {
        const n = r.counts[st] ?? 0;
        const rect = svg(
          'rect',
          { x, y: y(base + n), width: band * 0.7, height: y(base) - y(base + n), fill: COLOURS[st] },
          svg('title', {}, `${shortDate(r.day)} — ${words().onboardingStatus[st]} : ${num(n)}`),
        );
        base += n;
        return rect;
      });
      const total = totals[i] ?? 0;
      return [
        ...bars,
        total > 0 &&
          svg('text', { x: x + band * 0.35, y: y(total) - 3, 'text-anchor': 'middle', class: 'value' }, num(total)),
        i % labelEvery === 0 &&
          svg('text', { x: x + band * 0.35, y: height - 10, 'text-anchor': 'middle', class: 'axis' }, shortDate(r.day)),
      ].filter((e): e is SVGElement => e !== false);
    }),
  );
}

/**
 * The summary report between two days: how many were created, by status, per day (a chart with its axes and
 * values, and its figures as a table), how long it takes to be equipped by priority, who waits, what needs a
 * person; and the export of the same days for French Excel.
 */
export class ReportsView extends View {
  private from = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
  private to = today();

  heading(): string {
    return t('reportsTitle');
  }

  protected async load(): Promise<void> {
    const w = words();
    const from = h('input', { name: 'from', type: 'date', value: this.from, required: true });
    const to = h('input', { name: 'to', type: 'date', value: this.to, required: true });
    const form = h(
      'form',
      { class: 'filters inline-form', 'aria-label': t('period') },
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
    const exportButton = h('button', { type: 'button', 'data-action': 'export-excel' }, t('exportPeriod'));
    exportButton.addEventListener(
      'click',
      () =>
        void act(this.ctx, exportButton, async () => {
          const res = await this.ctx.api.fetch('GET', 'onboardings/export', {
            query: { format: 'excel-fr', createdFrom: this.from, createdTo: this.to },
          });
          const file = `arrivees-${this.from}-${this.to}.csv`;
          download(await res.blob(), file);
          this.ctx.say([t('exported'), ' ', data(file)]);
        }),
    );
    const s = await this.ctx.api.get<Summary>('reports/summary', { from: this.from, to: this.to });
    const created = Object.values(s.byStatus).reduce((a, b) => a + b, 0);
    const statuses = ONBOARDING_STATUSES.filter((st) => s.byDay.some((d) => d.byStatus[st]));
    const equipped = PRIORITIES.reduce((n, p) => n + s.hireToCompleted[p].n, 0);
    replace(
      this,
      h('h1', {}, this.heading()),
      h('div', { class: 'toolbar' }, form, h('span', { class: 'spacer' }), exportButton),
      h(
        'dl',
        { class: 'tiles', 'data-tiles': 'report' },
        h('div', { class: 'tile' }, h('dt', {}, t('created')), h('dd', { class: 'tile-n' }, num(created))),
        h('div', { class: 'tile' }, h('dt', {}, t('equippedCount')), h('dd', { class: 'tile-n' }, num(equipped))),
        ...(['awaiting-approval', 'provisioning', 'needs-attention'] as const).map((st) =>
          h(
            'div',
            { class: `tile status-${st}` },
            h('dt', {}, w.onboardingStatus[st]),
            h('dd', { class: 'tile-n' }, num(s.byStatus[st])),
          ),
        ),
      ),
      h('p', {}, t('waitingNow', { laptop: s.waiting.laptop, license: s.waiting.officeLicense })),
      s.needsAttention.length > 0 &&
        h(
          'p',
          { class: 'warn' },
          tn('attentionCount', s.needsAttention.length),
          ' ',
          h('a', { href: '#/to-handle' }, t('seeToHandle')),
        ),
      h(
        'section',
        { class: 'chart-section' },
        h('h2', {}, t('perDay')),
        dayChart(s),
        h(
          'ul',
          { class: 'legend' },
          statuses.map((st) => h('li', {}, h('span', { class: `swatch swatch-${st}` }), w.onboardingStatus[st])),
        ),
        h(
          'details',
          {},
          h('summary', {}, t('chartData')),
          table(
            t('perDay'),
            [
              t('day'),
              ...statuses.map((st) => ({ label: w.onboardingStatus[st], numeric: true })),
              { label: t('total'), numeric: true },
            ],
            s.byDay.map((d) => [
              shortDate(d.day),
              ...statuses.map((st) => num(d.byStatus[st] ?? 0)),
              num(Object.values(d.byStatus).reduce((a, b) => a + b, 0)),
            ]),
            'data per-day',
          ),
        ),
      ),
      h(
        'section',
        {},
        h('h2', {}, t('timeToEquipped')),
        table(
          t('timeToEquipped'),
          [
            t('priority'),
            `${t('hireToCompleted')} — ${t('median')}`,
            `${t('hireToCompleted')} — ${t('p90')}`,
            `${t('approvalToCompleted')} — ${t('median')}`,
            { label: t('equippedCount'), numeric: true },
          ],
          PRIORITIES.map((p) => [
            w.priorityName[p],
            hours(s.hireToCompleted[p].p50Hours),
            hours(s.hireToCompleted[p].p90Hours),
            hours(s.approvalToCompleted[p].p50Hours),
            num(s.hireToCompleted[p].n),
          ]),
          'data times',
        ),
      ),
    );
  }
}
