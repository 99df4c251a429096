import { ApiProblem, type Forecast, type Laptop } from '../api';
import { act, type Ctx, View } from '../context';
import { field, h, replace, type Child } from '../dom';
import { dateTime, statusLabel, t } from '../i18n';
import { LAPTOP_STATUSES, onboardingLink, priorityBadge, select, statusBadge, table, today } from '../widgets';

export interface NewLaptop {
  serialNumber: string;
  model: string;
  site?: string;
}

/**
 * Laptops pasted or read from a CSV: one a line, `serial;model;site` or `serial,model,site` (model and
 * site optional, then the defaults), a header line (`serialNumber…`/`numéro…`) skipped, blank lines too.
 */
export function parseLaptops(text: string, defaults: { model: string; site: string }): NewLaptop[] {
  const out: NewLaptop[] = [];
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    const cells = line.split(/[;,\t]/).map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
    const serialNumber = cells[0] ?? '';
    if (/^(serial|num[ée]ro|n°)/i.test(serialNumber)) continue;
    const model = cells[1] || defaults.model;
    const site = cells[2] || defaults.site;
    out.push({ serialNumber, model, ...(site ? { site } : {}) });
  }
  return out;
}

const DELIVERIES_KEY = 'dsi-console.deliveries';

/** The deliveries recorded from this browser (the API lists them only as the forecast's counts by day). */
function knownDeliveries(): { id: string; expectedOn: string; count: number }[] {
  try {
    return JSON.parse(localStorage.getItem(DELIVERIES_KEY) ?? '[]') as {
      id: string;
      expectedOn: string;
      count: number;
    }[];
  } catch {
    return [];
  }
}

/**
 * The stock: laptops by status, the list by status, the waiting list in service order with the forecast's
 * dates; add laptops (pasted or a CSV file), record a returned laptop, record or cancel an expected delivery.
 */
export class StockView extends View {
  private status = 'available';

  heading(): string {
    return t('stockTitle');
  }

  protected async load(): Promise<void> {
    const canList = this.ctx.can('Inventory.Manage', 'Onboarding.Read');
    const canManage = this.ctx.can('Inventory.Manage');
    const [counts, forecast] = await Promise.all([
      canList ? this.counts() : Promise.resolve(null),
      this.ctx.api.get<Forecast>('forecast'),
    ]);
    const list = h('div');
    replace(
      this,
      h('h1', {}, this.heading()),
      counts &&
        table(
          t('byStatus'),
          [t('status'), t('count')],
          LAPTOP_STATUSES.map((s) => [statusBadge(s), String(counts[s] ?? 0)]),
          'data counts',
        ),
      canManage && this.forms(),
      this.forecastView(forecast),
      canList && this.listView(list),
    );
  }

  private async counts(): Promise<Record<string, number>> {
    const entries = await Promise.all(
      LAPTOP_STATUSES.map(async (s) => [s, (await this.ctx.api.all<Laptop>('laptops', { status: s })).length] as const),
    );
    return Object.fromEntries(entries);
  }

  private listView(area: HTMLElement): HTMLElement {
    const status = select('status', LAPTOP_STATUSES, statusLabel);
    status.value = this.status;
    const draw = async () => {
      const items = await this.ctx.api.all<Laptop>('laptops', { status: this.status });
      replace(
        area,
        table(
          `${t('laptops')} — ${statusLabel(this.status)}`,
          [t('serial'), t('model'), t('site'), t('status'), t('onboarding')],
          items.map((l) => [
            l.serialNumber,
            l.model,
            l.site ?? '',
            statusBadge(l.status),
            l.onboardingId ? onboardingLink(l.onboardingId) : '',
          ]),
          'data laptops',
        ),
      );
    };
    status.addEventListener('change', () => {
      this.status = status.value;
      void draw().catch((err: unknown) => this.ctx.fail(err));
    });
    void draw().catch((err: unknown) => this.ctx.fail(err));
    return h('section', {}, h('h2', {}, t('laptops')), field(t('status'), status), area);
  }

  private forecastView(f: Forecast): HTMLElement {
    return h(
      'section',
      {},
      h('h2', {}, t('waitingList')),
      h(
        'p',
        {},
        t('forecastAsOf', {
          date: f.asOf.length === 10 ? f.asOf : dateTime(f.asOf),
          available: f.laptops.available,
          seats: f.seats.free,
        }),
      ),
      f.laptops.expected.length > 0 &&
        table(
          t('expected'),
          [t('expectedOn'), t('count')],
          f.laptops.expected.map((e) => [e.on, String(e.count)]),
          'data expected',
        ),
      table(
        t('serviceOrder'),
        [t('position'), t('onboarding'), t('priority'), t('startDate'), t('needs'), t('expectedBy')],
        f.waiting.map((w) => [
          String(w.position),
          onboardingLink(w.onboardingId),
          priorityBadge(w.priority),
          w.startDate,
          w.waitingFor.map((x) => t(x === 'laptop' ? 'laptop' : 'officeLicense')).join(', '),
          w.expectedBy ?? t('notBeforeMore'),
        ]),
        'data waiting',
      ),
    );
  }

