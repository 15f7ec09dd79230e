import { WecomApiError } from '../wecom/api/wecom-api.error';

/**
 * Whether another attempt of a failed job can succeed. Decided once, at the job boundary: a
 * permanent failure fails the event at once with its reason (eight retries over eight minutes only
 * delay the answer); a transient one backs off and tries again.
 */
export type FailureClass = 'permanent' | 'transient';

/** Thrown by a handler for input that can never be processed (bad data): no retry. */
export class PermanentError extends Error {
  override readonly name = 'PermanentError';
}

/** Mistakes in our code or schema: the same code fails the same way on every attempt. */
const PROGRAMMING_ERRORS = new Set([
  'TypeError',
  'ReferenceError',
  'SyntaxError',
  'RangeError',
  // TypeORM: a query this driver cannot run (e.g. a row lock on SQLite), a wrong entity or column
  'LockNotSupportedOnGivenDriverError',
  'EntityMetadataNotFoundError',
  'EntityPropertyNotFoundError',
  'MissingPrimaryColumnError',
  'UpdateValuesMissingError',
  'CannotExecuteNotConnectedError',
]);

/**
 * SQL errors about the statement or the data, not the server's state: a retry sends the same
 * statement with the same values. Deadlocks, lock waits, lost connections and a busy SQLite file
 * are not here: those are transient.
 */
const PERMANENT_SQL_CODES = new Set([
  // MySQL / MariaDB
  'ER_PARSE_ERROR',
  'ER_BAD_FIELD_ERROR',
  'ER_NO_SUCH_TABLE',
  'ER_DATA_TOO_LONG',
  'ER_TRUNCATED_WRONG_VALUE',
  'ER_TRUNCATED_WRONG_VALUE_FOR_FIELD',
  'ER_BAD_NULL_ERROR',
  'ER_WARN_DATA_OUT_OF_RANGE',
  'ER_WRONG_VALUE_COUNT_ON_ROW',
  'ER_NO_DEFAULT_FOR_FIELD',
  'ER_INVALID_JSON_TEXT',
  'ER_NO_REFERENCED_ROW_2',
  // SQLite (SQLITE_ERROR: no such table/column, a syntax error)
  'SQLITE_ERROR',
  'SQLITE_MISMATCH',
  'SQLITE_TOOBIG',
  'SQLITE_CONSTRAINT_NOTNULL',
  'SQLITE_CONSTRAINT_FOREIGNKEY',
  'SQLITE_CONSTRAINT_CHECK',
]);

export function classifyFailure(error: unknown): FailureClass {
  if (error instanceof PermanentError) return 'permanent';
  if (error instanceof WecomApiError) {
    // A missing token is the whole app's problem (WeCom busy, the secret being fixed), not this event's.
    return error.retryable || error.isTokenError || error.api === 'gettoken' ? 'transient' : 'permanent';
  }
  if (!(error instanceof Error)) return 'transient';
  if (PROGRAMMING_ERRORS.has(error.name)) return 'permanent';
  if (error.name === 'QueryFailedError') {
    const code = String((error as { driverError?: { code?: unknown } }).driverError?.code ?? (error as { code?: unknown }).code ?? '');
    return PERMANENT_SQL_CODES.has(code) ? 'permanent' : 'transient';
  }
  return 'transient';
}

const MAX_REASON_LENGTH = 4000;

/** `Name: message`, short enough for a column; never a query's parameters or a stack. */
export function describeFailure(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, MAX_REASON_LENGTH);
}
