/**
 * Every kind of history entry the service writes, once: `decide` (and the retention sweeper) may write no
 * other, and whoever shows a history (the web console, in French and English) names each one, held complete
 * by the type checker (`Record<HistoryType, …>`). A new entry is a new name here first.
 */
export const HISTORY_TYPES = [
  'onboarding.created',
  'hire.duplicate',
  'onboarding.approved',
  'onboarding.rejected',
  'onboarding.decision-undone',
  'onboarding.approval-voided',
  'onboarding.reminder-sent',
  'onboarding.retry-requested',
  'onboarding.upn-corrected',
  'onboarding.needs-attention',
  'onboarding.completed',
  'onboarding.cancelled',
  'onboarding.moved',
  'onboarding.leaving',
  'onboarding.left',
  'onboarding.pseudonymised',
  'onboarding.access-pass-issued',
  'step.started',
  'step.done',
  'step.skipped',
  'step.waiting',
  'step.retry-scheduled',
  'step.failed',
  'step.replanned',
  'step.reverted',
  'step.revert-retry-scheduled',
  'step.revert-failed',
  'priority.changed',
  'priority.unchanged',
  'priority-change.ignored',
  'start-date.changed',
  'start-date.unchanged',
  'move.planned',
  'move.ignored',
  'hire-cancel.ignored',
  'employee.left',
  'employee-left.ignored',
  'departure.held',
  'departure.confirmed',
  'departure.changed',
  'departure.unchanged',
  'departure.access-removed',
  'laptop.handed-over',
  'laptop.returned',
  'replaced-device.returned',
] as const;

export type HistoryType = (typeof HISTORY_TYPES)[number];

/** Whether a stored entry's type is one this release writes (an earlier release's may not be). */
export function isHistoryType(type: string): type is HistoryType {
  return (HISTORY_TYPES as readonly string[]).includes(type);
}
