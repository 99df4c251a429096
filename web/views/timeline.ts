import type { OnboardingStatus } from '../../shared/schemas/onboarding';
import { STEP_NAMES, type HistoryEntry, type Onboarding } from '../api';
import { act, View } from '../context';
import { field, h, replace } from '../dom';
import { dateTime, t } from '../i18n';
import { priorityBadge, select, statusBadge, table } from '../widgets';

/** Where a priority still matters: an onboarding under way (the API answers 409 for any other, a leaver too). */
const OPEN: readonly OnboardingStatus[] = ['awaiting-approval', 'provisioning', 'needs-attention'];

interface History {
  items: HistoryEntry[];
  verification?: { intact: boolean; brokenAt: number | null };
}

/** The history entry's details, short: `key: value` pairs (objects as JSON). */
function detailsText(details: Record<string, unknown> | undefined): string {
  if (!details) return '';
  return Object.entries(details)
    .filter(([k]) => k !== 'hash' && k !== 'previousHash')
    .map(([k, v]) => `${k}: ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`)
    .join(' · ');
}

/**
 * One onboarding: its steps with their reasons, its history with actors and the audit chain verified, and
 * what the person may do now (decide, retry what failed, change the priority).
 */
export class TimelineView extends View {
  onboardingId = '';

  heading(): string {
    return this.onboardingId;
  }

  protected async load(): Promise<void> {
    const id = encodeURIComponent(this.onboardingId);
    const [o, history] = await Promise.all([
      this.ctx.api.get<Onboarding>(`onboardings/${id}`),
      this.ctx.api.get<History>(`onboardings/${id}/history`, { verify: 'true' }),
    ]);
    const steps = table(
      t('steps'),
      [t('step'), t('status'), t('detail'), t('serial'), t('notBefore'), t('updatedAt')],
      STEP_NAMES.map((name) => {
        const s = o.steps[name];
        return [
          t(name),
          statusBadge(s.status),
          s.detail ?? '',
          s.serialNumber ?? '',
          dateTime(s.notBefore),
          dateTime(s.updatedAt),
        ];
      }),
      'data steps',
    );
    const v = history.verification;
    const chain = v
      ? h(
          'p',
          { class: v.intact ? 'chain ok' : 'chain broken', 'data-chain': v.intact ? 'intact' : 'broken' },
          v.intact ? t('chainIntact', { n: history.items.length }) : t('chainBroken', { i: v.brokenAt ?? '?' }),
        )
      : null;
    const events = table(
      t('history'),
      [t('at'), t('event'), t('actor'), t('detail')],
      history.items.map((e) => [dateTime(e.at), e.type, e.actor, detailsText(e.details)]),
      'data history',
    );
    replace(
      this,
      h('p', {}, h('a', { href: '#/onboardings' }, t('back'))),
      h('h1', {}, `${o.displayName} — ${o.id}`),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, t('status')),
        h('dd', {}, statusBadge(o.status)),
        h('dt', {}, t('priority')),
        h('dd', {}, priorityBadge(o.priority)),
        h('dt', {}, t('startDate')),
        h('dd', {}, o.startDate),
        h('dt', {}, t('department')),
        h('dd', {}, o.department),
        h('dt', {}, t('site')),
        h('dd', {}, o.site ?? ''),
        h('dt', {}, 'UPN'),
        h('dd', {}, o.userPrincipalName),
        o.decision && [
          h('dt', {}, t('decision')),
          h(
            'dd',
            {},
            `${o.decision.decision} ${t('by')} ${o.decision.by}, ${dateTime(o.decision.at)}${o.decision.comment ? ` — « ${o.decision.comment} »` : ''}`,
          ),
        ],
      ),
      this.actions(o),
      steps,
      chain,
      events,
    );
  }

  private actions(o: Onboarding): HTMLElement | null {
    if (!this.ctx.can('Onboarding.Approve')) return null;
    const id = encodeURIComponent(o.id);
    const bar = h('div', { class: 'toolbar' });
    const done = async (message: string) => {
      this.ctx.say(message);
      await this.refresh();
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
              await this.ctx.api.json('POST', `onboardings/${id}/decision`, { json: { decision } });
              await done(t('decided', { ok: 1, failed: 0 }));
            }),
        );
        bar.append(b);
      }
    }
    if (o.status === 'needs-attention') {
      const b = h('button', { type: 'button', class: 'primary', 'data-action': 'retry' }, t('retry'));
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
    if (OPEN.includes(o.status)) {
      const priority = select('priority', ['continuity', 'standard'], (v) =>
        v === 'continuity' ? t('continuity') : t('standard'),
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
      bar.append(field(t('priority'), priority), b);
    }
    return bar.childElementCount > 0 ? bar : null;
  }
}
