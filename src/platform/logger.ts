import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * The one structured logger. Secrets never reach it by construction (nothing logs config or
 * decrypted bodies); the redact list is a second line of defence for fields that might carry them.
 * Errors go through `safeError`: a database error carries the statement and its parameters (for an
 * event write, the whole decrypted payload), and those never reach a log line.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'wecom-crm' },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: { err: safeError, spoolErr: safeError },
      redact: {
        paths: ['token', 'secret', 'accessToken', 'access_token', 'encodingAesKey', 'req.headers.authorization', '*.secret', '*.token'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

/** Properties of an error that describe it without repeating data (kept when present). */
const DESCRIPTIVE = ['code', 'errno', 'sqlState', 'errcode', 'api', 'status', 'httpStatus', 'retryable', 'reason', 'retryAfterMs'] as const;

/**
 * What a log line keeps of an error: its type, a message with quoted values taken out, the codes,
 * the stack frames and the cause. Dropped on purpose: `query`/`parameters` (TypeORM), `sql`/
 * `sqlMessage` (mysql2) and anything else an error object picked up on its way.
 */
export function safeError(error: unknown, depth = 0): Record<string, unknown> | undefined {
  if (error === undefined || error === null) return undefined;
  if (!(error instanceof Error)) return { type: typeof error, message: withoutValues(String(error)).slice(0, 300) };
  const e = error as Error & Record<string, unknown> & { driverError?: Record<string, unknown> };
  const out: Record<string, unknown> = { type: e.name, message: withoutValues(e.message) };
  for (const key of DESCRIPTIVE) {
    const value = e[key] ?? e.driverError?.[key];
    if (value !== undefined && (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')) out[key] = value;
  }
  if (typeof e.errmsg === 'string') out.errmsg = withoutValues(e.errmsg).slice(0, 300);
  if (e.stack) out.stack = [`${e.name}: ${out.message}`, ...e.stack.split('\n').filter((line) => /^\s+at /.test(line))].join('\n');
  if (e.cause !== undefined && depth < 3) out.cause = safeError(e.cause, depth + 1);
  return out;
}

/**
 * Database messages quote the values that failed: `Duplicate entry 'a name' for key …`,
 * `Incorrect string value: '\xF0…' for column …`, TypeORM's `… matching: {"name": …}`. The
 * value goes, the column and key names stay.
 */
function withoutValues(message: string): string {
  return message
    .replace(/(entry|value:?|values?) '(?:[^'\\]|\\.){0,2000}?'/gi, "$1 '…'")
    .replace(/matching:[\s\S]*$/, 'matching: …')
    .slice(0, 1000);
}
