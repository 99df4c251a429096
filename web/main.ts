import { Roles } from '../shared/domain/roles';
import { Api, ApiProblem, type Counts, type Me, type Problem, type Role } from './api';
import { devSignIn, resume, type Session, type SignInConfig } from './auth';
import { problemOf, problemView, type Ctx } from './context';
import { field, h, replace } from './dom';
import { currentLang, num, setLang, t, words, type Lang } from './i18n';
import { defineScreens, screensFor, type Screen } from './screens';

defineScreens();

/** The API's app roles (the picker offers each). */
const ROLES: Role[] = Object.values(Roles);

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
    h(
      'header',
      { class: 'top' },
      h(
        'div',
        { class: 'bar' },
        h('p', { class: 'brand' }, t('appShort'), h('small', { translate: 'no' }, t('region'))),
        h('div', { class: 'who' }, languagePicker(onLanguage)),
      ),
    ),
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
        const b = h(
          'button',
          { type: 'button', class: 'small', 'data-persona': p.user },
          p.label(),
          h('small', { translate: 'no' }, p.user),
        );
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
      boxes.map((box) =>
        h(
          'div',
          { class: 'check' },
          box,
          h(
            'label',
            { for: box.id },
            words().roleNames[box.value as Role],
            ' ',
            h('code', { translate: 'no', lang: 'en' }, box.value),
          ),
        ),
      ),
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

/** The console once signed in: the screens the person's roles open, and the screen the address names. */
function shell(session: Session, api: Api, me: Me, approval: Ctx['approval']): void {
  const live = h('div', { class: 'live', role: 'status', 'aria-live': 'polite' });
  const alerts = h('div', { class: 'alerts' });
  const main = h('main', { id: 'main', tabindex: -1 });
  const screens = screensFor(me.roles);
  const readsCounts = me.roles.some((r) => r === 'Onboarding.Approve' || r === 'Onboarding.Read');
  let counts: Counts | null = null;
  const badges = new Map<string, HTMLElement>();
  const drawBadges = () => {
    for (const screen of screens) {
      const badge = badges.get(screen.path);
      if (!badge || !screen.badge) continue;
      const n = counts ? screen.badge(counts) : 0;
      badge.textContent = n > 0 ? num(n) : '';
      badge.hidden = n === 0;
    }
  };
  let countsTimer: number | undefined;
  const readCounts = () => {
    if (!readsCounts) return;
    window.clearTimeout(countsTimer);
    countsTimer = window.setTimeout(() => {
      void api
        .get<Counts>('onboardings/counts')
        .then((c) => {
          counts = c;
          drawBadges();
        })
        .catch(() => undefined);
    }, 200);
  };
  const ctx: Ctx = {
    api,
    me,
    approval,
    can: (...roles) => roles.some((r) => me.roles.includes(r)),
    say(message, ...actions) {
      replace(live, h('p', {}, message), actions.length > 0 && h('div', { class: 'buttons' }, actions));
      alerts.replaceChildren();
    },
    fail(err) {
      const close = h('button', { type: 'button', class: 'small', 'data-action': 'dismiss' }, t('dismiss'));
      const box = problemView(problemOf(err), close);
      close.addEventListener('click', () => box.remove());
      alerts.replaceChildren(box);
      live.replaceChildren();
    },
    countsChanged: readCounts,
    counts: () => counts,
  };
  const nav = h('nav', { id: 'nav', 'aria-label': t('menu'), ...(screens.length <= 1 ? { class: 'single' } : {}) });
  const menu = h(
    'button',
    { type: 'button', class: 'menu-toggle', 'aria-expanded': 'false', 'aria-controls': 'nav' },
    t('menu'),
  );
  menu.addEventListener('click', () => {
    const open = menu.getAttribute('aria-expanded') !== 'true';
    menu.setAttribute('aria-expanded', String(open));
    nav.classList.toggle('open', open);
  });
  const signOut = h('button', { type: 'button', class: 'small', 'data-action': 'sign-out' }, t('signOut'));
  signOut.addEventListener('click', () => {
    void session.signOut().then(() => location.reload());
  });
  const drawNav = (current: Screen | undefined) => {
    badges.clear();
    replace(
      nav,
      h(
        'ul',
        {},
        screens.map((x) => {
          const badge = h('span', { class: 'tab-count', 'data-count': x.path });
          badge.hidden = true;
          if (x.badge) badges.set(x.path, badge);
          return h(
            'li',
            {},
            h(
              'a',
              { href: `#/${x.path}`, ...(x === current ? { 'aria-current': 'page' } : {}) },
              x.label(),
              x.badge && badge,
            ),
          );
        }),
      ),
    );
    drawBadges();
  };
  const route = () => {
    // Only `#/…` is a screen; any other fragment (an anchor) leaves the screen as it is.
    if (location.hash !== '' && !location.hash.startsWith('#/')) return;
    const [path = '', id] = location.hash.replace(/^#\/?/, '').split('?')[0]?.split('/') ?? [];
    const screen = screens.find((x) => x.path === path) ?? screens[0];
    drawNav(screen);
    menu.setAttribute('aria-expanded', 'false');
    nav.classList.remove('open');
    alerts.replaceChildren();
    live.replaceChildren();
    if (!screen) {
      replace(main, h('p', { role: 'alert' }, t('noRole')));
      return;
    }
    const view = id && screen.detail ? screen.detail(decodeURIComponent(id)) : screen.make();
    view.ctx = ctx;
    replace(main, view);
    document.title = `${view.heading()} — ${t('appShort')}`;
    readCounts();
  };
  replace(
    root(),
    h(
      'header',
      { class: 'top' },
      h(
        'div',
        { class: 'bar' },
        h('p', { class: 'brand' }, t('appShort'), h('small', { translate: 'no' }, t('region'))),
        // One screen (a person with no role): no menu to open, its tab stays in view.
        screens.length > 1 && menu,
        h(
          'div',
          { class: 'who' },
          h('span', { 'data-user': me.name, translate: 'no' }, me.name),
          languagePicker(() => shell(session, api, me, approval)),
          signOut,
        ),
      ),
      nav,
    ),
    h('div', { class: 'messages' }, alerts, live),
    main,
  );
  window.onhashchange = () => {
    route();
    // After a navigation the keyboard starts from the new screen, not from the top of the page.
    main.focus();
  };
  window.clearInterval(countsInterval);
  if (readsCounts) countsInterval = window.setInterval(readCounts, 30_000);
  route();
}

let countsInterval: number | undefined;

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
  const { signIn: config, approval } = (await res.json()) as {
    signIn: SignInConfig;
    approval?: Ctx['approval'];
  };
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
    // A person with no role of the API sees « Mes arrivées » only (the screens of everyone).
    shell(session, api, me, approval ?? { undoMinutes: 10, expiresAfterHours: 240 });
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
