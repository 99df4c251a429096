import { randomUUID } from 'node:crypto';
import { objectIdFor } from '../../local/dev-issuer';
import type { Actor } from '../../shared/domain/actor';
import { decide, startOnboarding } from '../../shared/domain/decide';
import { employeeHiredSchema, type EmployeeHired } from '../../shared/schemas/hr-events';
import type { AccessoryRequest } from '../../shared/schemas/accessories';
import type { Onboarding, StepName, StepStatus } from '../../shared/schemas/onboarding';

let counter = 0;

/** A valid employee.hired event as an HR system sends it; override any field. */
export function buildHireJson(
  overrides: {
    eventId?: string;
    employee?: Record<string, unknown>;
    needs?: Record<string, boolean | string[]>;
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

/** The approver of the domain tests, and the moment of their decisions. */
export const APPROVER = person('chef.dsi@example.org');
export const DECIDED_AT = '2026-11-30T09:00:00.000Z';

/** An onboarding approved by APPROVER at DECIDED_AT: provisioning, its laptop in line, the others pending. */
export function approvedOnboarding(o: Onboarding = buildOnboarding()): Onboarding {
  return decide(o, { type: 'decided', at: DECIDED_AT, by: APPROVER, decision: 'approve' }).state;
}

/** A copy with these step statuses (as a later moment of the same onboarding would have them). */
export function withSteps(o: Onboarding, steps: Partial<Record<StepName, StepStatus>>): Onboarding {
  const copy = structuredClone(o);
  for (const [name, status] of Object.entries(steps) as [StepName, StepStatus][]) copy.steps[name].status = status;
  return copy;
}

/** The steps a hire needs in these tests: Teams and accessories are not needed (skipped) unless a test says so. */
export const HIRE_STEPS = ['laptop', 'vpn', 'officeLicense'] as const;

/** The hire's three steps of an onboarding (stored, or as the API serves it). */
export function hireSteps<S>(o: { steps: Record<(typeof HIRE_STEPS)[number], S> }): S[] {
  return HIRE_STEPS.map((name) => o.steps[name]);
}

/** An onboarding waiting for accessories as the store's line answers it (`id` like `E1.1`), a headset by default. */
export const accessoryRequest = (id: string, o: Partial<AccessoryRequest> = {}): AccessoryRequest => ({
  onboardingId: id,
  employeeId: id.split('.')[0] ?? id,
  priority: 'standard',
  startDate: '2027-01-04',
  site: null,
  userPrincipalName: `${id}@example.org`,
  approvedAt: '2026-12-01T09:00:00.000Z',
  attempt: 1,
  kinds: ['headset'],
  ...o,
});
