import { STEP_NAMES, type Arrival } from '../api';
import { View } from '../context';
import { h, replace } from '../dom';
import { date, dateTime, fill, t, words } from '../i18n';
import { handoverInWords } from '../describe';
import { kindBadge, statusBadge } from '../widgets';

/** Where an arrival stands, in the order a manager asks it: equipped, on its way, or held up. */
const FINISHED: readonly Arrival['status'][] = ['completed', 'rejected', 'cancelled', 'left'];

/**
 * « Mes arrivées »: the agents whose manager is the signed-in person (contract: "Managers"), as the API answers
 * them to anyone signed in, no role needed: who, the day, where each step stands in words, the day they should
 * be equipped, and how the laptop reached them. Cards, not a table: a manager reads it on a phone. The only
 * screen of a person without a role of the API.
 */
export class ArrivalsView extends View {
  heading(): string {
    return t('arrivalsTitle');
  }

  protected async load(): Promise<void> {
    const { items } = await this.ctx.api.get<{ items: Arrival[] }>('me/arrivals');
    const open = items.filter((a) => !FINISHED.includes(a.status));
    const done = items.filter((a) => FINISHED.includes(a.status));
    replace(
      this,
      h('h1', {}, this.heading()),
      h('p', { class: 'hint' }, t('arrivalsIntro')),
      items.length === 0
        ? h('p', { class: 'empty', 'data-empty': 'arrivals' }, t('arrivalsEmpty'))
        : [
            open.length > 0 && [
              done.length > 0 && h('h2', {}, t('arrivalsOpen')),
              h('ul', { class: 'arrivals', 'aria-label': t('arrivalsOpen') }, open.map(card)),
            ],
            done.length > 0 && [
              h('h2', {}, t('arrivalsDone')),
              h('ul', { class: 'arrivals', 'aria-label': t('arrivalsDone') }, done.map(card)),
            ],
          ],
      !this.ctx.me.roles.length && h('p', { class: 'hint' }, t('arrivalsNoRole')),
    );
  }
}

function card(a: Arrival): HTMLElement {
  const w = words();
  const steps = STEP_NAMES.filter((s) => a.steps[s] !== 'skipped');
  return h(
    'li',
    { class: 'card arrival', 'data-arrival': a.id },
    h(
      'div',
      { class: 'record-head' },
      h('h3', { translate: 'no' }, a.displayName),
      h('div', { class: 'tags' }, kindBadge(a.kind), statusBadge(a.status)),
    ),
    h(
      'p',
      {},
      fill(a.kind === 'equipment' ? w.arrivalNeededOn : w.arrivalStartsOn, { day: date(a.startDate) }),
      a.expectedBy &&
        a.status !== 'completed' &&
        h('strong', { class: 'expected' }, ' · ', fill(w.arrivalExpectedBy, { day: date(a.expectedBy) })),
    ),
    h(
      'ul',
      { class: 'steps-list' },
      steps.map((s) =>
        h(
          'li',
          { 'data-step': s },
          h('span', {}, w.stepName[s]),
          h('span', { class: `badge status-${a.steps[s]}`, 'data-status': a.steps[s] }, w.stepStatus[a.steps[s]]),
        ),
      ),
    ),
    a.handover
      ? h(
          'p',
          { class: 'ok', 'data-handed-over': 'true' },
          fill(w.arrivalHandedOver, { when: dateTime(a.handover.at), how: handoverInWords(a.handover) }),
        )
      : a.steps.laptop === 'done' && h('p', { class: 'hint' }, t('arrivalLaptopReady')),
  );
}
