import type { AttentionReason, DecisionResult, Onboarding, ToHandle } from '../api';
import { ApiProblem, STEP_NAMES } from '../api';
import { act, technical, View, type Ctx } from '../context';
import { blockers, stepInWords, technicalDetail } from '../describe';
import { field, h, replace, type Child } from '../dom';
import { date, dateTime, daysBetween, fill, t, tn, today, words } from '../i18n';
import { confirmDialog, data, kindBadge, personCell, priorityBadge, table } from '../widgets';

/** The reasons in the order their sections come (the most pressing first). */
const ORDER: readonly AttentionReason[] = [
  'departure-held',
  'account-missing',
  'needs-attention',
  'approval-expiring',
  'late',
];

/** The upn's domain, and the signed-in person's (the Région's tenant) when they differ: a typo's likely cause. */
function domainHint(upn: string, mine: string): string | null {
  const theirs = upn.split('@')[1]?.toLowerCase();
  const ours = mine.split('@')[1]?.toLowerCase();
  if (!theirs || !ours || theirs === ours) return null;
  return fill(words().accountMissingDomain, { domain: theirs, ours });
}

/** `PATCH` with the corrected upn, from a small form beside the cause; the API answers 409 if it is not missing. */
export function correctUpnForm(ctx: Ctx, o: Onboarding, done: () => Promise<void>): HTMLElement {
  const input = h('input', {
    type: 'email',
    name: 'userPrincipalName',
    required: true,
    autocomplete: 'off',
    value: o.userPrincipalName,
    translate: 'no',
  });
  const submit = h('button', { type: 'submit', class: 'primary small', 'data-action': 'correct-upn' }, t('correctUpn'));
  const subject = fill(words().tellHrSubject, { name: o.displayName, id: o.employeeId });
  const body = fill(words().tellHrBody, { upn: o.userPrincipalName, name: o.displayName, employeeId: o.employeeId });
  const hr = h(
    'a',
    {
      class: 'button small',
      'data-action': 'tell-hr',
      href: `mailto:?subject=${encodeURIComponent(subject)}&body=${encodeURIComponent(body)}`,
    },
    t('tellHr'),
  );
  const form = h(
    'form',
    { class: 'inline-form', 'data-form': 'correct-upn' },
    field([t('correctUpnFor'), ' ', data(o.displayName)], input),
    h('div', { class: 'buttons' }, submit, hr),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void act(ctx, submit, async () => {
      const upn = input.value.trim();
      await ctx.api.json('PATCH', `onboardings/${encodeURIComponent(o.id)}`, { json: { userPrincipalName: upn } });
      ctx.countsChanged();
      await done();
      ctx.say(fill(words().upnCorrected, { upn }));
    });
  });
  return form;
}

/** Why one onboarding needs a person, in sentences (what the API said, in the page's words). */
function causeOf(ctx: Ctx, o: Onboarding, reason: AttentionReason): Child {
  const w = words();
  switch (reason) {
    case 'departure-held':
      return [
        h('p', {}, fill(w.lastDay, { day: date(o.departure?.lastDay) })),
        h('p', { class: 'hint' }, w.heldBecause),
      ];
    case 'account-missing': {
      const hint = domainHint(o.userPrincipalName, ctx.me.name);
      return [
        h('p', {}, fill(w.accountMissing, { upn: o.userPrincipalName })),
        hint && h('p', { class: 'warn' }, hint),
        h('p', { class: 'hint' }, w.accountMissingWait),
      ];
    }
    case 'needs-attention':
      return STEP_NAMES.filter((s) => o.steps[s].status === 'failed').map((s) => {
        const tech = technicalDetail(o.steps[s]);
        return h(
          'div',
          {},
          h('p', {}, h('strong', {}, w.stepName[s]), ' — ', stepInWords(s, o.steps[s])),
          tech && technical(tech),
        );
      });
    case 'approval-expiring': {
      const expires = new Date(Date.parse(o.createdAt) + ctx.approval.expiresAfterHours * 3_600_000).toISOString();
      return h('p', {}, fill(w.expiresOn, { when: dateTime(expires) }));
    }
    case 'late': {
      const late = daysBetween(o.startDate, today());
      const what = blockers(o);
      return [
        h('p', {}, late > 0 ? tn('lateBy', late, { day: date(o.startDate) }) : w.lateToday),
        what.length > 0 && h('p', { class: 'hint' }, fill(w.lateWaiting, { what: what.join(' ; ') })),
      ];
    }
  }
}

