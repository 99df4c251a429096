import { STEP_NAMES, type DecisionResult, type HistoryEntry, type Onboarding } from '../api';
import { act, technical, View } from '../context';
import {
  actorInWords,
  blockers,
  entryInWords,
  foldHistory,
  neededSteps,
  spanInWords,
  stepInWords,
  technicalDetail,
} from '../describe';
import { field, h, replace, type Child } from '../dom';
import { date, dateTime, fill, t, time, tn, words } from '../i18n';
import { confirmDialog, data, kindBadge, priorityBadge, select, statusBadge, table } from '../widgets';
import { accessPassAction } from './access-pass';
import { correctUpnForm } from './to-handle';

/** Where a priority still matters: an onboarding under way (the API answers 409 for any other, a leaver too). */
const OPEN: readonly Onboarding['status'][] = ['awaiting-approval', 'provisioning', 'needs-attention'];

interface History {
  items: HistoryEntry[];
  verification?: { intact: boolean; brokenAt: number | null };
}

/**
 * One onboarding's record: who, what it is for, what blocks it (in words), each step where it stands, what the
 * person may do now (decide with a reason, undo their own decision while it can be, retry what failed, correct
 * a upn the directory does not know, change the priority, confirm a held departure), and its history, retries
 * folded, with the audit chain verified; printable as an audit trail.
 */
export class TimelineView extends View {
  onboardingId = '';

  static of(id: string): TimelineView {
    const view = new TimelineView();
    view.onboardingId = id;
    return view;
  }

  heading(): string {
    return this.onboardingId;
  }

  protected async load(): Promise<void> {
    const id = encodeURIComponent(this.onboardingId);
    const [o, history] = await Promise.all([
      this.ctx.api.get<Onboarding>(`onboardings/${id}`),
      this.ctx.api.get<History>(`onboardings/${id}/history`, { verify: 'true' }),
    ]);
    const w = words();
    document.title = `${o.displayName} — ${t('appShort')}`;
    const holds = blockers(o);
    const steps = table(
      t('steps'),
      [t('step'), t('status'), t('stepNow'), t('updatedAt')],
      neededSteps(o).map((name) => {
        const s = o.steps[name];
        const tech = technicalDetail(s);
        return [
          h('strong', {}, w.stepName[name]),
          h('span', { class: `badge status-${s.status}`, 'data-status': s.status }, w.stepStatus[s.status]),
          [
            stepInWords(name, s),
            s.serialNumber && h('small', { class: 'sub' }, `${t('serial')} `, data(s.serialNumber)),
            s.fromSite &&
              o.site &&
              h('small', { class: 'sub warn' }, fill(w.fromSite, { from: s.fromSite, to: o.site })),
            tech && technical(tech),
          ],
          dateTime(s.updatedAt),
        ];
      }),
      'data steps',
      { hideCaption: true },
    );
    const v = history.verification;
    const chain = v
      ? h(
          'p',
          { class: v.intact ? 'chain ok' : 'chain broken', 'data-chain': v.intact ? 'intact' : 'broken' },
          v.intact ? tn('chainIntact', history.items.length) : fill(w.chainBroken, { i: v.brokenAt ?? '?' }),
        )
      : null;
    const folded = foldHistory(history.items);
    const events = table(
      t('history'),
      [t('at'), t('event'), t('actor')],
      folded.map(({ entry, count, lastAt }) => {
        const said = entryInWords(entry);
        const span = spanInWords(entry.at, lastAt);
        return [
          dateTime(entry.at),
          [
            said.text,
            count > 1 && h('small', { class: 'sub' }, tn('repeated', count, span)),
            said.more && h('small', { class: 'sub' }, said.more),
            said.technical && technical(said.technical),
          ],
          h('span', { translate: 'no' }, actorInWords(entry.actor)),
        ];
      }),
      'data history',
      { hideCaption: true },
    );
    const print = h('button', { type: 'button', 'data-action': 'print' }, t('print'));
    print.addEventListener('click', () => window.print());
    replace(
      this,
      h('p', { class: 'no-print' }, h('a', { href: '#/onboardings' }, t('backToList'))),
      h(
        'div',
        { class: 'record-head' },
        h('h1', { translate: 'no' }, o.displayName),
        h('div', { class: 'tags' }, kindBadge(o.kind), statusBadge(o.status), priorityBadge(o.priority)),
      ),
      h(
        'dl',
        { class: 'facts' },
        fact(t('reference'), data(o.id)),
        fact(t('upn'), data(o.userPrincipalName)),
        fact(t('employeeId'), data(o.employeeId)),
        fact(o.kind === 'equipment' ? t('neededBy') : t('startDate'), date(o.startDate)),
        fact(t('department'), data(o.department)),
        fact(t('site'), data(o.site)),
        o.managerUpn && fact(t('manager'), data(o.managerUpn)),
        o.replaces && fact(t('replaces'), data(o.replaces.serialNumber)),
        o.departure && fact(t('lastDayLabel'), date(o.departure.lastDay)),
        o.decision &&
          fact(
            t('decision'),
            fill(w.decidedOn, {
              decision: w.decisionName[o.decision.decision],
              who: actorInWords(o.decision.by),
              when: dateTime(o.decision.at),
            }),
            o.decision.comment ? h('q', {}, o.decision.comment) : null,
          ),
        fact(t('createdAt'), dateTime(o.createdAt)),
      ),
      holds.length > 0
        ? h(
            'div',
            { class: 'callout warn', 'data-blocked': 'true' },
            h('h2', {}, t('blocked')),
            h(
              'ul',
              {},
              holds.map((b) => h('li', {}, b)),
            ),
          )
        : null,
      this.actions(o),
      h('section', {}, h('h2', {}, t('steps')), steps),
      h(
        'section',
        { class: 'audit' },
        h(
          'div',
          { class: 'section-head' },
          h('h2', {}, t('history')),
          h('span', { class: 'spacer' }),
          h('span', { class: 'no-print' }, print),
        ),
        chain,
        events,
        h(
          'p',
          { class: 'print-only' },
          fill(w.printedOn, { when: dateTime(new Date().toISOString()), who: this.ctx.me.name }),
        ),
      ),
    );
  }

