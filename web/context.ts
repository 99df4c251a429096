import { ApiProblem, type Api, type Counts, type Me, type Problem, type Role } from './api';
import { fieldInWords, problemInWords } from './describe';
import { h, replace, type Child } from './dom';
import { t, words } from './i18n';

/** What every screen gets: the API as the signed-in person, who that is, and the page's message areas. */
export interface Ctx {
  api: Api;
  me: Me;
  /** How long a decision can be undone, and an approval waits before it expires (the service's settings). */
  approval: { undoMinutes: number; expiresAfterHours: number };
  /** True when the person holds any of these roles (the API decides; this only hides what would be refused). */
  can(...roles: Role[]): boolean;
  /** A message in the page's live region (read out by screen readers); it replaces the previous one. */
  say(message: Child, ...actions: HTMLElement[]): void;
  /** An error shown as a sentence in the page's words; it replaces the previous one. */
  fail(err: unknown): void;
  /** The tabs' counts read again (after a decision, a correction...). */
  countsChanged(): void;
  /** The counts as last read (null: not read, or not the person's to read). */
  counts(): Counts | null;
}

/** Any failure as a problem: the API's own, or one made of an unexpected error. */
export function problemOf(err: unknown): Problem {
  if (err instanceof ApiProblem) return err.problem;
  return { title: t('unexpected'), status: 500, detail: err instanceof Error ? err.message : String(err) };
}

/** The technical words of something (the API's, Graph's, the browser's): English, folded away. */
export function technical(text: string): HTMLElement {
  return h(
    'details',
    { class: 'technical' },
    h('summary', {}, t('technical')),
    h('code', { lang: 'en', translate: 'no' }, text),
  );
}

/** The problem as the page shows it: what happened in the page's words, each field at fault, then the API's words. */
export function problemView(problem: Problem, ...actions: Child[]): HTMLElement {
  const said = problemInWords(problem);
  const errors = (problem.errors ?? []).filter((e) => e.line === undefined);
  return h(
    'div',
    { class: 'problem', role: 'alert' },
    h('strong', { class: 'problem-title' }, said.title),
    h('p', { class: 'problem-detail' }, said.message),
    errors.length > 0 &&
      h(
        'ul',
        {},
        errors.slice(0, 20).map((e) => h('li', {}, fieldInWords(e.path ?? ''))),
      ),
    actions.length > 0 && h('div', { class: 'buttons' }, actions),
    technical(said.technical),
  );
}

/**
 * A screen: a custom element that loads its data when it is shown. While it loads, it says so; a failure
 * while loading is shown in the screen as a sentence with a button to try again (never a blank page).
 */
export abstract class View extends HTMLElement {
  ctx!: Ctx;

  connectedCallback(): void {
    this.classList.add('view');
    if (this.childElementCount === 0) {
      replace(this, h('h1', {}, this.heading()), h('p', { class: 'loading', role: 'status' }, t('loadingScreen')));
    }
    void this.refresh();
  }

  /** Loads and draws the screen. */
  async refresh(): Promise<void> {
    try {
      await this.load();
    } catch (err) {
      const again = h('button', { type: 'button', 'data-action': 'reload' }, t('retryLoad'));
      again.addEventListener('click', () => {
        again.disabled = true;
        void this.refresh();
      });
      replace(this, h('h1', {}, this.heading()), problemView(problemOf(err), again));
    }
  }

  abstract heading(): string;
  protected abstract load(): Promise<void>;
}

/**
 * Runs an action of a button: disabled while it runs (so it is never pressed twice), the result said, a failure
 * shown as its problem (an earlier message or error is replaced, never left beside a later success).
 */
export async function act(ctx: Ctx, button: HTMLButtonElement | null, run: () => Promise<void>): Promise<void> {
  if (button) {
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
  }
  try {
    await run();
  } catch (err) {
    ctx.fail(err);
  } finally {
    if (button) {
      button.disabled = false;
      button.removeAttribute('aria-busy');
    }
  }
}

/** The words of the page's language (for typed tables in views). */
export { words };
