import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { InboundProducer } from './inbound.producer';
import { withTimeout } from '../queue/queues';
import type { OpenedCallback, SealedCallback } from '../wecom/callback/verified-callback';
import type { CallbackSpool } from './callback-spool';
import { type EventRecorder, isRowRefused } from './event-recorder';
import { OncePerInterval } from '../once-per-interval';
import { PendingEnqueues } from './pending-enqueues';

export interface VerifiedCallback extends OpenedCallback {
  sealed: SealedCallback;
  receivedAt: Date;
}

export type IntakeResult = { outcome: 'stored'; eventId: number; duplicate: boolean; enqueued: 'now' | 'later' | 'not_needed' } | { outcome: 'spooled' };

/** Neither the database nor the spool could take the callback: the webhook answers 503 and WeCom retries. */
export class IntakeUnavailable extends Error {
  constructor() {
    super('neither the database nor the Redis spool can take the callback now');
    this.name = 'IntakeUnavailable';
  }
}

/** The database can never hold this row (its values do not fit): refused for good. */
export class RowRefused extends Error {
  constructor() {
    super('the database refuses this payload');
    this.name = 'RowRefused';
  }
}

export interface CallbackIntakeDeps {
  recorder: EventRecorder;
  producer: InboundProducer;
  spool: CallbackSpool;
  metrics: Metrics;
  logger: Logger;
  /** a write that takes longer is given up (WeCom waits 5 s): the callback goes to the spool instead, and a late commit is deduplicated by the drain. */
  dbTimeoutMs?: number;
}

/**
 * What the webhook does with a verified callback, so that one outage never loses it:
 * - both up: row stored, job added, 200;
 * - Redis down: row stored, 200; the job is added when Redis answers again (PendingEnqueues, and
 *   the worker's sweeper if this process dies first);
 * - database down: the callback (still encrypted) goes to the Redis spool, 200; the drain stores it
 *   when the database is back, deduplicated like any delivery;
 * - both down: 503, and WeCom retries.
 */
export class CallbackIntake {
  private readonly pending: PendingEnqueues;
  private readonly dbTimeoutMs: number;
  private readonly warnings = new OncePerInterval(60_000);

  constructor(private readonly deps: CallbackIntakeDeps) {
    this.dbTimeoutMs = deps.dbTimeoutMs ?? 2000;
    this.pending = new PendingEnqueues({
      producer: deps.producer,
      available: () => deps.spool.available,
      onEnqueued: (n) => deps.logger.info({ enqueued: n }, 'events stored while Redis was down are queued now'),
    });
  }

  async accept(callback: VerifiedCallback): Promise<IntakeResult> {
    let stored;
    try {
      stored = await withTimeout(this.deps.recorder.store(callback.descriptor, callback.fields), this.dbTimeoutMs, 'event insert');
    } catch (dbError) {
      if (isRowRefused(dbError)) throw new RowRefused();
      return this.spool(callback, dbError);
    }
    const enqueued = stored.needsJob ? await this.enqueue(stored.eventId) : 'not_needed';
    return { outcome: 'stored', eventId: stored.eventId, duplicate: stored.duplicate, enqueued };
  }

  /** Stores a callback the drain took from the spool (received earlier, at `receivedAt`). Throws when the database still cannot take it. */
  async storeDrained(callback: VerifiedCallback): Promise<{ eventId: number; duplicate: boolean }> {
    const stored = await withTimeout(this.deps.recorder.store(callback.descriptor, callback.fields, callback.receivedAt), this.dbTimeoutMs * 5, 'event insert');
    if (stored.needsJob) await this.enqueue(stored.eventId);
    return stored;
  }

  /** ids stored but not yet on the queue (Redis was down) */
  get pendingEnqueues(): number {
    return this.pending.size;
  }

  close(): void {
    this.pending.stop();
  }

  private async enqueue(eventId: number): Promise<'now' | 'later'> {
    if (this.deps.spool.available) {
      try {
        await this.deps.producer.enqueue(eventId);
        return 'now';
      } catch {
        // Redis went away between the check and the add: the job follows when it is back.
      }
    }
    this.pending.add(eventId);
    this.deps.metrics.callbacksDeferredEnqueue.inc();
    this.warnOnce('redis', 'Redis unavailable: events are stored and will be queued when it is back');
    return 'later';
  }

  private async spool(callback: VerifiedCallback, dbError: unknown): Promise<IntakeResult> {
    try {
      await this.deps.spool.push(callback.sealed, callback.receivedAt);
    } catch (spoolError) {
      this.warnOnce('both', 'database and Redis unavailable: callbacks refused with 503 (WeCom retries)', { dbError, spoolError });
      throw new IntakeUnavailable();
    }
    this.deps.metrics.callbacksSpooled.inc();
    this.warnOnce('database', 'database unavailable: callbacks are kept in the Redis spool until it is back', { dbError });
    return { outcome: 'spooled' };
  }

  /** One line per kind of trouble a minute, not one per callback in an outage. */
  private warnOnce(kind: string, message: string, errors: { dbError?: unknown; spoolError?: unknown } = {}): void {
    const { log, suppressed } = this.warnings.check(kind);
    if (log) this.deps.logger.warn({ err: errors.dbError, spoolErr: errors.spoolError, suppressedSinceLast: suppressed }, message);
  }
}
