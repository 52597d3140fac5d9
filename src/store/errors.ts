/** The store's one error class: callers branch on the class or its `code`, never on the message. */

/** The store file is unreadable, corrupted or from an unknown version. */
export class StoreError extends Error {
  readonly code = 'STORE_UNREADABLE';
  constructor(
    message: string,
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreError';
  }
}
