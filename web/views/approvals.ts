import { ApiProblem, type DecisionResult, type ListPage, type Onboarding, type Query } from '../api';
import { act, View } from '../context';
import { problemInWords } from '../describe';
import { h, replace } from '../dom';
import { date, fill, num, since, t, time, tn, words } from '../i18n';
import { confirmDialog, kindBadge, personCell, priorityBadge, progress, table } from '../widgets';

/** The bulk route's limit (contract: 1..200 decisions a request). */
const MAX_DECISIONS_PER_REQUEST = 200;
/** Rows drawn at once; more on demand (the first screen of a crisis morning draws fast). */
const PAGE = 100;
/** How often the list is read again while it is on screen and nothing is under way. */
export const APPROVALS_REFRESH_SECONDS = 30;
/** Undo requests sent at once. */
const UNDO_IN_FLIGHT = 8;

const WAITING: Query = { status: 'awaiting-approval', sort: 'startDate', order: 'asc' };

interface Lane {
  priority: 'continuity' | 'standard';
  items: Onboarding[];
  token: string | null;
  total: number;
}

/**
 * The onboardings awaiting approval, continuity agents first then by start date, a hundred at a time: approve
 * or reject one, the page, or every one waiting, each after a dialog that names how many (a rejection needs its
 * reason); while a bulk runs the controls are locked and a bar says how far it is; then the decisions can be
 * undone for the window the service allows.
 */
export class ApprovalsView extends View {
  private readonly selected = new Set<string>();
  private lanes: Lane[] = [];
  private readonly listArea = h('div', { class: 'list-area' });
  private readonly summary = h('p', { class: 'lead', 'data-summary': 'approvals' });
  private readonly bar = h('div', { class: 'bulk-bar', role: 'region' });
  private readonly progressArea = h('div');
  private busy = false;
  private timer: number | undefined;
  private drawn = '';

  heading(): string {
    return t('approvalsTitle');
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.timer = window.setInterval(() => {
      if (document.visibilityState !== 'visible' || this.busy || document.querySelector('dialog[open]')) return;
      void this.reload().catch(() => undefined);
    }, APPROVALS_REFRESH_SECONDS * 1000);
  }

  disconnectedCallback(): void {
    window.clearInterval(this.timer);
  }

  private get items(): Onboarding[] {
    return this.lanes.flatMap((l) => l.items);
  }

  private get total(): number {
    return this.lanes.reduce((n, l) => n + l.total, 0);
  }

  protected async load(): Promise<void> {
    this.bar.setAttribute('aria-label', t('actions'));
    replace(
      this,
      h('h1', {}, this.heading()),
      this.summary,
      h('p', { class: 'hint' }, t('approvalsOrder')),
      this.ctx.can('Onboarding.Approve') && this.bar,
      this.progressArea,
      this.listArea,
    );
    await this.reload();
  }

  /** The first page of each lane (continuity, standard), read at once. */
  private async reload(): Promise<void> {
    const read = (priority: Lane['priority']) =>
      this.ctx.api.get<ListPage>('onboardings', { ...WAITING, priority, limit: PAGE });
    const [continuity, standard] = await Promise.all([read('continuity'), read('standard')]);
    const shown = Math.max(PAGE, this.items.length);
    this.lanes = [
      { priority: 'continuity', items: continuity.items, token: continuity.continuationToken, total: continuity.total },
      { priority: 'standard', items: standard.items, token: standard.continuationToken, total: standard.total },
    ];
    // The rows shown stay shown: read again as many as were there.
    while (this.items.length < shown && this.lanes.some((l) => l.token)) await this.more(shown - this.items.length);
    const ids = new Set(this.items.map((o) => o.id));
    for (const id of [...this.selected]) if (!ids.has(id) && !this.allSelected) this.selected.delete(id);
    const shownKey = JSON.stringify([this.total, this.items.map((o) => [o.id, o.priority, o.startDate])]);
    if (shownKey === this.drawn) return;
    this.drawn = shownKey;
    this.draw();
  }

