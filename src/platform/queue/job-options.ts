import type { JobOptions } from './queues';

/**
 * Retry and retention presets, written once. A job definition (job-definition.ts) names one; the
 * row, not Redis, is the record of what happened, so finished jobs are pruned.
 */
export const JOB_OPTIONS = {
  /** a delayed job keyed by a row (a reminder, an SOP step, an overdue check): retried for about 8 min, failures kept for a look */
  rowTimed: { attempts: 8, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: true, removeOnFail: 1000, stackTraceLimit: 1 },
  /** an outbound message: waiting for pacing or the morning is a "retry" with a computed delay (queues.ts `retryAfter`); the row counts real attempts */
  outbound: { attempts: 10_000, backoff: { type: 'retryAfter' }, stackTraceLimit: 1, removeOnComplete: 1000, removeOnFail: 5000 },
  /** an occurrence of a schedule (reconciliation, digests, scans): a few runs kept to look at */
  scheduled: { removeOnComplete: 20, removeOnFail: 50, attempts: 3, backoff: { type: 'exponential', delay: 60_000 } },
  /** one run now, beside a schedule (a refresh at worker start): nothing kept */
  oneOff: { removeOnComplete: true, removeOnFail: true, attempts: 3, backoff: { type: 'exponential', delay: 30_000 } },
} as const satisfies Record<string, JobOptions>;

/** An inbound event: attempts and backoff from the config (INBOUND_MAX_ATTEMPTS, INBOUND_RETRY_DELAY_MS). */
export function inboundJobOptions(retry: { attempts: number; delayMs: number }): JobOptions {
  return { attempts: retry.attempts, backoff: { type: 'exponential', delay: retry.delayMs }, removeOnComplete: 1000, removeOnFail: 5000 };
}
