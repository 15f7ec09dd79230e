import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * The one structured logger. Secrets never reach it by construction (nothing logs config or
 * decrypted bodies); the redact list is a second line of defence for fields that might carry them.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'wecom-crm' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['token', 'secret', 'accessToken', 'access_token', 'encodingAesKey', 'req.headers.authorization', '*.secret', '*.token'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