  private actions(o: Onboarding): HTMLElement | null {
    if (!this.ctx.can('Onboarding.Approve')) return null;
    const id = encodeURIComponent(o.id);
    const bar = h('div', { class: 'toolbar no-print', 'data-actions': 'record' });
    const done = async (message: string) => {
      this.ctx.countsChanged();
      await this.refresh();
      this.ctx.say(message);
    };
    if (o.status === 'awaiting-approval') {
      for (const decision of ['approve', 'reject'] as const) {
        const b = h(
          'button',
          { type: 'button', class: decision === 'approve' ? 'primary' : 'danger', 'data-action': decision },
          t(decision),
        );
        b.addEventListener(
          'click',
          () =>
            void act(this.ctx, b, async () => {
              const reason = await confirmDialog(
                decision === 'approve'
                  ? {
                      title: tn('confirmApproveTitle', 1),
                      body: fill(words().confirmApproveBody, { minutes: this.ctx.approval.undoMinutes }),
                      confirm: t('approve'),
                      reason: { label: t('comment'), required: false, missing: '' },
                    }
                  : {
                      title: tn('confirmRejectTitle', 1),
                      body: fill(words().confirmRejectBody, { minutes: this.ctx.approval.undoMinutes }),
                      confirm: t('reject'),
                      danger: true,
                      reason: { label: t('reasonRequired'), required: true, missing: t('reasonMissing') },
                    },
              );
              if (reason === null) return;
              await this.ctx.api.json('POST', `onboardings/${id}/decision`, {
                json: { decision, ...(reason ? { comment: reason } : {}) },
              });
              await done(tn('decided', 1));
            }),
        );
        bar.append(b);
      }
    }
    const mine = o.decision && o.decision.by.toLowerCase() === this.ctx.me.name.toLowerCase();
    const until = o.decision ? Date.parse(o.decision.at) + this.ctx.approval.undoMinutes * 60_000 : 0;
    if (mine && until > Date.now() && ['provisioning', 'rejected'].includes(o.status)) {
      const b = h(
        'button',
        { type: 'button', 'data-action': 'undo-decision' },
        t('undoMine'),
        h('small', {}, fill(words().undoUntil, { time: time(new Date(until).toISOString()) })),
      );
      b.addEventListener(
        'click',
        () =>
          void act(this.ctx, b, async () => {
            await this.ctx.api.json('POST', `onboardings/${id}/decision/undo`);
            await done(tn('undone', 1));
          }),
      );
      bar.append(b);
    }
    if (o.status === 'needs-attention') {
      const b = h('button', { type: 'button', class: 'primary', 'data-action': 'retry' }, t('retryFailed'));
      b.addEventListener(
        'click',
        () =>
          void act(this.ctx, b, async () => {
            await this.ctx.api.json('POST', `onboardings/${id}/retry`);
            await done(t('retried'));
          }),
      );
      bar.append(b);
    }
    if (o.status === 'leaving' && o.departure?.held) {
      const b = h(
        'button',
        { type: 'button', class: 'danger', 'data-action': 'confirm-departure' },
        t('confirmDeparture'),
      );
      b.addEventListener(
        'click',
        () =>
          void act(this.ctx, b, async () => {
            const ok = await confirmDialog({
              title: tn('confirmDeparturesTitle', 1),
              body: t('confirmDeparturesBody'),
              confirm: t('confirmDeparture'),
              danger: true,
            });
            if (ok === null) return;
            const { results } = await this.ctx.api.json<{ results: DecisionResult[] }>('POST', 'departures/confirm', {
              json: { onboardingIds: [o.id] },
            });
            await done(tn('departuresConfirmed', results.filter((r) => r.status === 200).length));
          }),
      );
      bar.append(b);
    }
    const pass = accessPassAction(this.ctx, o);
    if (pass) bar.append(pass);
    const lacksAccount = STEP_NAMES.some(
      (s) =>
        (o.steps[s].waitingOn === 'account' && o.steps[s].status === 'waiting') ||
        (o.steps[s].status === 'failed' && /^UserNotFound:/.test(o.steps[s].detail ?? '')),
    );
    const extra: Child[] = [];
    if (lacksAccount && ['provisioning', 'needs-attention'].includes(o.status)) {
      extra.push(correctUpnForm(this.ctx, o, () => this.refresh()));
    }
    if (OPEN.includes(o.status)) {
      const priority = select(
        'priority',
        ['continuity', 'standard'],
        (v) => words().priorityName[v as Onboarding['priority']],
      );
      priority.value = o.priority;
      const b = h('button', { type: 'button', 'data-action': 'change-priority' }, t('changePriority'));
      b.addEventListener(
        'click',
        () =>
          void act(this.ctx, b, async () => {
            await this.ctx.api.json('PATCH', `onboardings/${id}`, { json: { priority: priority.value } });
            await done(t('priorityChanged'));
          }),
      );
      bar.append(h('div', { class: 'inline' }, field(t('priority'), priority), b));
    }
    if (bar.childElementCount === 0 && extra.length === 0) return null;
    return h(
      'section',
      { class: 'record-actions no-print' },
      h('h2', { class: 'visually-hidden' }, t('actions')),
      bar,
      extra,
    );
  }
}

function fact(term: string, ...value: Child[]): Child {
  return [h('dt', {}, term), h('dd', {}, value)];
}
