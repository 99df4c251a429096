import { ApiProblem, type ImportSummary } from '../api';
import { act, problemOf, problemView, View } from '../context';
import { field, h, replace } from '../dom';
import { t } from '../i18n';
import { table } from '../widgets';

/** The summary's figures and every row's errors. */
function summaryView(s: ImportSummary, caption: string): HTMLElement {
  return h(
    'div',
    { class: 'summary', 'data-summary': 'import' },
    table(
      caption,
      [
        t('rows'),
        t('valid'),
        t('continuity'),
        t('laptopsNeeded'),
        t('laptopsAvailable'),
        t('seatsNeeded'),
        t('seatsFree'),
      ],
      [[s.rows, s.valid, s.continuity, s.laptopsNeeded, s.laptopsAvailable, s.seatsNeeded, s.seatsFree].map(String)],
      'data import-summary',
    ),
    s.errors.length > 0 &&
      table(
        t('errors'),
        [t('line'), t('column'), t('message')],
        s.errors.map((e) => [String(e.line), e.path, e.message]),
        'data import-errors',
      ),
  );
}

/**
 * The crisis intake: an HR file checked by a dry run (`?dryRun=true`: the summary, nothing queued), then
 * imported once the person confirms. The file is sent as its bytes (Excel's Windows-1252 stays as it is;
 * the API decodes it).
 */
export class IntakeView extends View {
  heading(): string {
    return t('intakeTitle');
  }

  protected load(): Promise<void> {
    const file = h('input', { name: 'file', type: 'file', accept: '.csv,text/csv', required: true });
    const check = h('button', { type: 'submit', class: 'primary', 'data-action': 'dry-run' }, t('dryRun'));
    const result = h('div', { 'aria-live': 'polite' });
    const form = h('form', { class: 'card' }, field(t('file'), file, t('intakeHint')), check);
    let bytes: ArrayBuffer | null = null;
    const send = (dryRun: boolean) =>
      this.ctx.api.json<ImportSummary>('POST', 'hr-events/import', {
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
      void act(this.ctx, check, async () => {
        const chosen = file.files?.[0];
        if (!chosen) return;
        bytes = await chosen.arrayBuffer();
        try {
          const summary = await send(true);
          const confirm = h(
            'button',
            { type: 'button', class: 'primary', 'data-action': 'confirm-import' },
            t('confirmImport'),
          );
          confirm.addEventListener(
            'click',
            () =>
              void act(this.ctx, confirm, async () => {
                const done = await send(false);
                confirm.remove();
                replace(
                  result,
                  summaryView(done, t('intakeTitle')),
                  h('p', { class: 'ok', role: 'status' }, t('imported', { n: done.eventIds?.length ?? done.valid })),
                );
                this.ctx.say(t('imported', { n: done.eventIds?.length ?? done.valid }));
              }),
          );
          replace(result, summaryView(summary, t('dryRunResult')), confirm);
        } catch (err) {
          // A file with bad rows: the problem and every row's errors (nothing was queued).
          if (!(err instanceof ApiProblem)) throw err;
          replace(result, problemView(problemOf(err)));
        }
      });
    });
    replace(this, h('h1', {}, this.heading()), h('p', { class: 'hint' }, t('intakeHint')), form, result);
    return Promise.resolve();
  }
}
