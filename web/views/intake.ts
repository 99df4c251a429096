import { ApiProblem, type EquipmentImportSummary, type ImportError, type ImportSummary } from '../api';
import { act, problemOf, problemView, View, type Ctx } from '../context';
import { download, field, h, replace } from '../dom';
import { num, t, tn, words } from '../i18n';
import { confirmDialog, data, table } from '../widgets';

type Kind = 'hr' | 'codir';
type Summary = (ImportSummary | EquipmentImportSummary) & Partial<ImportSummary & EquipmentImportSummary>;

/** The import routes: the HR file (HrEvents.Send), the CODIR's list (a person with Onboarding.Approve). */
const ROUTES: Record<Kind, string> = { hr: 'hr-events/import', codir: 'equipment-requests/import' };

/** Windows-1252 as French Excel saves a CSV: Latin-1, and the few characters of 0x80–0x9F a French text has. */
const CP1252: Record<string, number> = {
  '€': 0x80,
  '’': 0x92,
  '‘': 0x91,
  '…': 0x85,
  œ: 0x9c,
  Œ: 0x8c,
  '–': 0x96,
  '—': 0x97,
};
export function windows1252(text: string): Uint8Array {
  // Code points one at a time (Array.from): a template has no character outside the Basic Multilingual Plane.
  return Uint8Array.from(Array.from(text, (ch) => CP1252[ch] ?? (ch.charCodeAt(0) < 256 ? ch.charCodeAt(0) : 0x3f)));
}

/** The template of each file, as French Excel saves it (`;`, CRLF, DD/MM/YYYY, Windows-1252), headers in the page's words. */
function template(kind: Kind): Uint8Array {
  const c = words().hrColumns;
  const lines =
    kind === 'hr'
      ? [
          [c.employeeId, c.givenName, c.surname, c.userPrincipalName, c.department, c.site, c.startDate, c.priority],
          [
            'E10042',
            'Camille',
            'Martin',
            'camille.martin@example.org',
            'Direction des lycées',
            'Orléans',
            '07/12/2026',
            'PCA',
          ],
          [
            'E10043',
            'Noël',
            'Dupré',
            'noel.dupre@example.org',
            'Direction des finances',
            'Tours',
            '14/12/2026',
            'standard',
          ],
        ]
      : [
          [c.userPrincipalName, words().agent, c.priority, c.neededBy, c.needs, c.replaces],
          ['agent0042@example.org', 'Hélène Lefèvre', 'PCA', '07/12/2026', 'portable|vpn|office|teams', 'DESKTOP-0713'],
          ['agent0043@example.org', 'François Bérubé', 'standard', '', 'vpn|teams', ''],
        ];
  return windows1252(lines.map((l) => l.join(';')).join('\r\n') + '\r\n');
}

/** An import error in the page's words: line, column as the file names it, the value, the problem, what is taken. */
function errorRow(e: ImportError): (string | HTMLElement)[] {
  const w = words();
  const columns = w.hrColumns as Record<string, string | undefined>;
  const expectedWords = w.expectedWords as Record<string, string | undefined>;
  const code = e.code ?? 'invalid';
  const column = e.column ?? columns[e.path] ?? e.path;
  const expected =
    expectedWords[code] ??
    (code === 'missing-column'
      ? (e.expected ?? []).map((f) => columns[f] ?? f).join(' / ')
      : (e.expected ?? []).join(', '));
  const problem = w.importError[code]({
    column,
    value: e.value ?? '',
    expected,
    firstLine: e.firstLine ?? 0,
  });
  return [
    num(e.line),
    ['header', 'row', 'file'].includes(e.path) && code !== 'unknown-column' ? '—' : data(column),
    data(e.value ?? ''),
    problem,
    expected,
  ];
}

/**
 * The imports of the crisis: the HR file of new agents, and the CODIR's list of agents in post. Each file is
 * first checked (`?dryRun=true`: what it would do, every error in words with its line, column, value and what
 * is taken; nothing sent), then imported once the person confirms how many new rows it sends. Its template
 * downloads as French Excel saves it. The file goes as its bytes (Excel's Windows-1252 is decoded by the API).
 */
export class IntakeView extends View {
  heading(): string {
    return t('intakeTitle');
  }

  protected load(): Promise<void> {
    const kinds: Kind[] = [];
    if (this.ctx.can('HrEvents.Send')) kinds.push('hr');
    if (this.ctx.can('Onboarding.Approve')) kinds.push('codir');
    replace(
      this,
      h('h1', {}, this.heading()),
      h('p', { class: 'hint' }, t('intakeHint')),
      h(
        'div',
        { class: 'two-col' },
        kinds.map((k) => importCard(this.ctx, k)),
      ),
    );
    return Promise.resolve();
  }
}