/**
 * « À traiter »: every onboarding that needs a person, by reason, the most pressing first: departures held by
 * the guard (confirmed with a dialog naming how many; it cannot be undone), accounts not found (correct the upn,
 * or tell HR), failed steps (retry), approvals about to expire (decide), and those late for their date.
 */
export class ToHandleView extends View {
  private readonly selectedDepartures = new Set<string>();

  heading(): string {
    return t('toHandleTitle');
  }

  protected async load(): Promise<void> {
    const data = await this.ctx.api.get<ToHandle>('onboardings/to-handle', { limit: 100 });
    const canDecide = this.ctx.can('Onboarding.Approve');
    const byReason = new Map<AttentionReason, Onboarding[]>();
    for (const item of data.items) {
      // Each onboarding under its most pressing reason only.
      const first = item.reasons[0];
      if (!first) continue;
      byReason.set(first, [...(byReason.get(first) ?? []), item.onboarding]);
    }
    this.selectedDepartures.clear();
    replace(
      this,
      h('h1', {}, this.heading()),
      h('p', { class: 'lead' }, data.total > 0 ? tn('toHandleTotal', data.total) : t('toHandleNone')),
      data.total > 0 && h('p', { class: 'hint' }, t('toHandleIntro')),
      ORDER.map((reason) => {
        const items = byReason.get(reason) ?? [];
        return items.length > 0 ? this.section(reason, items, canDecide) : null;
      }),
    );
  }

  private section(reason: AttentionReason, items: Onboarding[], canDecide: boolean): HTMLElement {
    const w = words();
    const head = w.reason[reason];
    const rows = items.map((o) => {
      const cells: Child[] = [
        [personCell(o), h('div', { class: 'tags' }, kindBadge(o.kind), priorityBadge(o.priority))],
        [h('span', { translate: 'no' }, o.department), o.site && h('small', { class: 'sub', translate: 'no' }, o.site)],
        causeOf(this.ctx, o, reason),
        canDecide
          ? this.actionsFor(reason, o)
          : h('a', { href: `#/onboardings/${encodeURIComponent(o.id)}` }, t('open')),
      ];
      return reason === 'departure-held' && canDecide ? [this.departureBox(o), ...cells] : cells;
    });
    const columns = [t('agent'), t('department'), t('cause'), t('whatToDo')];
    const section = h(
      'section',
      { class: `to-handle reason-${reason}`, 'data-reason': reason },
      h('h2', {}, head.title, h('span', { class: 'count' }, String(items.length))),
      h('p', { class: 'hint' }, head.hint),
      reason === 'departure-held' && canDecide && this.departureBar(items),
      table(
        head.title,
        reason === 'departure-held' && canDecide ? [{ label: '', bare: true }, ...columns] : columns,
        rows,
        `data to-handle-${reason}`,
        { hideCaption: true },
      ),
    );
    return section;
  }

