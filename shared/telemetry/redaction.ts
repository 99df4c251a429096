import type { Context } from '@opentelemetry/api';

/**
 * Personal data and secrets kept out of logs and traces. The code logs onboarding and employee ids only; this
 * is the net under it, for text that comes from elsewhere (a Graph error message naming the account, an
 * exception, the URL of an outgoing request as the HTTP instrumentation records it):
 * - anything shaped like a user principal name or an e-mail address;
 * - bearer tokens (JWTs);
 * - the query of a URL (a Teams webhook's `sig`, a SAS), and a Graph path segment naming a user.
 */
const ADDRESS = /[\p{L}\p{N}._%+-][\p{L}\p{N}._%+'-]*(?:@|%40)[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu;
const JWT = /\beyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*/g;
const URL_QUERY = /(\bhttps?:\/\/[^\s?#'"]+)\?[^\s#'"]*/g;

export function redact(text: string): string {
  return text.replace(URL_QUERY, '$1?[redacted]').replace(JWT, '[token]').replace(ADDRESS, '[upn]');
}

/** An error as a log line may carry it: its name and redacted message (and stack, whose first line repeats it). */
export function describeError(err: unknown): string {
  if (err instanceof Error) return redact(err.stack ?? `${err.name}: ${err.message}`);
  return redact(String(err));
}

/** The part of a span a processor can rewrite as it starts (the SDK's Span). */
interface WritableSpan {
  readonly attributes: Readonly<Record<string, unknown>>;
  setAttribute(key: string, value: string): unknown;
}

/**
 * Rewrites the string attributes of every span as it starts (url.full, url.path, http.url, db statements…):
 * instrumentations of outgoing requests record their URLs, and a Graph URL names the user
 * (`/users/{upn}`), a Teams webhook's carries its signature.
 */
export class RedactingSpanProcessor {
  onStart(span: WritableSpan, _context: Context): void {
    for (const [key, value] of Object.entries(span.attributes)) {
      if (typeof value === 'string') {
        const safe = redact(value);
        if (safe !== value) span.setAttribute(key, safe);
      }
    }
  }
  onEnd(): void {
    // Attributes are rewritten at the start; nothing to do at the end.
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** The part of a log record a processor can rewrite as it is emitted (the SDK's LogRecord). */
interface WritableLogRecord {
  readonly body?: unknown;
  setBody(body: string): unknown;
}

/** Redacts the body of every log record (what context.log wrote, exceptions included) before export. */
export class RedactingLogRecordProcessor {
  onEmit(record: WritableLogRecord): void {
    if (typeof record.body === 'string') {
      const safe = redact(record.body);
      if (safe !== record.body) record.setBody(safe);
    }
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
