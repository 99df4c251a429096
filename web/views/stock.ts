import { type AccessoryCount, type Delivery, type Forecast, type Laptop, type LaptopStatus } from '../api';
import { act, type Ctx, View } from '../context';
import { field, h, replace, type Child } from '../dom';
import { date, fill, num, t, tn, today, words } from '../i18n';
import {
  confirmDialog,
  data,
  kindBadge,
  LAPTOP_STATUSES,
  laptopBadge,
  onboardingHref,
  priorityBadge,
  select,
  table,
} from '../widgets';

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

/**
 * The stock as its manager reads it: laptops by status, what is missing for the line (« il manque 982 PC »)
 * and where, the line in the order it is served with names, sites, start dates, the forecast's day and who is
 * late, the deliveries the API lists (any stock manager withdraws one), leavers' laptops expected back (those
 * overdue said apart, not counted), the laptops to hand over (one click a laptop picked up, a tracking number for
 * one sent, or a serial scanned), the accessories by kind and site, and the forms: add laptops or accessories,
 * record a return, announce a delivery.
 */
export class StockView extends View {
  private status: LaptopStatus = 'available';

  heading(): string {
    return t('stockTitle');
  }

  protected async load(): Promise<void> {
    const canList = this.ctx.can('Inventory.Manage', 'Onboarding.Read', 'Onboarding.Approve');
    const canManage = this.ctx.can('Inventory.Manage');
    const [counts, forecast, deliveries, toHandOver, accessories] = await Promise.all([
      this.ctx.api.get<{ byStatus: Record<LaptopStatus, number> }>('laptops/counts'),
      this.ctx.api.get<Forecast>('forecast'),
      this.ctx.api.get<{ items: Delivery[] }>('laptops/deliveries'),
      canList
        ? this.ctx.api.all<Laptop>('laptops', { status: 'assigned', handedOver: 'false' }, 1000)
        : Promise.resolve([]),
      this.ctx.api.get<{ items: AccessoryCount[] }>('stock/accessories'),
    ]);
    const list = h('div');
    replace(
      this,
      h('h1', {}, this.heading()),
      h(
        'ul',
        { class: 'tiles', 'aria-label': t('stockCounts') },
        LAPTOP_STATUSES.map((s) =>
          h(
            'li',
            { class: `tile status-${s}`, 'data-count': s },
            h('span', { class: 'tile-n' }, num(counts.byStatus[s])),
            h('span', { class: 'tile-label' }, words().laptopStatus[s]),
          ),
        ),
      ),
      this.shortfall(forecast),
      this.handover(toHandOver, canManage),
      this.line(forecast),
      this.accessories(accessories.items, forecast, canManage),
      h('div', { class: 'two-col' }, this.deliveries(deliveries.items, canManage), this.returns(forecast)),
      canManage && this.forms(),
      canList && this.listView(list),
    );
  }

  private shortfall(f: Forecast): HTMLElement {
    const w = words();
    const missing = f.shortfall.laptops;
    return h(
      'section',
      { class: missing > 0 ? 'callout danger' : 'callout ok', 'data-shortfall': String(missing) },
      h('h2', {}, missing > 0 ? tn('shortfall', missing) : t('noShortfall')),
      f.shortfall.bySite.length > 0 &&
        table(
          t('shortfallBySite'),
          [
            t('site'),
            { label: t('waitingHere'), numeric: true },
            { label: t('availableHere'), numeric: true },
            { label: t('missingHere'), numeric: true },
          ],
          f.shortfall.bySite.map((s) => [
            s.site ? data(s.site) : w.siteNone,
            num(s.waiting),
            num(s.available),
            h('strong', {}, num(s.missing)),
          ]),
          'data by-site',
        ),
    );
  }

  private line(f: Forecast): HTMLElement {
    const w = words();
    const readsRecords = this.ctx.can('Onboarding.Read', 'Onboarding.Approve');
    const laptops = f.waiting.filter((e) => e.waitingFor.includes('laptop'));
    return h(
      'section',
      {},
      h('h2', {}, t('line'), h('span', { class: 'count' }, num(laptops.length))),
      h('p', { class: 'hint' }, t('lineIntro')),
      laptops.length === 0
        ? h('p', { class: 'empty' }, t('lineEmpty'))
        : table(
            t('line'),
            [
              { label: t('position'), numeric: true },
              t('agent'),
              t('site'),
              t('priority'),
              t('startOrNeeded'),
              t('expectedBy'),
            ],
            laptops.slice(0, 200).map((e) => {
              const name = e.displayName ?? e.onboardingId;
              return [
                num(e.position),
                [
                  readsRecords ? h('a', { href: onboardingHref(e.onboardingId), translate: 'no' }, name) : data(name),
                  e.kind && h('div', { class: 'tags' }, kindBadge(e.kind)),
                ],
                e.site ? data(e.site) : w.siteNone,
                priorityBadge(e.priority),
                date(e.startDate),
                [
                  e.expectedBy ? date(e.expectedBy) : w.notBeforeMore,
                  h(
                    'span',
                    { class: `badge ${e.late ? 'late' : 'on-time'}`, 'data-late': String(e.late) },
                    e.late ? w.late : w.onTime,
                  ),
                ],
              ];
            }),
            'data waiting',
            { hideCaption: true, rowAttrs: (i) => ({ 'data-onboarding': laptops[i]?.onboardingId ?? '' }) },
          ),
    );
  }

