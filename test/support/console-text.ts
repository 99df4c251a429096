import type { Page } from 'playwright-core';
import { HISTORY_TYPES } from '../../shared/domain/history-types';
import { onboardingStatusSchema, stepStatusSchema, waitingOnSchema } from '../../shared/schemas/onboarding';
import { laptopStatusSchema } from '../../shared/schemas/laptops';

// What no screen of the console may show (issue 19, "English and raw values in French screens"): a raw event
// type, a status value or an HTTP status, an ISO timestamp, English in a French page or French in an English
// one. Text that is data (names, upns, departments: `translate="no"`), or marked as another language (`lang`,
// such as Microsoft Graph's own message in a technical detail), is read as it is and left out.

/** The visible text of the page in its own language, a chunk a text node. */
async function pageText(page: Page): Promise<{ lang: string; chunks: string[]; attributes: string[] }> {
  return page.evaluate(`(() => {
    const lang = document.documentElement.lang;
    const chunks = [];
    const attributes = [];
    const skip = (el) => {
      for (let e = el; e && e !== document.documentElement; e = e.parentElement) {
        if (e.getAttribute('translate') === 'no') return true;
        const l = e.getAttribute('lang');
        if (l && l !== lang) return true;
        if (['SCRIPT', 'STYLE', 'CODE', 'NOSCRIPT'].includes(e.tagName)) return true;
      }
      return false;
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      const text = (n.textContent || '').trim();
      if (!el || !text || skip(el)) continue;
      if (typeof el.checkVisibility === 'function' && !el.checkVisibility() && el.tagName !== 'OPTION') continue;
      chunks.push(text);
    }
    for (const el of document.querySelectorAll('[aria-label], [title], input[placeholder]')) {
      if (skip(el)) continue;
      for (const a of ['aria-label', 'title', 'placeholder']) {
        const v = el.getAttribute(a);
        if (v) attributes.push(v);
      }
    }
    return { lang, chunks, attributes };
  })()`);
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const anyOf = (words: readonly string[]) => new RegExp(`(^|[^\\w.-])(${words.map(escape).join('|')})(?![\\w-])`);

const EVENT_TYPES = anyOf(HISTORY_TYPES);
/** The API's values that have a hyphen or a dot: never a word of either language. */
const HYPHENATED_VALUES = anyOf(
  [
    ...onboardingStatusSchema.options,
    ...stepStatusSchema.options,
    ...laptopStatusSchema.options,
    'departure-held',
    'account-missing',
    'approval-expiring',
  ].filter((v) => v.includes('-')),
);
/** The API's one-word values: raw in a French page. */
const ONE_WORD_VALUES = anyOf(
  [
    ...onboardingStatusSchema.options,
    ...stepStatusSchema.options,
    ...laptopStatusSchema.options,
    ...waitingOnSchema.options,
    'continuity',
    'hire',
    'equipment',
    'approve',
    'reject',
  ].filter((v: string) => !v.includes('-')),
);
const ISO_TIME = /\d{4}-\d{2}-\d{2}(T\d{2}:\d{2})?/;
const HTTP_STATUS =
  /(\((4|5)\d\d\)|HTTP \d{3}|Bad Request|Conflict|Not Found|Forbidden|Unauthorized|Internal Server Error|Service Unavailable)/;
const ENGLISH =
  /(^|[^\p{L}])(the|and|with|waiting|approved?|rejected?|laptops?|retry|failed|error|network|expected|account|gave up|tries|onboardings?|pending|steps?|not found|no account|in line|decision|request)(?![\p{L}])/iu;
const FRENCH_WORDS =
  /(^|[^\p{L}])(les|des|une|pour|avec|dans|sur|est|vous|arrivée|demande|validée|refusée)(?![\p{L}])/iu;
const ACCENTED = /[À-ÖØ-öø-ÿœŒ]/;

/** Every chunk of text that shows a raw value, or the other language, with why. */
export async function rawValues(page: Page): Promise<string[]> {
  const { lang, chunks, attributes } = await pageText(page);
  const found: string[] = [];
  // An attribute (a button's label) may name someone (« Valider Hélène Lefèvre »): no accent check there.
  const texts = [
    ...chunks.map((text) => ({ text, attribute: false })),
    ...attributes.map((text) => ({ text, attribute: true })),
  ];
  for (const { text, attribute } of texts) {
    const why = [
      EVENT_TYPES.test(text) && 'event type',
      HYPHENATED_VALUES.test(text) && 'API value',
      lang === 'fr' && ONE_WORD_VALUES.test(text) && 'API value',
      ISO_TIME.test(text) && 'ISO date',
      HTTP_STATUS.test(text) && 'HTTP status',
      lang === 'fr' && ENGLISH.test(text) && 'English in French',
      lang === 'en' && ((!attribute && ACCENTED.test(text)) || FRENCH_WORDS.test(text)) && 'French in English',
    ].filter(Boolean);
    if (why.length > 0) found.push(`${why.join(', ')}: ${text}`);
  }
  return found;
}
