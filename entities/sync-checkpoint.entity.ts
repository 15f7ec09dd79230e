import { Column, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/**
 * Where a backfill or reconciliation run stands, so a crashed run resumes instead of starting over.
 * One row per job name (`backfill`, `reconcile`); `state` holds the phase, the batch of follow users
 * and the `next_cursor` of the page being read, plus the counts so far.
 */
@Entity({ name: 'sync_checkpoints' })
export class SyncCheckpoint {
  @PrimaryGeneratedColumn()
  id!: number;

  @Index('uq_sync_checkpoints_name', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  name!: string;

  /** running | done */
  @Column({ type: 'varchar', length: 32 })
  status!: string;

  @Column({ type: 'simple-json', nullable: true })
  state!: Record<string, unknown> | null;

  @Column({ type: 'datetime' })
  startedAt!: Date;

  @Column({ type: 'datetime', nullable: true })
  finishedAt!: Date | null;

  @UpdateDateColumn({ type: 'datetime' })
  updatedAt!: Date;
}