  private forms(): HTMLElement {
    return h(
      'section',
      { class: 'forms' },
      addLaptopsForm(this.ctx, () => this.refresh()),
      returnForm(this.ctx, () => this.refresh()),
      deliveryForm(this.ctx, () => this.refresh()),
    );
  }
}

/**
 * A form of the stock: its title, its fields, and a submit button that runs `run`; then the form is
 * cleared, the screen read again, and `run`'s message said. A refusal shows the API's problem.
 */
function stockForm(
  ctx: Ctx,
  done: () => Promise<void>,
  o: { title: string; action: string; label: string; fields: Child[]; run: () => Promise<string> },
): HTMLFormElement {
  const submit = h('button', { type: 'submit', class: 'primary', 'data-action': o.action }, o.label);
  const form = h('form', { class: 'card' }, h('h2', {}, o.title), o.fields, submit);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void act(ctx, submit, async () => {
      const message = await o.run();
      form.reset();
      await done();
      ctx.say(message);
    });
  });
  return form;
}

function addLaptopsForm(ctx: Ctx, done: () => Promise<void>): HTMLElement {
  const serials = h('textarea', { name: 'serials', rows: 4 });
  const model = h('input', { name: 'model', type: 'text', value: 'Latitude 5440' });
  const site = h('input', { name: 'site', type: 'text' });
  const file = h('input', { name: 'file', type: 'file', accept: '.csv,text/csv,text/plain' });
  return stockForm(ctx, done, {
    title: t('addLaptops'),
    action: 'add-laptops',
    label: t('add'),
    fields: [
      field(t('serialsPaste'), serials),
      field(t('orCsv'), file),
      field(t('defaultModel'), model),
      field(t('defaultSite'), site),
    ],
    async run() {
      const fromFile = file.files?.[0] ? await file.files[0].text() : '';
      const laptops = parseLaptops(`${serials.value}\n${fromFile}`, {
        model: model.value.trim(),
        site: site.value.trim(),
      });
      const r = await ctx.api.json<{ added: number; skipped: string[] }>('POST', 'laptops', { json: { laptops } });
      return t('added', { added: r.added, skipped: r.skipped.length });
    },
  });
}

function returnForm(ctx: Ctx, done: () => Promise<void>): HTMLElement {
  const serial = h('input', { name: 'serialNumber', type: 'text', required: true });
  const condition = select('condition', ['ok', 'repair'], (v) =>
    v === 'ok' ? t('conditionOk') : t('conditionRepair'),
  );
  const comment = h('input', { name: 'comment', type: 'text', maxlength: 1000 });
  return stockForm(ctx, done, {
    title: t('returnLaptop'),
    action: 'record-return',
    label: t('record'),
    fields: [field(t('serial'), serial), field(t('condition'), condition), field(t('comment'), comment)],
    async run() {
      const sn = serial.value.trim();
      const laptop = await ctx.api.json<{ status: string }>('POST', `laptops/${encodeURIComponent(sn)}/return`, {
        json: { condition: condition.value, ...(comment.value.trim() ? { comment: comment.value.trim() } : {}) },
      });
      return t('returned', { serial: sn, status: statusLabel(laptop.status) });
    },
  });
}

function deliveryForm(ctx: Ctx, done: () => Promise<void>): HTMLElement {
  const expectedOn = h('input', { name: 'expectedOn', type: 'date', required: true, min: today() });
  const count = h('input', { name: 'count', type: 'number', min: 1, max: 10000, required: true, value: 10 });
  const model = h('input', { name: 'model', type: 'text' });
  const site = h('input', { name: 'site', type: 'text' });
  const cancels = h(
    'ul',
    { class: 'plain' },
    knownDeliveries().map((d) => {
      const b = h(
        'button',
        { type: 'button', class: 'small' },
        t('cancelDelivery', { id: `${d.expectedOn} × ${d.count}` }),
      );
      b.addEventListener(
        'click',
        () =>
          void act(ctx, b, async () => {
            await ctx.api.json('DELETE', `laptops/deliveries/${encodeURIComponent(d.id)}`).catch((err: unknown) => {
              // Already gone (404): forget it here too.
              if (!(err instanceof ApiProblem && err.problem.status === 404)) throw err;
            });
            localStorage.setItem(DELIVERIES_KEY, JSON.stringify(knownDeliveries().filter((x) => x.id !== d.id)));
            await done();
            ctx.say(t('deliveryCancelled'));
          }),
      );
      return h('li', {}, b);
    }),
  );
  const form = stockForm(ctx, done, {
    title: t('deliveries'),
    action: 'add-delivery',
    label: t('record'),
    fields: [
      field(t('expectedOn'), expectedOn),
      field(t('count'), count),
      field(t('model'), model),
      field(t('site'), site),
    ],
    async run() {
      const body = {
        expectedOn: expectedOn.value,
        count: Number(count.value),
        ...(model.value.trim() ? { model: model.value.trim() } : {}),
        ...(site.value.trim() ? { site: site.value.trim() } : {}),
      };
      const { id } = await ctx.api.json<{ id: string }>('POST', 'laptops/deliveries', { json: body });
      localStorage.setItem(
        DELIVERIES_KEY,
        JSON.stringify([...knownDeliveries(), { id, expectedOn: body.expectedOn, count: body.count }]),
      );
      return t('deliveryAdded', { id });
    },
  });
  form.append(cancels);
  return form;
}
