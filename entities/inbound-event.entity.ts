import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { STATUS_LENGTH, USERID_LENGTH } from './column-types';

/**
 * received: stored and (normally) on the queue. The webhook does not spend a write on marking it
 * queued: the job id is derived from the row id, so re-adding is harmless, and the sweeper re-adds
 * rows whose job is missing (a crash between store and enqueue, or a Redis restart).
 * processing: a worker took it (and may be retrying). deferred: its urgent part is done (a welcome sent)
 * and the rest waits in a low-priority job. done / ignored (no handler) / failed (retries exhausted).
 */
export type InboundEventStatus = 'received' | 'processing' | 'deferred' | 'done' | 'ignored' | 'failed';

/**
 * The most a `payload` holds: it is `simple-json` in a TEXT column, and TEXT on MySQL/MariaDB holds
 * 65,535 bytes of its serialized JSON (a `"` takes two, a control character six). The webhook refuses a
 * larger payload for good (413) on every database, SQLite included, so one callback gets the same
 * answer whatever the deployment stores it in. Real callbacks are a few hundred bytes.
 */
export const INBOUND_PAYLOAD_MAX_BYTES = 65_535;
/** `dedupe_key` is varchar(191) (the longest utf8mb4 key InnoDB indexes in its older row formats). */
export const DEDUPE_KEY_MAX_LENGTH = 191;

/** Every callback WeCom delivered, stored before we answer 200. The decrypted fields are kept for replay until the retention job empties them. */
@Entity({ name: 'inbound_events' })
@Index('idx_inbound_events_status_updated', ['status', 'updatedAt'])
@Index('idx_inbound_events_pruned_processed', ['payloadPrunedAt', 'processedAt'])
export class InboundEvent {
  @PrimaryGeneratedColumn()
  id!: number;

  @Index('uq_inbound_events_dedupe_key', { unique: true })
  @Column({ type: 'varchar', length: DEDUPE_KEY_MAX_LENGTH })
  dedupeKey!: string;

  @Index('idx_inbound_events_kind')
  @Column({ type: 'varchar', length: 96 })
  kind!: string;

  @Column({ type: 'varchar', length: USERID_LENGTH })
  fromUser!: string;

  /** WeCom CreateTime (unix seconds) as sent. */
  @Column({ type: 'varchar', length: 16 })
  createTime!: string;

  @Column({ type: 'simple-json' })
  payload!: Record<string, unknown>;

  @Column({ type: 'varchar', length: STATUS_LENGTH, default: 'received' })
  status!: InboundEventStatus;

  @Column({ type: 'int', default: 0 })
  attempts!: number;

  /** how many times WeCom delivered it again after the first time. */
  @Column({ type: 'int', default: 0 })
  redeliveries!: number;

  @Column({ type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ type: 'datetime', nullable: true })
  processedAt!: Date | null;

  /** set when the retention job emptied `payload` (INBOUND_PAYLOAD_RETENTION_DAYS after processing) */
  @Column({ type: 'datetime', nullable: true })
  payloadPrunedAt!: Date | null;

  @CreateDateColumn({ type: 'datetime' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'datetime' })
  updatedAt!: Date;
}
