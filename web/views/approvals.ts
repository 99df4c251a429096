import { ApiProblem, type DecisionResult, type Onboarding } from '../api';
import { act, View } from '../context';
import { field, h, replace } from '../dom';
import { since, t } from '../i18n';
import { agentCell, priorityBadge, table } from '../widgets';

/** The bulk route's limit (contract: 1..200 decisions a request). */
const MAX_DECISIONS_PER_REQUEST = 200;

/** How often the waiting list is read again while it is on screen. */
export const APPROVALS_REFRESH_SECONDS = 10;

/**
 * The onboardings awaiting approval, continuity first then by start date: approve or reject one, or a
 * selection at once (`POST /api/decisions`), with a comment. Read again every few seconds while shown;
 * a selection survives the refresh.
 */
export class ApprovalsView extends View {
  private timer: number | undefined;
  private readonly selected = new Set<string>();
  private readonly comment = h('textarea', { name: 'comment', rows: 2, maxlength: 1000 });
  private readonly listArea = h('div');
  private items: Onboarding[] = [];
  /** What is drawn: redrawn only when the list changed (a keyboard user keeps their place). */
  private drawn = '';

  heading(): string {
    return t('approvalsTitle');
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') void this.reload().catch(() => undefined);
    }, APPROVALS_REFRESH_SECONDS * 1000);
  }

  disconnectedCallback(): void {
    window.clearInterval(this.timer);
  }

  protected async load(): Promise<void> {
    const canDecide = this.ctx.can('Onboarding.Approve');
    replace(
      this,
      h('h1', {}, this.heading()),
      h('p', { class: 'hint' }, t('approvalsLive', { s: APPROVALS_REFRESH_SECONDS })),
      canDecide && this.bulkBar(),
      this.listArea,
    );
    await this.reload();
  }

  private async reload(): Promise<void> {
    const items = await this.ctx.api.all<Onboarding>('onboardings', { status: 'awaiting-approval' });
    items.sort(
      (a, b) =>
        Number(b.priority === 'continuity') - Number(a.priority === 'continuity') ||
        a.startDate.localeCompare(b.startDate) ||
        a.createdAt.localeCompare(b.createdAt),
    );
    this.items = items;
    for (const id of [...this.selected]) if (!items.some((o) => o.id === id)) this.selected.delete(id);
    const shown = JSON.stringify(items.map((o) => [o.id, o.priority, o.startDate]));
    if (shown === this.drawn) return;
    this.drawn = shown;
    this.draw();
  }

  private bulkBar(): HTMLElement {
    const approve = h('button', { type: 'button', class: 'primary', 'data-action': 'approve-selected' });
    const reject = h('button', { type: 'button', class: 'danger', 'data-action': 'reject-selected' });
    for (const [button, decision] of [
      [approve, 'approve'],
      [reject, 'reject'],
    ] as const) {
      // Once decided, nothing is selected: the buttons go off again (act re-enables the one pressed).
      button.addEventListener('click', () => {
        void act(this.ctx, button, () => this.decide([...this.selected], decision)).then(() => this.updateBulk());
      });
    }
    const bar = h('div', { class: 'toolbar' }, field(t('comment'), this.comment), approve, reject);
    this.updateBulk = () => {
      approve.textContent = t('approveSelected', { n: this.selected.size });
      reject.textContent = t('rejectSelected', { n: this.selected.size });
      approve.disabled = reject.disabled = this.selected.size === 0;
    };
    this.updateBulk();
    return bar;
  }

  private updateBulk: () => void = () => undefined;

  private draw(): void {
    // The control that had the focus, found again after the redraw by its row and action.
    const focused = document.activeElement instanceof HTMLElement ? document.activeElement.dataset.key : undefined;
    const canDecide = this.ctx.can('Onboarding.Approve');
    const all = h('input', { type: 'checkbox', 'aria-label': t('selectAll') });
    all.checked = this.items.length > 0 && this.items.every((o) => this.selected.has(o.id));
    all.addEventListener('change', () => {
      for (const o of this.items) {
        if (all.checked) this.selected.add(o.id);
        else this.selected.delete(o.id);
      }
      this.draw();
    });
    const rows = this.items.map((o) => {
      const box = h('input', {
        type: 'checkbox',
        'aria-label': `${t('select')} ${o.displayName} (${o.id})`,
        'data-key': `${o.id}/select`,
      });
      box.checked = this.selected.has(o.id);
      box.addEventListener('change', () => {
        if (box.checked) this.selected.add(o.id);
        else this.selected.delete(o.id);
        this.updateBulk();
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
      approve.setAttribute('aria-label', `${t('approve')} ${o.displayName}`);
      reject.setAttribute('aria-label', `${t('reject')} ${o.displayName}`);
      approve.addEventListener('click', () => void act(this.ctx, approve, () => this.decide([o.id], 'approve')));
      reject.addEventListener('click', () => void act(this.ctx, reject, () => this.decide([o.id], 'reject')));
      const cells = [
        agentCell(o),
        priorityBadge(o.priority),
        o.startDate,
        o.department,
        o.site ?? '',
        since(o.createdAt),
      ];
      return canDecide ? [box, ...cells, h('span', { class: 'actions' }, approve, reject)] : cells;
    });
    const headers = [t('agent'), t('priority'), t('startDate'), t('department'), t('site'), t('waitingFor')];
    const tableEl = table(
      t('approvalsTitle'),
      canDecide ? ['', ...headers, t('actions')] : headers,
      rows,
      'data approvals',
    );
    const headCheckbox = tableEl.querySelector('thead th');
    if (canDecide && headCheckbox) headCheckbox.replaceChildren(all);
    replace(this.listArea, tableEl);
    this.updateBulk();
    if (focused) this.listArea.querySelector<HTMLElement>(`[data-key="${CSS.escape(focused)}"]`)?.focus();
  }

  private async decide(ids: string[], decision: 'approve' | 'reject'): Promise<void> {
    if (ids.length === 0) return;
    const comment = this.comment.value.trim();
    const results: DecisionResult[] = [];
    // The bulk route takes up to 200 decisions a request: a larger selection goes in parts, in order.
    for (let i = 0; i < ids.length; i += MAX_DECISIONS_PER_REQUEST) {
      const part = ids.slice(i, i + MAX_DECISIONS_PER_REQUEST);
      const answer = await this.ctx.api.json<{ results: DecisionResult[] }>('POST', 'decisions', {
        json: { decisions: part.map((onboardingId) => ({ onboardingId, decision, ...(comment ? { comment } : {}) })) },
      });
      results.push(...answer.results);
    }
    const failed = results.filter((r) => r.status !== 200);
    for (const r of results) if (r.status === 200) this.selected.delete(r.onboardingId);
    this.ctx.say(t('decided', { ok: results.length - failed.length, failed: failed.length }));
    const problems = failed.flatMap((r) => (r.problem ? [{ id: r.onboardingId, problem: r.problem }] : []));
    const only = problems.length === 1 ? problems[0]?.problem : undefined;
    if (only) this.ctx.fail(new ApiProblem(only));
    else if (problems.length > 1) {
      // Each refusal with its onboarding, under one heading.
      this.ctx.fail(
        new ApiProblem({
          title: t('refusedDecisions', { n: problems.length }),
          status: 0,
          detail: '',
          errors: problems.map((p) => ({
            path: p.id,
            message: `${p.problem.title} (${p.problem.status}): ${p.problem.detail}`,
          })),
        }),
      );
    }
    this.comment.value = '';
    this.drawn = '';
    await this.reload();
  }
}