  /** Up to `n` more rows, continuity first. */
  private async more(n: number): Promise<void> {
    for (const lane of this.lanes) {
      if (n <= 0 || !lane.token) continue;
      const page = await this.ctx.api.get<ListPage>('onboardings', {
        ...WAITING,
        priority: lane.priority,
        limit: Math.min(200, n),
        continuationToken: lane.token,
      });
      lane.items.push(...page.items);
      lane.token = page.continuationToken;
      n -= page.items.length;
      // A later lane's first page is already here; its rows come after this lane's.
      if (lane.token) return;
    }
  }

  /** Every onboarding waiting was selected (beyond the rows drawn). */
  private allSelected = false;

  private draw(): void {
    const continuity = this.lanes.find((l) => l.priority === 'continuity')?.total ?? 0;
    this.summary.textContent = tn('approvalsSummary', this.total, { continuity: num(continuity) });
    const canDecide = this.ctx.can('Onboarding.Approve');
    const focused = document.activeElement instanceof HTMLElement ? document.activeElement.dataset.key : undefined;
    const items = this.items;
    const rows = items.map((o) => {
      const cells = [
        [personCell(o), h('div', { class: 'tags' }, kindBadge(o.kind))],
        priorityBadge(o.priority),
        date(o.startDate),
        [h('span', { translate: 'no' }, o.department), o.site && h('small', { class: 'sub', translate: 'no' }, o.site)],
        since(o.createdAt),
      ];
      if (!canDecide) return cells;
      const box = h('input', {
        type: 'checkbox',
        'aria-label': fill(words().select, { name: o.displayName }),
        'data-key': `${o.id}/select`,
        'data-id': o.id,
      });
      box.checked = this.selected.has(o.id);
      box.addEventListener('change', () => {
        if (box.checked) this.selected.add(o.id);
        else {
          this.selected.delete(o.id);
          this.allSelected = false;
        }
        this.syncBoxes();
      });
      const approve = h(
        'button',
        { type: 'button', class: 'primary small', 'data-action': 'approve', 'data-key': `${o.id}/approve` },
        t('approve'),
      );
      const reject = h(
        'button',
        { type: 'button', class: 'danger small', 'data-action': 'reject', 'data-key': `${o.id}/reject` },
        t('reject'),
      );
      approve.setAttribute('aria-label', fill(words().approveOf, { name: o.displayName }));
      reject.setAttribute('aria-label', fill(words().rejectOf, { name: o.displayName }));
      approve.addEventListener('click', () => void act(this.ctx, approve, () => this.decide([o.id], 'approve')));
      reject.addEventListener('click', () => void act(this.ctx, reject, () => this.decide([o.id], 'reject')));
      return [box, ...cells, h('span', { class: 'actions' }, approve, reject)];
    });
    const headers = [t('agent'), t('priority'), t('startOrNeeded'), t('department'), t('waitingSince')];
    const tableEl = table(
      t('approvalsTitle'),
      canDecide ? [{ label: '', bare: true }, ...headers, t('actions')] : headers,
      rows,
      'data approvals',
      { hideCaption: true },
    );
    const head = tableEl.querySelector('thead th');
    if (canDecide && head) {
      const page = h('input', { type: 'checkbox', 'aria-label': t('selectPage'), 'data-action': 'select-page' });
      page.addEventListener('change', () => {
        for (const o of this.items) {
          if (page.checked) this.selected.add(o.id);
          else this.selected.delete(o.id);
        }
        if (!page.checked) this.allSelected = false;
        this.syncBoxes();
      });
      head.replaceChildren(page);
    }
    const remaining = this.total - items.length;
    const moreButton =
      remaining > 0 &&
      h(
        'button',
        { type: 'button', 'data-action': 'show-more' },
        fill(words().showMore, { n: Math.min(PAGE, remaining) }),
      );
    if (moreButton) {
      moreButton.addEventListener(
        'click',
        () =>
          void act(this.ctx, moreButton, async () => {
            await this.more(PAGE);
            this.drawn = '';
            this.draw();
          }),
      );
    }
    replace(
      this.listArea,
      tableEl,
      remaining > 0 && h('p', { class: 'hint' }, fill(words().approvalsShown, { shown: num(items.length) })),
      moreButton,
    );
    this.syncBoxes();
    if (focused) this.listArea.querySelector<HTMLElement>(`[data-key="${CSS.escape(focused)}"]`)?.focus();
  }

