import type { AccessoryItem } from '../schemas/accessories';
import type { Onboarding, StepName } from '../schemas/onboarding';

/** What a provisioning attempt came to. A transient fault is thrown instead (TransientError). */
export type ProvisionOutcome =
  | {
      kind: 'done';
      serialNumber?: string;
      detail?: string;
      groupId?: string;
      membershipId?: string;
      /** The agent had it before (an agent in post): a cancellation keeps it; a departure removes it. */
      preExisting?: true;
      /** The accessories step: each kind given. */
      items?: AccessoryItem[];
      /** The laptop is from another site's stock than the agent's: it has to be sent there. */
      fromSite?: string;
    }
  /**
   * Nothing free: re-checked after `recheckAfterSeconds`, or (when absent) resumed by whoever frees stock.
   * `items`: the accessories step's kinds, given or still waiting.
   */
  | { kind: 'waiting'; detail: string; recheckAfterSeconds?: number; items?: AccessoryItem[] }
  | { kind: 'failed'; code: string; message: string }
  /** The step has nothing to do for this agent (a department without a team): skipped, with why. */
  | { kind: 'not-needed'; detail: string };

/** What an undo came to, when there is something to say (an effect left in place on purpose, and why). */
export interface RevertOutcome {
  note?: string;
}

/** One provisioning step: makes its effect (idempotently) and can undo it. */
export interface Provisioner {
  readonly step: StepName;
  provision(onboarding: Onboarding): Promise<ProvisionOutcome>;
  /** Undoes the effect; harmless when there is none. */
  revert(onboarding: Onboarding): Promise<RevertOutcome | undefined>;
}

export type Provisioners = Record<StepName, Provisioner>;

/**
 * The steps whose effect lives in the tenant and nowhere else (the directory's groups, licences, teams): each
 * a connector of its own (Microsoft Graph in Azure, the simulated tenant locally). The laptop and the
 * accessories are use cases over the stock (shared/app/laptops/).
 */
export const CONNECTED_STEPS = ['vpn', 'officeLicense', 'teams'] as const satisfies readonly StepName[];
export type ConnectedStep = (typeof CONNECTED_STEPS)[number];
export type Connectors = Record<ConnectedStep, Provisioner>;

/** A fault worth retrying later (throttling, 5xx, a timeout, directory sync lag). */
export class TransientError extends Error {
  override readonly name = 'TransientError';
  constructor(
    message: string,
    readonly retryAfterSeconds?: number,
    /** The step's failure code once retries are exhausted (default TransientFaultsExhausted), e.g. UserNotFound. */
    readonly code?: string,
  ) {
    super(message);
  }
}

/** A permanent refusal by the tenant (a permission missing, a device Intune will not take): the step fails with it. */
export class TenantRefusal extends Error {
  override readonly name = 'TenantRefusal';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
