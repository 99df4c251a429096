/** Onboarding ids are `<employeeId>.<sequence>`: the employee (the partition key) can be read from the id. */
export function onboardingId(employeeId: string, sequence: number): string {
  return `${employeeId}.${sequence}`;
}

/** The employee id inside an onboarding id, or null when the id is not one of ours. */
export function employeeIdOf(id: string): string | null {
  const match = /^([A-Za-z0-9_-]{1,64})\.([1-9][0-9]{0,8})$/.exec(id);
  return match?.[1] ?? null;
}
