import { ApiProblem, type Api, type Me, type Problem, type Role } from './api';
import { h, replace } from './dom';
import { t } from './i18n';

/** What every screen gets: the API as the signed-in person, who that is, and the page's message area. */
export interface Ctx {
  api: Api;
  me: Me;
  /** True when the person holds any of these roles (the API decides; this only hides what would be refused). */
  can(...roles: Role[]): boolean;
  /** A message in the page's live region (read out by screen readers). */
  say(message: string): void;
  /** An error shown as the problem's title and detail. */
  fail(err: unknown): void;
}

/** Any failure as a problem: the API's own, or one made of an unexpected error. */
export function problemOf(err: unknown): Problem {
  if (err instanceof ApiProblem) return err.problem;
  return { title: t('unexpected'), status: 0, detail: err instanceof Error ? err.message : String(err) };
}

/** The problem as the page shows it: title, detail, and each field or line at fault. */
export function problemView(problem: Problem): HTMLElement {
  const errors = problem.errors ?? [];
  return h(
    'div',
    { class: 'problem', role: 'alert' },
    h('strong', { class: 'problem-title' }, problem.status ? `${problem.title} (${problem.status})` : problem.title),
    h('p', { class: 'problem-detail' }, problem.detail),
    errors.length > 0 &&
      h(
        'ul',
        {},
        errors
          .slice(0, 50)
          .map((e) =>
            h('li', {}, [
              e.line !== undefined ? `${t('line')} ${e.line} — ` : '',
              e.path ? `${e.path}: ` : '',
              e.message,
            ]),
          ),
      ),
  );
}

/**
 * A screen: a custom element that loads its data when it is shown. A failure while loading is shown in the
 * screen as the problem (never a blank page).
 */
export abstract class View extends HTMLElement {
  ctx!: Ctx;

  connectedCallback(): void {
    this.classList.add('view');
    void this.refresh();
  }

  /** Loads and draws the screen. */
  async refresh(): Promise<void> {
    try {
      await this.load();
    } catch (err) {
      replace(this, h('h1', {}, this.heading()), problemView(problemOf(err)));
    }
  }

  abstract heading(): string;
  protected abstract load(): Promise<void>;
}

/** Runs an action of a button: disabled while it runs, the result said, a failure shown as its problem. */
export async function act(ctx: Ctx, button: HTMLButtonElement | null, run: () => Promise<void>): Promise<void> {
  if (button) button.disabled = true;
  try {
    await run();
  } catch (err) {
    ctx.fail(err);
  } finally {
    if (button) button.disabled = false;
  }
}
