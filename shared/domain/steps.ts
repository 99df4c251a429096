import { STEP_NAMES, type Onboarding, type StepName, type StepStatus } from '../schemas/onboarding';

/**
 * One step of an onboarding, described once: what it runs after, how it is served, what a departure does to
 * it. The state machine (decide.ts), the sweeper, the forecast and the workers read this; a new step is a new
 * entry here, its connector (shared/ports/provisioners.ts) and its place in the queues (shared/app/queues.ts).
 */
export interface StepDefinition {
  readonly name: StepName;
  /** Steps done (or not needed) before this one runs: Teams needs the Microsoft 365 licence. */
  readonly after: readonly StepName[];
  /**
   * Served from a counted stock in the order of the line (continuity first, then the start date, then the
   * approval), by the pool's allocation passes: the step waits in line until a pass reserves for it.
   */
  readonly inLine: boolean;
  /**
   * Part of the agent's access: removed at the end of a leaver's last day (what the agent holds, the laptop,
   * comes back to the DSI instead).
   */
  readonly access: boolean;
}

export const STEPS: Readonly<Record<StepName, StepDefinition>> = {
  laptop: { name: 'laptop', after: [], inLine: true, access: false },
  vpn: { name: 'vpn', after: [], inLine: false, access: true },
  officeLicense: { name: 'officeLicense', after: [], inLine: false, access: true },
  teams: { name: 'teams', after: ['officeLicense'], inLine: false, access: true },
  accessories: { name: 'accessories', after: [], inLine: false, access: false },
};

/** The steps that are part of the agent's access (removed at a departure). */
export const ACCESS_STEPS: readonly StepName[] = STEP_NAMES.filter((s) => STEPS[s].access);

const SETTLED: readonly StepStatus[] = ['done', 'skipped'];

/** Whether the step must wait for another (its `after` not all done or skipped). */
export function isBlocked(o: Pick<Onboarding, 'steps'>, step: StepName): boolean {
  return STEPS[step].after.some((before) => !SETTLED.includes(o.steps[before].status));
}

/** The steps that run after `step` (Teams after the licence). */
export function stepsAfter(step: StepName): StepName[] {
  return STEP_NAMES.filter((s) => STEPS[s].after.includes(step));
}