function importCard(ctx: Ctx, kind: Kind): HTMLElement {
  const file = h('input', { name: 'file', type: 'file', accept: '.csv,text/csv', required: true, 'data-import': kind });
  const check = h('button', { type: 'submit', class: 'primary', 'data-action': 'dry-run' }, t('dryRun'));
  const result = h('div', { class: 'import-result', 'aria-live': 'polite' });
  const tpl = h('button', { type: 'button', class: 'link', 'data-action': 'template' }, t('template'));
  tpl.addEventListener('click', () => {
    const bytes = template(kind);
    download(
      new Blob([bytes.slice().buffer], { type: 'text/csv' }),
      `${kind === 'hr' ? 'modele-arrivees' : 'modele-liste-codir'}.csv`,
    );
  });
  const form = h(
    'form',
    { class: 'card import', 'data-kind': kind },
    h('h2', {}, kind === 'hr' ? t('intakeHr') : t('intakeCodir')),
    h('p', { class: 'hint' }, kind === 'hr' ? t('intakeHrHint') : t('intakeCodirHint')),
    tpl,
    field(t('file'), file),
    check,
    result,
  );
  let bytes: ArrayBuffer | null = null;
  const send = (dryRun: boolean) =>
    ctx.api.json<Summary>('POST', ROUTES[kind], {
      ...(dryRun ? { query: { dryRun: 'true' } } : {}),
      body: bytes ?? new ArrayBuffer(0),
      contentType: 'text/csv',
    });
  file.addEventListener('change', () => {
    bytes = null;
    replace(result);
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void act(ctx, check, async () => {
      const chosen = file.files?.[0];
      if (!chosen) return;
      bytes = await chosen.arrayBuffer();
      replace(result, h('p', { role: 'status' }, t('checking')));
      try {
        const summary = await send(true);
        const fresh = summary.valid - (summary.alreadyImported ?? 0);
        const go = h(
          'button',
          { type: 'button', class: 'primary', 'data-action': 'confirm-import' },
          tn('importNew', fresh),
        );
        go.addEventListener(
          'click',
          () =>
            void act(ctx, go, async () => {
              const ok = await confirmDialog({
                title: tn('confirmImportTitle', fresh),
                body: t('confirmImportBody'),
                confirm: tn('importNew', fresh),
              });
              if (ok === null) return;
              const done = await send(false);
              const sent = done.valid - (done.alreadyImported ?? 0);
              const said = sent > 0 ? tn('imported', sent) : t('importedNothing');
              replace(result, summaryView(done, kind), h('p', { class: 'ok', role: 'status' }, said));
              ctx.say(said);
              ctx.countsChanged();
            }),
        );
        replace(
          result,
          summaryView(summary, kind),
          fresh > 0 ? go : h('p', { class: 'ok', 'data-nothing-new': 'true' }, t('nothingNew')),
        );
      } catch (err) {
        // A file with bad rows: every error in words, by line; nothing was queued.
        if (!(err instanceof ApiProblem)) throw err;
        const lines = (err.problem.errors ?? []).filter((x): x is ImportError => x.line !== undefined);
        replace(result, lines.length > 0 ? errorsView(lines) : problemView(problemOf(err)));
      }
    });
  });
  return form;
}

function summaryView(s: Summary, kind: Kind): HTMLElement {
  const fresh = s.valid - (s.alreadyImported ?? 0);
  const tiles: [string, number, string?][] = [
    [t('rows'), s.rows],
    [t('valid'), s.valid],
    [t('newRows'), fresh, 'new'],
    [t('alreadyImported'), s.alreadyImported ?? 0, 'already'],
    [t('continuity'), s.continuity],
    ...(kind === 'codir' ? ([[t('alreadyEquipped'), s.alreadyEquipped ?? 0]] as [string, number][]) : []),
    [t('laptopsNeeded'), s.laptopsNeeded],
    [t('laptopsAvailable'), s.laptopsAvailable],
    ...(kind === 'hr'
      ? ([
          [t('seatsNeeded'), s.seatsNeeded ?? 0],
          [t('seatsFree'), s.seatsFree ?? 0],
        ] as [string, number][])
      : []),
  ];
  const short = s.laptopsNeeded - s.laptopsAvailable;
  return h(
    'div',
    { class: 'summary', 'data-summary': 'import' },
    h('h3', {}, t('checkResult')),
    h(
      'dl',
      { class: 'tiles small' },
      tiles.map(([label, n, key]) =>
        h(
          'div',
          { class: 'tile', ...(key ? { 'data-tile': key } : {}) },
          h('dt', {}, label),
          h('dd', { class: 'tile-n' }, num(n)),
        ),
      ),
    ),
    short > 0 && h('p', { class: 'warn' }, t('shortOfLaptops', { n: short })),
  );
}

function errorsView(errors: ImportError[]): HTMLElement {
  return h(
    'div',
    { class: 'import-errors', role: 'alert' },
    h('h3', {}, tn('errorsTitle', errors.length)),
    h('p', {}, t('errorsIntro')),
    table(
      tn('errorsTitle', errors.length),
      [{ label: t('lineNo'), numeric: true }, t('column'), t('value'), t('problem'), t('accepted')],
      errors.slice(0, 200).map(errorRow),
      'data import-errors',
      { hideCaption: true },
    ),
  );
}
