import { z } from 'zod';

/** One field that failed validation, as the API reports it. */
export interface FieldError {
  path: string;
  message: string;
}

/** Turns zod issues into `{ path: "employee.startDate", message }` pairs. */
export function toFieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
  }));
}

/** One line naming every bad field, for logs and dead-letter descriptions. */
export function describeFieldErrors(errors: FieldError[]): string {
  return errors.map((e) => `${e.path}: ${e.message}`).join('; ');
}

/**
 * Characters that make a text read other than it is stored: control characters (C0, C1) and format
 * characters (Unicode Cf: bidirectional overrides such as U+202E, zero-width marks). Free text the API
 * accepts (comments, names) refuses them; text shown elsewhere (a Teams card) has them replaced.
 */
export const MISLEADING_CHARACTERS = /[\p{Cc}\p{Cf}]/u;

/** `text` with each misleading character replaced by a space. */
export function withoutMisleadingCharacters(text: string): string {
  return text.replace(new RegExp(MISLEADING_CHARACTERS.source, 'gu'), ' ');
}

/** Control and format characters, line breaks aside (a comment may have several lines). */
const MISLEADING_BUT_LINE_BREAKS = /(?![\n])[\p{Cc}\p{Cf}]/u;

/**
 * Free text the API takes (names, departments, comments): trimmed, `max` characters at most, and without the
 * characters that would make an audit reader see other than what is stored (a U+202E reverses what follows).
 */
export function freeText(max: number, options: { multiline?: boolean } = {}) {
  const refused = options.multiline ? MISLEADING_BUT_LINE_BREAKS : MISLEADING_CHARACTERS;
  return z
    .string()
    .trim()
    .max(max)
    .refine((text) => !refused.test(text), {
      error: 'must not contain control characters or bidirectional overrides (U+202E...)',
    });
}

/** `limit` of a list: a decimal integer from 1 to 200 as written in the query (not 0x10, 1e2 or " 5 "); default 50. */
export const limitSchema = z
  .string()
  .regex(/^[1-9][0-9]*$/, 'must be a decimal integer')
  .transform(Number)
  .pipe(z.number().int().min(1).max(200))
  .optional()
  .transform((n) => n ?? 50);

/** A boolean query parameter: `true` or `false`, nothing else (not 1, yes, or an empty value). */
export const booleanQueryParam = z
  .enum(['true', 'false'])
  .transform((v) => v === 'true')
  .optional();