  /** The laptops assigned and not yet in their agent's hands, each handed over from its row. */
  private handover(laptops: Laptop[], canManage: boolean): HTMLElement {
    const w = words();
    const name = (l: Laptop) => l.holderName ?? l.userPrincipalName ?? '';
    const rows = laptops.map((l) => {
      const cells: Child[] = [
        [data(name(l)), l.holderName && h('small', { class: 'sub', translate: 'no' }, l.userPrincipalName ?? '')],
        data(l.serialNumber),
        data(l.model),
        l.site ? data(l.site) : w.siteNone,
      ];
      if (canManage) {
        const who = { serial: l.serialNumber, name: name(l) };
        const button = (action: string, label: string, aria: string, run: () => Promise<void>) => {
          const b = h(
            'button',
            { type: 'button', class: action === 'hand-over' ? 'primary small' : 'small', 'data-action': action },
            label,
          );
          b.setAttribute('aria-label', fill(aria, who));
          b.addEventListener('click', () => void act(this.ctx, b, run));
          return b;
        };
        const pickup = button('hand-over', t('handOverPickup'), w.handOverPickupLabel, () =>
          this.handOver(l.serialNumber, name(l), { method: 'pickup' }),
        );
        const send = button('send', t('handOverSend'), w.handOverSendLabel, async () => {
          const tracking = await confirmDialog({
            title: fill(w.sendTitle, who),
            body: t('sendBody'),
            confirm: t('sendConfirm'),
            reason: { label: t('trackingNumber'), required: false, missing: '' },
          });
          if (tracking === null) return;
          await this.handOver(l.serialNumber, name(l), {
            method: 'delivery',
            ...(tracking ? { trackingNumber: tracking.slice(0, 64) } : {}),
          });
        });
        cells.push(h('div', { class: 'buttons' }, pickup, send));
      }
      return cells;
    });
    return h(
      'section',
      { 'data-section': 'handover' },
      h('h2', {}, t('handoverTitle'), h('span', { class: 'count' }, num(laptops.length))),
      canManage && h('p', { class: 'hint' }, t('handoverIntro')),
      canManage && this.handoverBySerial(),
      laptops.length === 0
        ? h('p', { class: 'empty' }, t('handoverEmpty'))
        : table(
            t('handoverTitle'),
            [t('holder'), t('serial'), t('model'), t('site'), ...(canManage ? [t('actions')] : [])],
            rows,
            'data to-hand-over',
            { hideCaption: true, rowAttrs: (i) => ({ 'data-serial': laptops[i]?.serialNumber ?? '' }) },
          ),
    );
  }

