import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { InboundProducer } from './inbound.producer';
import { withTimeout } from '../queue/queues';
import type { OpenedCallback, SealedCallback } from '../wecom/callback/verified-callback';
import type { CallbackSpool } from './callback-spool';
import { type CallbackToStore, type EventRecorder, isRowRefused, type StoreResult } from './event-recorder';
import { GroupCommit, type ItemOutcome } from './group-commit';
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
  /** callbacks written by one statement at most (group commit) */
  maxBatch?: number;
}

/**
 * A batch's ciphertext at most (~3/4 of it is payload): one statement stays far below MariaDB's
 * max_allowed_packet (16 MB by default). Real callbacks are about a kilobyte.
 */
const MAX_BATCH_CIPHERTEXT = 4 * 1024 * 1024;

/**
 * What the webhook does with a verified callback, so that one outage never loses it:
 * - both up: row stored, job added, 200;
 * - Redis down: row stored, 200; the job is added when Redis answers again (PendingEnqueues, and
 *   the worker's sweeper if this process dies first);
 * - database down: the callback (still encrypted) goes to the Redis spool, 200; the drain stores it
 *   when the database is back, deduplicated like any delivery;
 * - both down: 503, and WeCom retries.
 *
 * Callbacks arriving together are group-committed: those that come in while a write is in flight
 * are stored by the next one, one statement for all, and queued by one bulk add (group-commit.ts).
 * Each is still answered only after its own row is committed and its job added; a failed batch
 * fails each of its callbacks exactly as a failed single write would.
 */
export class CallbackIntake {
  private readonly pending: PendingEnqueues;
  private readonly dbTimeoutMs: number;
  private readonly warnings = new OncePerInterval(60_000);
  private readonly rows: GroupCommit<CallbackToStore & { weight: number }, StoreResult>;
  private readonly jobs: GroupCommit<number, void>;

  constructor(private readonly deps: CallbackIntakeDeps) {
    this.dbTimeoutMs = deps.dbTimeoutMs ?? 2000;
    this.pending = new PendingEnqueues({
      producer: deps.producer,
      available: () => deps.spool.available,
      onEnqueued: (n) => deps.logger.info({ enqueued: n }, 'events stored while Redis was down are queued now'),
    });
    const maxItems = deps.maxBatch ?? 200;
    this.rows = new GroupCommit({ flush: (items) => this.storeBatch(items), maxItems, maxWeight: MAX_BATCH_CIPHERTEXT, weight: (item) => item.weight });
    this.jobs = new GroupCommit<number, void>({
      flush: async (ids) => {
        await deps.producer.enqueueMany(ids);
        return ids.map(() => ({ ok: true, value: undefined }));
      },
      maxItems: maxItems * 2,
    });
  }

  async accept(callback: VerifiedCallback): Promise<IntakeResult> {
    let stored;
    try {
      const row = { descriptor: callback.descriptor, fields: callback.fields, weight: callback.sealed.encrypt.length };
      stored = await withTimeout(this.rows.submit(row), this.dbTimeoutMs, 'event insert');
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

  /** callbacks waiting for the row write in flight to finish (they share the next one) */
  get storesWaiting(): number {
    return this.rows.waiting;
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
        await this.jobs.submit(eventId);
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

  /**
   * One statement for the batch. A row the database refuses (its values do not fit) fails the
   * statement for every row in it: each is then written on its own, so only that callback is refused.
   */
  private async storeBatch(items: CallbackToStore[]): Promise<Array<ItemOutcome<StoreResult>>> {
    try {
      return (await this.deps.recorder.storeMany(items)).map((value) => ({ ok: true, value }));
    } catch (error) {
      if (items.length === 1 || !isRowRefused(error)) throw error;
      const outcomes: Array<ItemOutcome<StoreResult>> = [];
      for (const item of items) {
        try {
          outcomes.push({ ok: true, value: (await this.deps.recorder.storeMany([item]))[0]! });
        } catch (itemError) {
          outcomes.push({ ok: false, error: itemError });
        }
      }
      return outcomes;
    }
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
