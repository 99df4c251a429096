/**
 * A stored document that does not match its schema (written by hand, by an older or newer version...).
 * Reading it alone fails with this error; lists, passes and sweepers skip it and report it, so that one bad
 * document never fails everyone's list.
 */
export class UnreadableDocument extends Error {
  override readonly name = 'UnreadableDocument';
  constructor(
    readonly id: string,
    readonly reason: string,
    readonly document: unknown,
  ) {
    super(`document ${id} does not match its schema: ${reason}`);
  }
}

/** Told of each unreadable document a store meets (and awaited: the report is recorded before the answer). */
export type OnUnreadable = (err: UnreadableDocument) => Promise<void> | void;