  /** The boxes, the page's box and the bar say what is selected, always. */
  private syncBoxes(): void {
    for (const box of this.listArea.querySelectorAll<HTMLInputElement>('input[data-id]')) {
      box.checked = this.selected.has(box.dataset.id ?? '');
    }
    const page = this.listArea.querySelector<HTMLInputElement>('[data-action=select-page]');
    if (page) {
      const shown = this.items.filter((o) => this.selected.has(o.id)).length;
      page.checked = shown > 0 && shown === this.items.length;
      page.indeterminate = shown > 0 && shown < this.items.length;
    }
    this.updateBar();
  }

  private updateBar: () => void = () => {
    const n = this.selected.size;
    const approve = h('button', { type: 'button', class: 'primary', 'data-action': 'approve-selected' });
    const reject = h('button', { type: 'button', class: 'danger', 'data-action': 'reject-selected' });
    const all = h('button', { type: 'button', class: 'link', 'data-action': 'select-all' });
    const clear = h('button', { type: 'button', class: 'link', 'data-action': 'clear-selection' }, t('clearSelection'));
    // The screen's lock holds these while a bulk runs, and the selection says when they may be pressed.
    approve.addEventListener('click', () => void act(this.ctx, null, () => this.decide([...this.selected], 'approve')));
    reject.addEventListener('click', () => void act(this.ctx, null, () => this.decide([...this.selected], 'reject')));
    all.addEventListener('click', () => void act(this.ctx, all, () => this.selectAll()));
    clear.addEventListener('click', () => {
      this.selected.clear();
      this.allSelected = false;
      this.syncBoxes();
    });
    const count = h('span', { class: 'selected-count', 'data-selected': String(n) }, tn('selected', n));
    this.updateBar = () => {
      const k = this.selected.size;
      count.textContent = tn('selected', k);
      count.dataset.selected = String(k);
      approve.textContent = tn('approveSelected', k);
      reject.textContent = tn('rejectSelected', k);
      all.textContent = tn('selectAllWaiting', this.total);
      approve.disabled = reject.disabled = k === 0 || this.busy;
      all.hidden = this.total === 0 || k === this.total;
      all.disabled = clear.disabled = this.busy;
      clear.hidden = k === 0;
    };
    replace(this.bar, count, all, clear, h('span', { class: 'spacer' }), approve, reject);
    this.updateBar();
  };

  /** Every onboarding waiting, not only the rows drawn (read a page of 200 at a time). */
  private async selectAll(): Promise<void> {
    const ids = await this.ctx.api.all<Onboarding>('onboardings', { status: 'awaiting-approval' }, 20_000);
    for (const o of ids) {
      this.selected.add(o.id);
      this.names.set(o.id, o.displayName);
    }
    this.allSelected = true;
    this.syncBoxes();
  }

  /** Locks every control of the screen while a bulk runs (its state is always what the bar says). */
  private lock(on: boolean): void {
    this.busy = on;
    this.toggleAttribute('aria-busy', on);
    for (const el of this.querySelectorAll<HTMLInputElement | HTMLButtonElement>('input, button')) {
      if (on) {
        el.dataset.wasDisabled = String(el.disabled);
        el.disabled = true;
      } else if (el.dataset.wasDisabled !== undefined) {
        el.disabled = el.dataset.wasDisabled === 'true';
        delete el.dataset.wasDisabled;
      }
    }
    this.updateBar();
  }

