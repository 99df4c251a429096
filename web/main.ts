import { Roles } from '../shared/domain/roles';
import { Api, ApiProblem, type Me, type Problem, type Role } from './api';
import { devSignIn, resume, type Session, type SignInConfig } from './auth';
import { problemOf, problemView, type Ctx, type View } from './context';
import { field, h, replace } from './dom';
import { currentLang, setLang, t, type Lang } from './i18n';
import { ApprovalsView } from './views/approvals';
import { IntakeView } from './views/intake';
import { OnboardingsView } from './views/onboardings';
import { ReportsView } from './views/reports';
import { StockView } from './views/stock';
import { TimelineView } from './views/timeline';

customElements.define('dsi-approvals', ApprovalsView);
customElements.define('dsi-onboardings', OnboardingsView);
customElements.define('dsi-timeline', TimelineView);
customElements.define('dsi-stock', StockView);
customElements.define('dsi-intake', IntakeView);
customElements.define('dsi-reports', ReportsView);

/** The API's app roles (the picker offers each). */
const ROLES: Role[] = Object.values(Roles);

/** The screens, who sees each (a role without the right never sees its tab), and how each is built. */
const TABS: { path: string; label: () => string; roles: Role[]; make: () => View }[] = [
  {
    path: 'approvals',
    label: () => t('navApprovals'),
    roles: ['Onboarding.Approve', 'Onboarding.Read'],
    make: () => new ApprovalsView(),
  },
  {
    path: 'onboardings',
    label: () => t('navOnboardings'),
    roles: ['Onboarding.Approve', 'Onboarding.Read'],
    make: () => new OnboardingsView(),
  },
  {
    path: 'stock',
    label: () => t('navStock'),
    roles: ['Inventory.Manage', 'Onboarding.Read', 'Onboarding.Approve'],
    make: () => new StockView(),
  },
  { path: 'intake', label: () => t('navIntake'), roles: ['HrEvents.Send'], make: () => new IntakeView() },
  {
    path: 'reports',
    label: () => t('navReports'),
    roles: ['Onboarding.Read', 'Onboarding.Approve'],
    make: () => new ReportsView(),
  },
];

/** People to pick on the local host, each with the roles of their job (any upn and roles may be typed). */
const PERSONAS: { label: () => string; user: string; roles: Role[] }[] = [
  { label: () => t('presetLead'), user: 'responsable.dsi@example.org', roles: ROLES },
  { label: () => t('presetApprover'), user: 'approbateur.dsi@example.org', roles: ['Onboarding.Approve'] },
  { label: () => t('presetAuditor'), user: 'auditeur@example.org', roles: ['Onboarding.Read'] },
  { label: () => t('presetStock'), user: 'stock.dsi@example.org', roles: ['Inventory.Manage'] },
  { label: () => t('presetHr'), user: 'rh@example.org', roles: ['HrEvents.Send'] },
];

const root = (): HTMLElement => document.getElementById('app') ?? document.body;

// The skip link moves the focus to the content without changing the address (the router reads `#/…`).
document.addEventListener('click', (e) => {
  if (!(e.target instanceof Element) || !e.target.closest('.skip-link')) return;
  e.preventDefault();
  document.getElementById('main')?.focus();
});

function languagePicker(onChange: () => void): HTMLElement {
  const picker = h(
    'select',
    { name: 'lang' },
    h('option', { value: 'fr', lang: 'fr' }, 'Français'),
    h('option', { value: 'en', lang: 'en' }, 'English'),
  );
  picker.value = currentLang();
  picker.addEventListener('change', () => {
    setLang(picker.value as Lang);
    onChange();
  });
  return field(t('language'), picker);
}

/** A page of its own (sign-in, no role, cannot start): a header and the content. */
function page(onLanguage: () => void, ...content: (HTMLElement | null)[]): void {
  document.title = t('appTitle');
  replace(
    root(),
    h('header', { class: 'top' }, h('p', { class: 'brand' }, t('appTitle')), languagePicker(onLanguage)),
    h('main', { id: 'main', tabindex: -1 }, ...content),
  );
}

/** The local host's picker: a person and their roles, signed by the development issuer. */
function devSignInPage(): void {
  const user = h('input', {
    name: 'user',
    type: 'email',
    required: true,
    autocomplete: 'username',
    value: PERSONAS[0]?.user ?? '',
  });
  const boxes = ROLES.map((role) => {
    const box = h('input', { type: 'checkbox', name: 'roles', value: role, id: `role-${role}` });
    box.checked = PERSONAS[0]?.roles.includes(role) ?? false;
    return box;
  });
  const error = h('div', {});
  const submit = h('button', { type: 'submit', class: 'primary', 'data-action': 'sign-in' }, t('signIn'));
  const form = h(
    'form',
    { class: 'card sign-in' },
    h('h1', {}, t('signInTitle')),
    h('p', { class: 'hint' }, t('devSignInHint')),
    h(
      'fieldset',
      {},
      h('legend', {}, t('presets')),
      PERSONAS.map((p) => {
        const b = h('button', { type: 'button', class: 'small', 'data-persona': p.user }, `${p.label()} — ${p.user}`);
        b.addEventListener('click', () => {
          user.value = p.user;
          for (const box of boxes) box.checked = p.roles.includes(box.value as Role);
        });
        return b;
      }),
    ),
    field(t('user'), user),
    h(
      'fieldset',
      {},
      h('legend', {}, t('roles')),
      boxes.map((box) => h('div', { class: 'check' }, box, h('label', { for: box.id }, box.value))),
    ),
    submit,
    error,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submit.disabled = true;
    const roles = boxes.filter((b) => b.checked).map((b) => b.value);
    devSignIn(user.value.trim(), roles)
      .then(() => start())
      .catch((err: unknown) => {
        submit.disabled = false;
        replace(error, problemView(problemOf(err)));
      });
  });
  page(devSignInPage, h('p', { class: 'badge dev' }, t('devSignIn')), form);
}

