import { accessPassRefusal } from '../../shared/domain/access-pass';
import { addDays } from '../../shared/domain/paris-time';
import type { IssuedAccessPass, Onboarding } from '../api';
import { act, type Ctx } from '../context';
import { h } from '../dom';
import { date, dateTime, fill, t, words } from '../i18n';
import { confirmDialog, data } from '../widgets';

/** Where a pass is still worth asking for: an onboarding under way or equipped (the API refuses any other). */
const ISSUABLE: readonly Onboarding['status'][] = ['provisioning', 'needs-attention', 'completed'];

/**
 * The record's access-pass action (contract: "Day one from home"): a button once the licence is done and from
 * the day before the start date (the API decides; this only hides what it would refuse), or the day it becomes
 * possible. Asked after a confirmation (a new pass replaces the agent's), then shown once in `showPass`.
 */
export function accessPassAction(ctx: Ctx, o: Onboarding): HTMLElement | null {
  if (!ctx.can('Onboarding.Approve') || !ISSUABLE.includes(o.status) || o.steps.officeLicense.status !== 'done') {
    return null;
  }
  if (accessPassRefusal(o, new Date()) !== null) {
    return h(
      'p',
      { class: 'hint', 'data-access-pass': 'later' },
      fill(words().accessPassFrom, { day: date(addDays(o.startDate, -1)) }),
    );
  }
  const b = h('button', { type: 'button', 'data-action': 'access-pass' }, t('accessPassIssue'));
  b.addEventListener(
    'click',
    () =>
      void act(ctx, b, async () => {
        const ok = await confirmDialog({
          title: fill(words().accessPassConfirmTitle, { name: o.displayName }),
          body: t('accessPassConfirmBody'),
          confirm: t('accessPassIssue'),
        });
        if (ok === null) return;
        const pass = await ctx.api.json<IssuedAccessPass>(
          'POST',
          `onboardings/${encodeURIComponent(o.id)}/access-pass`,
        );
        await showPass(o, pass);
        ctx.say(fill(words().accessPassIssued, { name: o.displayName }));
      }),
  );
  return b;
}

/** Hours and minutes left (« 7 h 59 min », « 12 min »). */
function duration(ms: number): string {
  const minutes = Math.max(0, Math.ceil(ms / 60_000));
  const w = words();
  const hh = Math.floor(minutes / 60);
  return hh > 0 ? fill(w.durationHM, { h: hh, m: minutes % 60 }) : fill(w.durationM, { m: minutes });
}

/**
 * The pass, shown once: large, grouped for reading aloud, a copy button, how long until it is usable or until it
 * expires (ticking), and what the agent does with it. Closing the dialog takes the pass out of the page: it is
 * kept nowhere, not even in this page's memory once the dialog is gone.
 */
function showPass(o: Onboarding, pass: IssuedAccessPass): Promise<void> {
  return new Promise((resolve) => {
    const w = words();
    const id = `tap-${Math.random().toString(36).slice(2, 8)}`;
    const from = Date.parse(pass.startDateTime);
    const to = from + pass.lifetimeInMinutes * 60_000;
    const countdown = h('p', { class: 'countdown', 'aria-live': 'off', 'data-countdown': 'true' });
    const tick = () => {
      const now = Date.now();
      countdown.textContent =
        now < from
          ? fill(w.accessPassStartsIn, { d: duration(from - now) })
          : now < to
            ? fill(w.accessPassEndsIn, { d: duration(to - now) })
            : w.accessPassExpired;
    };
    tick();
    const timer = window.setInterval(tick, 1000);
    const code = h('output', { class: 'tap-code', translate: 'no', 'data-tap': 'true' }, pass.temporaryAccessPass);
    const copied = h('p', { class: 'hint', role: 'status' });
    const copy = h('button', { type: 'button', class: 'primary', 'data-action': 'copy-pass' }, t('copyCode'));
    copy.addEventListener('click', () => {
      void navigator.clipboard.writeText(code.textContent).then(
        () => (copied.textContent = t('copied')),
        () => (copied.textContent = t('copyFailed')),
      );
    });
    // The agent's address, as data, inside the sentence.
    const [before = '', after = ''] = w.accessPassHowTo.split('{upn}');
    const close = h('button', { type: 'submit', 'data-action': 'close-pass' }, t('accessPassClose'));
    const form = h(
      'form',
      { method: 'dialog' },
      h('h2', { id }, fill(w.accessPassTitle, { name: o.displayName })),
      h('p', { class: 'warn' }, t('accessPassOnce')),
      code,
      h('div', { class: 'buttons' }, copy),
      copied,
      h(
        'p',
        {},
        fill(w.accessPassValidity, {
          from: dateTime(new Date(from).toISOString()),
          to: dateTime(new Date(to).toISOString()),
        }),
      ),
      countdown,
      h(
        'div',
        { class: 'callout' },
        h('h3', {}, t('accessPassTell')),
        h('p', { 'data-how-to': 'true' }, before, data(o.userPrincipalName), after),
      ),
      h('div', { class: 'buttons' }, close),
    );
    const dialog = h('dialog', { 'aria-labelledby': id, class: 'confirm access-pass' }, form);
    const done = () => {
      window.clearInterval(timer);
      code.textContent = '';
      dialog.close();
      dialog.remove();
      resolve();
    };
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      done();
    });
    dialog.addEventListener('cancel', (e) => {
      // Escape closes it as the button does: the pass goes with it.
      e.preventDefault();
      done();
    });
    document.body.append(dialog);
    dialog.showModal();
    copy.focus();
  });
}