  /** A serial scanned or typed: a scanner types the label and Enter, which records the handover. */
  private handoverBySerial(): HTMLElement {
    const serial = h('input', {
      name: 'handoverSerial',
      type: 'text',
      required: true,
      autocomplete: 'off',
      translate: 'no',
      pattern: '[A-Za-z0-9._\\-]{1,64}',
    });
    const method = select('method', ['pickup', 'delivery'], (v) =>
      v === 'pickup' ? t('handoverPickup') : t('handoverDelivery'),
    );
    const tracking = h('input', { name: 'trackingNumber', type: 'text', maxlength: 64, translate: 'no' });
    const submit = h('button', { type: 'submit', class: 'primary', 'data-action': 'hand-over-serial' }, t('record'));
    const form = h(
      'form',
      { class: 'inline-form', 'data-form': 'hand-over' },
      field(t('serial'), serial, t('handoverBySerialHint')),
      field(t('handoverMethod'), method),
      field(`${t('trackingNumber')} (${t('optional')})`, tracking),
      h('div', { class: 'buttons' }, submit),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void act(this.ctx, submit, async () => {
        const sn = serial.value.trim();
        await this.handOver(sn, '', {
          method: method.value === 'delivery' ? 'delivery' : 'pickup',
          ...(method.value === 'delivery' && tracking.value.trim() ? { trackingNumber: tracking.value.trim() } : {}),
        });
      });
    });
    return h('details', { class: 'card', open: true }, h('summary', {}, t('handoverBySerial')), form);
  }

  private async handOver(
    serial: string,
    name: string,
    body: { method: 'pickup' | 'delivery'; trackingNumber?: string },
  ): Promise<void> {
    const laptop = await this.ctx.api.json<Laptop>('POST', `laptops/${encodeURIComponent(serial)}/handover`, {
      json: body,
    });
    await this.refresh();
    this.ctx.say(
      fill(words().handedOver, {
        serial: laptop.serialNumber,
        name: name || laptop.holderName || laptop.userPrincipalName || '',
      }),
    );
    // The next scan goes straight into the serial field.
    this.querySelector<HTMLInputElement>('input[name=handoverSerial]')?.focus();
  }

  /** Accessories by kind and site, what the line waits for, and (for the stock's manager) the form to add some. */
  private accessories(items: AccessoryCount[], f: Forecast, canManage: boolean): HTMLElement {
    const w = words();
    const waiting = f.waiting.filter((e) => e.waitingFor.includes('accessories'));
    const kinds = [...new Set(waiting.flatMap((e) => e.accessoryKinds ?? []))].map(accessoryName);
    return h(
      'section',
      { 'data-section': 'accessories' },
      h('h2', {}, t('accessoriesTitle')),
      h('p', { class: 'hint' }, t('accessoriesIntro')),
      waiting.length > 0 &&
        h(
          'p',
          { class: 'warn', 'data-accessories-waiting': String(waiting.length) },
          tn('accessoriesWaiting', waiting.length, { kinds: kinds.join(', ') }),
        ),
      items.length === 0
        ? h('p', { class: 'empty' }, t('accessoriesEmpty'))
        : table(
            t('accessoriesTitle'),
            [
              t('accessoryKind'),
              t('site'),
              { label: t('accessoriesAvailable'), numeric: true },
              { label: t('accessoriesReserved'), numeric: true },
              { label: t('accessoriesGiven'), numeric: true },
            ],
            items.map((a) => [
              accessoryName(a.kind),
              a.site ? data(a.site) : w.dsiStock,
              h('strong', {}, num(a.available)),
              num(a.reserved),
              num(a.given),
            ]),
            'data accessories',
            {
              hideCaption: true,
              rowAttrs: (i) => ({ 'data-kind': items[i]?.kind ?? '', 'data-site': items[i]?.site ?? '' }),
            },
          ),
      canManage && accessoriesForm(this.ctx, () => this.refresh()),
    );
  }

  private deliveries(items: Delivery[], canManage: boolean): HTMLElement {
    return h(
      'section',
      {},
      h('h2', {}, t('deliveries')),
      items.length === 0
        ? h('p', { class: 'empty' }, t('deliveriesEmpty'))
        : table(
            t('deliveries'),
            [
              t('expectedOn'),
              { label: t('count'), numeric: true },
              t('model'),
              t('site'),
              ...(canManage ? [t('actions')] : []),
            ],
            items.map((d) => {
              const cells: Child[] = [date(d.expectedOn), num(d.count), data(d.model), data(d.site)];
              if (canManage) {
                const b = h(
                  'button',
                  { type: 'button', class: 'small', 'data-action': 'cancel-delivery', 'data-delivery': d.id },
                  t('cancel'),
                );
                b.setAttribute('aria-label', fill(words().cancelDelivery, { day: date(d.expectedOn) }));
                b.addEventListener('click', () => void act(this.ctx, b, () => this.cancelDelivery(d)));
                cells.push(b);
              }
              return cells;
            }),
            'data expected',
            { hideCaption: true },
          ),
    );
  }

  private async cancelDelivery(d: Delivery): Promise<void> {
    const ok = await confirmDialog({
      title: fill(words().cancelDeliveryTitle, { day: date(d.expectedOn), n: d.count }),
      body: t('cancelDeliveryBody'),
      confirm: fill(words().cancelDelivery, { day: date(d.expectedOn) }),
      danger: true,
    });
    if (ok === null) return;
    await this.ctx.api.json('DELETE', `laptops/deliveries/${encodeURIComponent(d.id)}`);
    await this.refresh();
    this.ctx.say(t('deliveryCancelled'));
  }

  private returns(f: Forecast): HTMLElement {
    const r = f.laptops.returns;
    return h(
      'section',
      {},
      h('h2', {}, t('returns')),
      r.expected.length === 0
        ? h('p', { class: 'empty' }, t('returnsEmpty'))
        : table(
            t('returns'),
            [t('expectedOn'), { label: t('count'), numeric: true }],
            r.expected.map((e) => [date(e.on), num(e.count)]),
            'data returns',
            { hideCaption: true },
          ),
      r.overdue > 0 && h('p', { class: 'warn', 'data-overdue': String(r.overdue) }, tn('returnsOverdue', r.overdue)),
    );
  }

  private listView(area: HTMLElement): HTMLElement {
    const status = select('status', LAPTOP_STATUSES, (v) => words().laptopStatus[v as LaptopStatus]);
    status.value = this.status;
    const draw = async () => {
      const items = await this.ctx.api.all<Laptop>('laptops', { status: this.status }, 1000);
      replace(
        area,
        table(
          `${t('laptops')} — ${words().laptopStatus[this.status]}`,
          [t('serial'), t('model'), t('site'), t('status'), t('onboarding')],
          items.map((l) => [
            data(l.serialNumber),
            data(l.model),
            data(l.site),
            laptopBadge(l.status),
            l.onboardingId && this.ctx.can('Onboarding.Read', 'Onboarding.Approve')
              ? h('a', { href: onboardingHref(l.onboardingId), translate: 'no' }, l.onboardingId)
              : data(l.onboardingId),
          ]),
          'data laptops',
        ),
      );
    };
    status.addEventListener('change', () => {
      this.status = status.value as LaptopStatus;
      void draw().catch((err: unknown) => this.ctx.fail(err));
    });
    void draw().catch((err: unknown) => this.ctx.fail(err));
    return h('section', {}, h('h2', {}, t('laptops')), field(t('status'), status), area);
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
 * cleared, the screen read again, and `run`'s message said. A refusal shows the API's problem in words.
 */
function stockForm(
  ctx: Ctx,
  done: () => Promise<void>,
  o: { title: string; action: string; label: string; fields: Child[]; run: () => Promise<string> },
): HTMLFormElement {
  const submit = h('button', { type: 'submit', class: 'primary', 'data-action': o.action }, o.label);
  const form = h('form', { class: 'card' }, h('h3', {}, o.title), o.fields, submit);
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
  const serials = h('textarea', { name: 'serials', rows: 4, translate: 'no' });
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
  const serial = h('input', { name: 'serialNumber', type: 'text', required: true, translate: 'no' });
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
      const laptop = await ctx.api.json<{ status: LaptopStatus }>('POST', `laptops/${encodeURIComponent(sn)}/return`, {
        json: { condition: condition.value, ...(comment.value.trim() ? { comment: comment.value.trim() } : {}) },
      });
      return t('returned', { serial: sn, status: words().laptopStatus[laptop.status] });
    },
  });
}