function entraSignInPage(signIn: () => Promise<void>): void {
  const button = h('button', { type: 'button', class: 'primary', 'data-action': 'sign-in' }, t('signIn'));
  button.addEventListener('click', () => void signIn());
  page(
    () => entraSignInPage(signIn),
    h('div', { class: 'card sign-in' }, h('h1', {}, t('signInTitle')), h('p', {}, t('signInEntra')), button),
  );
}

/** The console once signed in: the tabs the person's roles open, and the screen the address names. */
function shell(session: Session, api: Api, me: Me): void {
  const live = h('div', { class: 'live', role: 'status', 'aria-live': 'polite' });
  const alerts = h('div', { class: 'alerts' });
  const main = h('main', { id: 'main', tabindex: -1 });
  const ctx: Ctx = {
    api,
    me,
    can: (...roles) => roles.some((r) => me.roles.includes(r)),
    say(message) {
      live.textContent = message;
    },
    fail(err) {
      const box = problemView(problemOf(err));
      const close = h('button', { type: 'button', class: 'small', 'aria-label': t('dismiss') }, '×');
      close.addEventListener('click', () => box.remove());
      box.prepend(close);
      alerts.replaceChildren(box);
    },
  };
  const tabs = TABS.filter((tab) => ctx.can(...tab.roles));
  const nav = h('nav', { 'aria-label': t('appTitle') });
  const signOut = h('button', { type: 'button', 'data-action': 'sign-out' }, t('signOut'));
  signOut.addEventListener('click', () => {
    void session.signOut().then(() => location.reload());
  });
  const route = () => {
    // Only `#/…` is a screen; any other fragment (an anchor) leaves the screen as it is.
    if (location.hash !== '' && !location.hash.startsWith('#/')) return;
    const [path = '', id] = location.hash.replace(/^#\/?/, '').split('?')[0]?.split('/') ?? [];
    const tab = tabs.find((x) => x.path === path) ?? tabs[0];
    replace(
      nav,
      h(
        'ul',
        {},
        tabs.map((x) =>
          h('li', {}, h('a', { href: `#/${x.path}`, ...(x === tab ? { 'aria-current': 'page' } : {}) }, x.label())),
        ),
      ),
    );
    alerts.replaceChildren();
    live.textContent = '';
    let view: View;
    if (path === 'onboardings' && id) {
      const timeline = new TimelineView();
      timeline.onboardingId = decodeURIComponent(id);
      view = timeline;
    } else if (tab) view = tab.make();
    else return;
    view.ctx = ctx;
    replace(main, view);
    document.title = `${view.heading()} — ${t('appTitle')}`;
  };
  replace(
    root(),
    h(
      'header',
      { class: 'top' },
      h('p', { class: 'brand' }, t('appTitle')),
      nav,
      h(
        'div',
        { class: 'who' },
        h('span', { 'data-user': me.name }, t('signedInAs', { name: me.name })),
        signOut,
        languagePicker(() => shell(session, api, me)),
      ),
    ),
    alerts,
    live,
    main,
  );
  window.onhashchange = () => {
    route();
    // After a navigation the keyboard starts from the new screen, not from the top of the page.
    main.focus();
  };
  route();
}

/** Reads how to sign in, resumes or opens the session, asks the API who this is, then shows the console. */
async function start(): Promise<void> {
  const res = await fetch('/console/config.json');
  if (!res.ok) {
    const fallback: Problem = { title: res.statusText, status: res.status, detail: '' };
    throw new ApiProblem(
      await res.json().then(
        (p: Problem) => p,
        () => fallback,
      ),
    );
  }
  const { signIn: config } = (await res.json()) as { signIn: SignInConfig };
  const { session, signIn } = await resume(config);
  if (!session) {
    if (config.kind === 'development') devSignInPage();
    else if (signIn) entraSignInPage(signIn);
    return;
  }
  const api = new Api(
    () => session.token(),
    () => undefined,
  );
  const again = h('button', { type: 'button', 'data-action': 'sign-out' }, t('signOut'));
  again.addEventListener('click', () => void session.signOut().then(() => location.reload()));
  try {
    const me = await api.get<Me>('me');
    // Signed in with no role of the API: said plainly, with the way out.
    if (me.roles.length === 0) page(() => void start(), h('p', { role: 'alert' }, t('noRole')), again);
    else shell(session, api, me);
  } catch (err) {
    const forbidden = err instanceof ApiProblem && err.problem.status === 403;
    const expired = err instanceof ApiProblem && err.problem.status === 401;
    if (expired) {
      await session.signOut();
      location.reload();
      return;
    }
    page(() => void start(), forbidden ? h('p', { role: 'alert' }, t('noRole')) : problemView(problemOf(err)), again);
  }
}

document.documentElement.lang = currentLang();
// Never a blank page: whatever fails on the way is shown as a problem.
start().catch((err: unknown) => page(() => void start(), problemView(problemOf(err))));
window.addEventListener('unhandledrejection', (e) => {
  const main = document.getElementById('main');
  if (main) main.prepend(problemView(problemOf(e.reason)));
});
