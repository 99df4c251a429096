import type { Forecast } from '../../domain/forecast';
import { dayInParis } from '../../domain/paris-time';
import type { Clock } from '../../ports/clock';
import type { Directory } from '../../ports/directory';
import type { OnboardingStore } from '../../ports/onboarding-store';
import {
  STEP_NAMES,
  type Handover,
  type Onboarding,
  type OnboardingKind,
  type OnboardingStatus,
  type StepName,
  type StepStatus,
} from '../../schemas/onboarding';

/** What a manager sees of an arrival (contract: "Managers"): these fields, nothing else. */
export interface ManagerView {
  id: string;
  displayName: string;
  kind: OnboardingKind;
  status: OnboardingStatus;
  startDate: string;
  steps: Record<StepName, StepStatus>;
  /** The day the agent should be equipped: the forecast's when they wait for stock, today while provisioning. */
  expectedBy: string | null;
  handover: Handover | null;
}

/** The most arrivals a manager is shown (newest first). */
export const ARRIVALS_LIMIT = 200;

const RUNNING: readonly OnboardingStatus[] = ['provisioning', 'needs-attention'];

/**
 * `GET /api/me/arrivals`: the onboardings whose agent's manager is the caller, compared by object id. One
 * whose manager's account was not found when it was opened is named by upn only: it is the caller's when the
 * directory says that upn is the caller's account now (a upn can be renamed, or given to someone else).
 */
export function createArrivals(deps: {
  store: OnboardingStore;
  directory: Pick<Directory, 'objectIdOf'>;
  forecast: () => Promise<Forecast>;
  clock: Clock;
}) {
  return async function arrivals(manager: { objectId: string; userPrincipalName: string }): Promise<ManagerView[]> {
    const found = await deps.store.managedBy(manager, ARRIVALS_LIMIT);
    const byUpnOnly = found.some((o) => o.managerObjectId === undefined);
    const upnIsTheirs = byUpnOnly && (await deps.directory.objectIdOf(manager.userPrincipalName)) === manager.objectId;
    const mine = found.filter((o) =>
      o.managerObjectId === undefined ? upnIsTheirs : o.managerObjectId === manager.objectId,
    );
    const forecast = mine.some((o) => RUNNING.includes(o.status)) ? await deps.forecast() : null;
    const expected = new Map(forecast?.waiting.map((w) => [w.onboardingId, w.expectedBy]) ?? []);
    const today = dayInParis(deps.clock.now());
    return mine.map((o) =>
      toManagerView(o, expected.has(o.id) ? (expected.get(o.id) ?? null) : RUNNING.includes(o.status) ? today : null),
    );
  };
}

function toManagerView(o: Onboarding, expectedBy: string | null): ManagerView {
  return {
    id: o.id,
    displayName: o.displayName,
    kind: o.kind,
    status: o.status,
    startDate: o.startDate,
    steps: Object.fromEntries(STEP_NAMES.map((s) => [s, o.steps[s].status])) as Record<StepName, StepStatus>,
    expectedBy,
    handover: o.steps.laptop.handover ?? null,
  };
}
