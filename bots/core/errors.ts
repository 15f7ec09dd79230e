/**
 * A mistake the salesperson can fix (missing argument, unknown customer, unreadable date): answered
 * with a friendly Chinese reply, never retried. Anything else is a fault: logged and retried by the queue.
 */
export class UserError extends Error {
  constructor(readonly reply: string) {
    super(reply);
    this.name = 'UserError';
  }
}

/** A command typed with arguments that do not fit: the reply adds the usage line and an example. */
export class UsageError extends UserError {
  constructor(readonly problem: string) {
    super(problem);
    this.name = 'UsageError';
  }
}
