import { randomUUID } from 'node:crypto';
import { objectIdFor } from '../../local/dev-issuer';
import type { Actor } from '../../shared/domain/actor';
import { startOnboarding } from '../../shared/domain/decide';
import { employeeHiredSchema, type EmployeeHired } from '../../shared/schemas/hr-events';
import type { Onboarding } from '../../shared/schemas/onboarding';

let counter = 0;

/** A valid employee.hired event as an HR system sends it; override any field. */
export function buildHireJson(
  overrides: {
    eventId?: string;
    employee?: Record<string, unknown>;
    needs?: Record<string, boolean>;
  } = {},
): Record<string, unknown> {
  counter += 1;
  const employeeId = `E${String(10000 + counter)}`;
  return {
    eventId: overrides.eventId ?? randomUUID(),
    type: 'employee.hired',
    occurredAt: '2026-11-29T08:00:00Z',
    employee: {
      employeeId,
      givenName: 'Camille',
      surname: 'Martin',
      userPrincipalName: `camille.martin.${employeeId.toLowerCase()}@example.org`,
      department: 'Direction des lycées',
      site: 'Orléans',
      startDate: '2026-12-07',
      priority: 'standard',
      ...overrides.employee,
    },
    ...(overrides.needs ? { needs: overrides.needs } : {}),
  };
}

/** An employee.hire-cancelled event for `employeeId`. */
export function buildCancelJson(employeeId: string, eventId = `cancel-${employeeId}`): Record<string, unknown> {
  return { eventId, type: 'employee.hire-cancelled', occurredAt: '2026-12-01T08:00:00Z', employee: { employeeId } };
}

export function buildHire(overrides: Parameters<typeof buildHireJson>[0] = {}): EmployeeHired {
  return employeeHiredSchema.parse(buildHireJson(overrides));
}

/** A fresh onboarding awaiting approval, as `startOnboarding` makes it. */
export function buildOnboarding(
  overrides: Parameters<typeof buildHireJson>[0] = {},
  at = '2026-11-29T08:00:00.000Z',
): Onboarding {
  const hire = buildHire(overrides);
  return startOnboarding(
    { id: `${hire.employee.employeeId}.1`, sequence: 1 },
    { type: 'hired', eventId: hire.eventId, at, hire },
  ).state;
}

/** A person as the history records them: their upn and the object id their token carries. */
export function person(upn: string): Actor {
  return { name: upn, id: objectIdFor(upn) };
}
