/** Business-rule error codes; the HTTP layer maps each to a status. */
export const ErrorCodes = {
  alreadyDecided: 'ONBOARDING.ALREADY_DECIDED',
  selfApproval: 'ONBOARDING.SELF_APPROVAL',
  notRetryable: 'ONBOARDING.NOT_RETRYABLE',
  notFound: 'ONBOARDING.NOT_FOUND',
  illegalTransition: 'ONBOARDING.ILLEGAL_TRANSITION',
  finished: 'ONBOARDING.FINISHED',
  laptopNotFound: 'LAPTOP.NOT_FOUND',
  laptopNotReturnable: 'LAPTOP.NOT_RETURNABLE',
  laptopNotHandable: 'LAPTOP.NOT_HANDABLE',
  deliveryNotFound: 'DELIVERY.NOT_FOUND',
} as const;
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** A rule of the onboarding life cycle that an action broke. Permanent: retrying changes nothing. */
export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}
