import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation, UpdateDateColumn } from 'typeorm';
import { STATUS_LENGTH, USERID_LENGTH } from './column-types';
import { Customer } from './customer.entity';

export type SopTriggerType = 'customer_added' | 'stage_changed' | 'tag_added' | 'silent';
/** active: steps still pending. finished: every step sent or skipped. */
export type SopRunStatus = 'active' | 'finished';

/**
 * One SOP started for one customer (and the salesperson it is for). `runKey` names what started it
 * (the add, the stage change, the silence since a date), so a trigger seen twice starts one run.
 */
@Entity({ name: 'sop_runs' })
@Index('idx_sop_runs_customer', ['customerId', 'status'])
export class SopRun {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 64 })
  sopName!: string;

  @Column({ type: 'int' })
  customerId!: number;

  @ManyToOne(() => Customer, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'customer_id', foreignKeyConstraintName: 'fk_sop_runs_customer' })
  customer!: Relation<Customer>;

  /** lower-cased userid of the salesperson the steps are for */
  @Column({ type: 'varchar', length: USERID_LENGTH })
  staffUserid!: string;

  @Column({ type: 'varchar', length: STATUS_LENGTH })
  triggerType!: SopTriggerType;

  @Index('uq_sop_runs_run_key', { unique: true })
  @Column({ type: 'varchar', length: 191 })
  runKey!: string;

  @Column({ type: 'varchar', length: STATUS_LENGTH, default: 'active' })
  status!: SopRunStatus;

  /** what the trigger saw: channel state, tag, stage, the last contact of a silent customer */
  @Column({ type: 'simple-json', nullable: true })
  context!: Record<string, unknown> | null;

  @Column({ type: 'datetime' })
  startedAt!: Date;

  @CreateDateColumn({ type: 'datetime' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'datetime' })
  updatedAt!: Date;
}
