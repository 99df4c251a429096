import type { z } from 'zod';
import { UnreadableDocument, type OnUnreadable } from '../../ports/unreadable-document';
import { describeFieldErrors, toFieldErrors } from '../../schemas/validation';

/**
 * The document read back through its schema (as every read is), or UnreadableDocument naming what does not
 * match: a document written by hand or by another version never reaches the code as if it were valid.
 */
export function parseStored<S extends z.ZodType>(schema: S, resource: unknown): z.infer<S> {
  const parsed = schema.safeParse(resource);
  if (parsed.success) return parsed.data;
  const id =
    typeof resource === 'object' && resource !== null && 'id' in resource && typeof resource.id === 'string'
      ? resource.id
      : '(no id)';
  throw new UnreadableDocument(id, describeFieldErrors(toFieldErrors(parsed.error)), resource);
}

/**
 * The readable ones of a list: each unreadable one is reported (set aside for an operator) and skipped, never
 * a reason to fail everyone's list, pass or sweep. The reports are recorded before the answer.
 */
export async function readableOnly<R, T>(resources: R[], read: (r: R) => T, onUnreadable: OnUnreadable): Promise<T[]> {
  const out: T[] = [];
  const reports: Promise<void>[] = [];
  for (const r of resources) {
    try {
      out.push(read(r));
    } catch (err) {
      if (!(err instanceof UnreadableDocument)) throw err;
      reports.push(Promise.resolve(onUnreadable(err)));
    }
  }
  await Promise.all(reports);
  return out;
}
