import type { Onboarding, StepName } from '../schemas/onboarding';

/** What a provisioning attempt came to. A transient fault is thrown instead (TransientError). */
export type ProvisionOutcome =
  | { kind: 'done'; serialNumber?: string; detail?: string }
  /** Nothing free: re-checked after `recheckAfterSeconds`, or (when absent) resumed by whoever frees stock. */
  | { kind: 'waiting'; detail: string; recheckAfterSeconds?: number }
  | { kind: 'failed'; code: string; message: string };

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
