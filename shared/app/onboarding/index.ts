import type { IssuedAccessPass } from '../../ports/access-passes';
import type { ManagerView } from './arrivals';
import type { Actor } from '../../domain/actor';
import type { ListOrder, OnboardingPage } from '../../ports/onboarding-store';
import type { BulkDecision, DecisionBody } from '../../schemas/api';
import type { Priority } from '../../schemas/hr-events';
import type { HistoryEntry, Onboarding, StepCommand } from '../../schemas/onboarding';
import type { ApprovalDeadline } from './approval-deadlines';
import type { DecisionOutcome } from './decide-onboarding';
import type { OnboardingQuery } from './list-onboardings';
import type { StepRunContext } from './run-step-command';
import type { OnboardingCounts, ToHandleItem } from './to-handle';

/** The onboardings as the DSI and auditors read and decide them (the API's onboarding routes). */
export interface OnboardingUseCases {
  /**
   * Newest first unless `order` says otherwise, filters combined with AND; following continuation tokens returns
   * each match once; `total`: how many match.
   */
  list(
    query: OnboardingQuery,
    limit: number,
    continuationToken?: string,
    order?: ListOrder,
  ): Promise<OnboardingPage & { total: number }>;
  /** What the console's tabs count: onboardings by status, and how many need a person. */
  counts(options?: { departments?: boolean }): Promise<OnboardingCounts>;
  /** The onboardings that need a person, with why (at most `limit` of each reason). */
  toHandle(limit: number): Promise<{ items: ToHandleItem[]; total: number }>;
  get(id: string): Promise<Onboarding | null>;
  /** Oldest first; null: no such onboarding. */
  history(id: string): Promise<HistoryEntry[] | null>;
  /** The CSV export of the list's matches, a page at a time as the reader takes it (French Excel's, or RFC 4180). */
  export(query: OnboardingQuery, format?: 'excel-fr'): AsyncGenerator<string>;
  decide(id: string, body: DecisionBody, by: Actor): Promise<Onboarding>;
  decideMany(items: readonly BulkDecision[], by: Actor): Promise<DecisionOutcome[]>;
  retry(id: string, by: Actor): Promise<Onboarding>;
  /** The arrivals of a manager: the onboardings whose agent's manager is this person (by object id). */
  arrivals(manager: { objectId: string; userPrincipalName: string }): Promise<ManagerView[]>;
  /** A Temporary Access Pass for the agent's first sign-in, shown once to `by` (never kept). */
  issueAccessPass(id: string, by: Actor): Promise<IssuedAccessPass>;
  changePriority(id: string, priority: Priority, by: Actor): Promise<Onboarding>;
  /** A upn the directory does not know, corrected: the steps that lacked the account run again. */
  correctUpn(id: string, userPrincipalName: string, by: Actor): Promise<Onboarding>;
  /** The decider takes the decision back (within `Approval__undoMinutes`, before any step started). */
  undoDecision(id: string, by: Actor): Promise<Onboarding>;
  /** An approval deadline came (a scheduled message): the reminder, or the expiry. */
  handleApprovalDeadline(due: ApprovalDeadline): Promise<Onboarding | null>;
}

/** The provisioning workers: one step command at a time. */
export interface ProvisioningUseCases {
  runStepCommand(command: StepCommand, ctx: StepRunContext): Promise<Onboarding | null>;
}
