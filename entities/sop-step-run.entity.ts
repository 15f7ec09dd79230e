import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation, UpdateDateColumn } from 'typeorm';
import { STATUS_LENGTH } from './column-types';
import { SopRun } from './sop-run.entity';

/** pending: waiting for its time. sent: handed to the outbound queue. skipped: see skipReason. */
export type SopStepStatus = 'pending' | 'sent' | 'skipped';

/**
 * One step of a run, planned when the run starts. Its delayed job is keyed by this row's id; the
 * unique (run, step) pair makes planning a run twice plan each step once.
 */
@Entity({ name: 'sop_step_runs' })
@Index('uq_sop_step_runs_run_step', ['runId', 'stepKey'], { unique: true })
@Index('idx_sop_step_runs_status_due', ['status', 'dueAt'])
export class SopStepRun {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'int' })
  runId!: number;

  @ManyToOne(() => SopRun, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'run_id', foreignKeyConstraintName: 'fk_sop_step_runs_run' })
  run!: Relation<SopRun>;

  @Column({ type: 'varchar', length: 64 })
  stepKey!: string;

  @Column({ type: 'int' })
  stepIndex!: number;

  @Column({ type: 'datetime' })
  dueAt!: Date;

  @Column({ type: 'varchar', length: STATUS_LENGTH, default: 'pending' })
  status!: SopStepStatus;

  /** customer_lost, do_not_contact, stage_moved, condition_failed, step_removed, no_team_group … */
  @Column({ type: 'varchar', length: 64, nullable: true })
  skipReason!: string | null;

  /** the text as sent (the definition may change later) */
  @Column({ type: 'text', nullable: true })
  message!: string | null;

  @Column({ type: 'datetime', nullable: true })
  firedAt!: Date | null;

  @CreateDateColumn({ type: 'datetime' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'datetime' })
  updatedAt!: Date;
}