  private actionsFor(reason: AttentionReason, o: Onboarding): HTMLElement {
    const id = encodeURIComponent(o.id);
    const open = h('a', { href: `#/onboardings/${id}`, class: 'button small' }, t('open'));
    const refresh = async () => {
      this.ctx.countsChanged();
      await this.refresh();
    };
    if (reason === 'account-missing' || (reason === 'needs-attention' && accountFailed(o))) {
      return h('div', {}, correctUpnForm(this.ctx, o, refresh), open);
    }
    if (reason === 'needs-attention') {
      const retry = h('button', { type: 'button', class: 'primary small', 'data-action': 'retry' }, t('retry'));
      retry.addEventListener(
        'click',
        () =>
          void act(this.ctx, retry, async () => {
            await this.ctx.api.json('POST', `onboardings/${id}/retry`);
            await refresh();
            this.ctx.say(t('retried'));
          }),
      );
      return h('div', { class: 'buttons' }, retry, open);
    }
    if (reason === 'departure-held') {
      const one = h(
        'button',
        { type: 'button', class: 'small', 'data-action': 'confirm-departure' },
        t('confirmDeparture'),
      );
      one.addEventListener('click', () => void act(this.ctx, one, () => this.confirmDepartures([o.id])));
      return h('div', { class: 'buttons' }, one, open);
    }
    if (reason === 'approval-expiring') {
      return h(
        'div',
        { class: 'buttons' },
        h('a', { href: '#/approvals', class: 'button small primary' }, t('navApprovals')),
        open,
      );
    }
    return h('div', { class: 'buttons' }, h('a', { href: '#/stock', class: 'button small' }, t('seeLine')), open);
  }

  private departureBox(o: Onboarding): HTMLInputElement {
    const box = h('input', {
      type: 'checkbox',
      'aria-label': fill(words().select, { name: o.displayName }),
      'data-departure': o.id,
    });
    box.addEventListener('change', () => {
      if (box.checked) this.selectedDepartures.add(o.id);
      else this.selectedDepartures.delete(o.id);
      this.updateDepartureBar();
    });
    return box;
  }

  private updateDepartureBar: () => void = () => undefined;

  private departureBar(items: Onboarding[]): HTMLElement {
    const all = h('input', { type: 'checkbox', id: 'departures-all' });
    const confirm = h('button', { type: 'button', class: 'danger', 'data-action': 'confirm-departures' });
    all.addEventListener('change', () => {
      for (const o of items) {
        if (all.checked) this.selectedDepartures.add(o.id);
        else this.selectedDepartures.delete(o.id);
      }
      for (const box of this.querySelectorAll<HTMLInputElement>('input[data-departure]')) box.checked = all.checked;
      this.updateDepartureBar();
    });
    confirm.addEventListener(
      'click',
      () => void act(this.ctx, confirm, () => this.confirmDepartures([...this.selectedDepartures])),
    );
    this.updateDepartureBar = () => {
      const n = this.selectedDepartures.size;
      confirm.textContent = tn('confirmDepartures', n);
      confirm.disabled = n === 0;
      all.checked = n === items.length;
      all.indeterminate = n > 0 && n < items.length;
    };
    this.updateDepartureBar();
    return h(
      'div',
      { class: 'toolbar' },
      h('div', { class: 'check' }, all, h('label', { for: all.id }, t('selectPage'))),
      confirm,
    );
  }

  /** Asks, naming how many and that it cannot be undone, then confirms them (200 at most a request). */
  private async confirmDepartures(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const ok = await confirmDialog({
      title: tn('confirmDeparturesTitle', ids.length),
      body: t('confirmDeparturesBody'),
      confirm: tn('confirmDepartures', ids.length),
      danger: true,
    });
    if (ok === null) return;
    const results: DecisionResult[] = [];
    for (let i = 0; i < ids.length; i += 200) {
      const answer = await this.ctx.api.json<{ results: DecisionResult[] }>('POST', 'departures/confirm', {
        json: { onboardingIds: ids.slice(i, i + 200) },
      });
      results.push(...answer.results);
    }
    const refused = results.find((r) => r.status !== 200 && r.problem);
    this.ctx.countsChanged();
    await this.refresh();
    if (refused?.problem) this.ctx.fail(new ApiProblem(refused.problem));
    else this.ctx.say(tn('departuresConfirmed', results.filter((r) => r.status === 200).length));
  }
}

/** A step failed because the account was never found (an agent in post's unknown upn). */
function accountFailed(o: Onboarding): boolean {
  return STEP_NAMES.some((s) => o.steps[s].status === 'failed' && /^UserNotFound:/.test(o.steps[s].detail ?? ''));
}