  /**
   * Asks (the count named; a rejection's reason required), then decides in parts of 200 with a progress bar, the
   * controls locked; then says what was recorded, offers to undo it, and lists what the API refused.
   */
  private async decide(ids: string[], decision: 'approve' | 'reject'): Promise<void> {
    if (ids.length === 0) return;
    const n = ids.length;
    const minutes = this.ctx.approval.undoMinutes;
    const reason = await confirmDialog(
      decision === 'approve'
        ? {
            title: tn('confirmApproveTitle', n),
            body: fill(words().confirmApproveBody, { minutes }),
            confirm: n === 1 ? t('approve') : tn('approveSelected', n),
            reason: { label: t('comment'), required: false, missing: '' },
          }
        : {
            title: tn('confirmRejectTitle', n),
            body: fill(words().confirmRejectBody, { minutes }),
            confirm: n === 1 ? t('reject') : tn('rejectSelected', n),
            danger: true,
            reason: { label: t('reasonRequired'), required: true, missing: t('reasonMissing') },
          },
    );
    if (reason === null) return;
    for (const o of this.items) this.names.set(o.id, o.displayName);
    const bar = progress((done, total) => fill(words().deciding, { done: num(done), total: num(total) }));
    replace(this.progressArea, bar.el);
    bar.set(0, n);
    this.lock(true);
    const results: DecisionResult[] = [];
    try {
      for (let i = 0; i < ids.length; i += MAX_DECISIONS_PER_REQUEST) {
        const part = ids.slice(i, i + MAX_DECISIONS_PER_REQUEST);
        const answer = await this.ctx.api.json<{ results: DecisionResult[] }>('POST', 'decisions', {
          json: {
            decisions: part.map((onboardingId) => ({ onboardingId, decision, ...(reason ? { comment: reason } : {}) })),
          },
        });
        results.push(...answer.results);
        bar.set(results.length, n);
      }
    } finally {
      this.lock(false);
      this.progressArea.replaceChildren();
      for (const r of results) if (r.status === 200) this.selected.delete(r.onboardingId);
      if (results.length > 0) this.allSelected = false;
      this.ctx.countsChanged();
      this.drawn = '';
      await this.reload();
    }
    this.report(results);
  }

  /** What the bulk came to: the decisions recorded (with an undo while it is possible), and those refused. */
  private report(results: DecisionResult[]): void {
    const ok = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status !== 200);
    const buttons: HTMLElement[] = [];
    if (ok.length > 0) {
      const until = new Date(Date.now() + this.ctx.approval.undoMinutes * 60_000).toISOString();
      const undo = h(
        'button',
        { type: 'button', 'data-action': 'undo-decisions' },
        tn('undoDecisions', ok.length),
        h('small', {}, fill(words().undoUntil, { time: time(until) })),
      );
      undo.addEventListener('click', () => void act(this.ctx, undo, () => this.undo(ok.map((r) => r.onboardingId))));
      buttons.push(undo);
    }
    const message = [
      tn('decided', ok.length),
      refused.length > 0 ? tn('decidedRefused', refused.length) : '',
      ...refused.slice(0, 5).map((r) => {
        const name = this.nameOf(r.onboardingId);
        return `${name} : ${r.problem ? problemInWords(r.problem).message : ''}`;
      }),
    ]
      .filter(Boolean)
      .join(' ');
    this.ctx.say(message, ...buttons);
  }

  private readonly names = new Map<string, string>();

  private nameOf(id: string): string {
    return this.items.find((o) => o.id === id)?.displayName ?? this.names.get(id) ?? id;
  }

  /** Undoes the decisions just made (each its own request, a few at once); says what could not be. */
  private async undo(ids: string[]): Promise<void> {
    const bar = progress((done, total) => `${num(done)} / ${num(total)}`);
    replace(this.progressArea, bar.el);
    bar.set(0, ids.length);
    this.lock(true);
    const failed: { id: string; problem: ApiProblem }[] = [];
    let done = 0;
    let next = 0;
    const worker = async () => {
      while (next < ids.length) {
        const id = ids[next++] ?? '';
        try {
          await this.ctx.api.json('POST', `onboardings/${encodeURIComponent(id)}/decision/undo`);
        } catch (err) {
          if (err instanceof ApiProblem) failed.push({ id, problem: err });
          else throw err;
        }
        bar.set(++done, ids.length);
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(UNDO_IN_FLIGHT, ids.length) }, worker));
    } finally {
      this.lock(false);
      this.progressArea.replaceChildren();
      this.ctx.countsChanged();
      this.drawn = '';
      await this.reload();
    }
    const undone = ids.length - failed.length;
    const first = failed[0];
    if (first && undone === 0 && failed.length === 1) {
      this.ctx.fail(first.problem);
      return;
    }
    this.ctx.say(
      [
        undone > 0 ? tn('undone', undone) : '',
        failed.length > 0 ? tn('undoFailed', failed.length) : '',
        first ? problemInWords(first.problem.problem).message : '',
      ]
        .filter(Boolean)
        .join(' '),
    );
  }
}
