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
