/** Service Bus queues the product uses; the Bicep declares the same names. */
export const QUEUES = {
  /** HR events from the HR systems (and POST /api/hr-events). */
  hrEvents: 'hr-events',
  /** Internal: run or revert one provisioning step. */
  provisioning: 'provisioning',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];
