/** Business-rule error codes; the HTTP layer maps each to a status. */
export const ErrorCodes = {
  alreadyDecided: 'ONBOARDING.ALREADY_DECIDED',
  selfApproval: 'ONBOARDING.SELF_APPROVAL',
  notRetryable: 'ONBOARDING.NOT_RETRYABLE',
  notFound: 'ONBOARDING.NOT_FOUND',
  illegalTransition: 'ONBOARDING.ILLEGAL_TRANSITION',
  finished: 'ONBOARDING.FINISHED',
  /** PATCH userPrincipalName: no step lacks the account (it was found, or the onboarding is not running). */
  upnNotCorrectable: 'ONBOARDING.UPN_NOT_CORRECTABLE',
  /** Undo: no decision to undo (awaiting approval, expired by the service, or finished since). */
  undoRefused: 'ONBOARDING.UNDO_REFUSED',
  /** Undo: another person decided. */
  undoNotYours: 'ONBOARDING.UNDO_NOT_YOURS',
  /** Undo: past `Approval__undoMinutes`, or a step started already. */
  undoTooLate: 'ONBOARDING.UNDO_TOO_LATE',
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