/** An accessory's kind in the page's words (a kind the console does not know is shown as the API has it). */
function accessoryName(kind: string): string {
  return words().accessoryName[kind] ?? kind;
}

const KNOWN_ACCESSORIES = ['headset', 'webcam', 'dock', 'monitor', 'keyboard', 'mouse'];

function accessoriesForm(ctx: Ctx, done: () => Promise<void>): HTMLElement {
  const kind = select('kind', KNOWN_ACCESSORIES, accessoryName);
  const count = h('input', { name: 'accessoryCount', type: 'number', min: 1, max: 10000, required: true, value: 10 });
  const site = h('input', { name: 'accessorySite', type: 'text' });
  return stockForm(ctx, done, {
    title: t('addAccessories'),
    action: 'add-accessories',
    label: t('add'),
    fields: [
      field(t('accessoryKind'), kind),
      field(t('count'), count),
      field(`${t('site')} (${t('optional')})`, site, t('dsiStock')),
    ],
    async run() {
      const body = {
        kind: kind.value,
        count: Number(count.value),
        ...(site.value.trim() ? { site: site.value.trim() } : {}),
      };
      const r = await ctx.api.json<AccessoryCount>('POST', 'stock/accessories', { json: body });
      return fill(words().accessoriesAdded, {
        kind: accessoryName(r.kind),
        site: r.site ?? words().dsiStock,
        available: r.available,
      });
    },
  });
}

function deliveryForm(ctx: Ctx, done: () => Promise<void>): HTMLElement {
  const expectedOn = h('input', { name: 'expectedOn', type: 'date', required: true, min: today() });
  const count = h('input', { name: 'count', type: 'number', min: 1, max: 10000, required: true, value: 10 });
  const model = h('input', { name: 'model', type: 'text' });
  const site = h('input', { name: 'site', type: 'text' });
  return stockForm(ctx, done, {
    title: t('addDelivery'),
    action: 'add-delivery',
    label: t('record'),
    fields: [
      field(t('expectedOn'), expectedOn),
      field(t('count'), count),
      field(`${t('model')} (${t('optional')})`, model),
      field(`${t('site')} (${t('optional')})`, site),
    ],
    async run() {
      const body = {
        expectedOn: expectedOn.value,
        count: Number(count.value),
        ...(model.value.trim() ? { model: model.value.trim() } : {}),
        ...(site.value.trim() ? { site: site.value.trim() } : {}),
      };
      await ctx.api.json<{ id: string }>('POST', 'laptops/deliveries', { json: body });
      return fill(words().deliveryAdded, { day: date(body.expectedOn) });
    },
  });
}
