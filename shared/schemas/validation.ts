import type { z } from 'zod';

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
