import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { USERID_LENGTH } from './column-types';

/** Who changed what and why: every automatic or commanded write to a customer leaves a row here. */
@Entity({ name: 'audit_logs' })
@Index('idx_audit_logs_target', ['targetType', 'targetId', 'createdAt'])
export class AuditLog {
  @PrimaryGeneratedColumn()
  id!: number;

  /** a lower-cased userid, or `system` for event handlers and jobs. */
  @Column({ type: 'varchar', length: USERID_LENGTH })
  actor!: string;

  @Index('idx_audit_logs_action')
  @Column({ type: 'varchar', length: 64 })
  action!: string;

  @Column({ type: 'varchar', length: 32 })
  targetType!: string;

  @Column({ type: 'varchar', length: 64 })
  targetId!: string;

  @Column({ type: 'simple-json', nullable: true })
  detail!: Record<string, unknown> | null;

  /** what caused it: an inbound event dedupe key, a message id, a job id. */
  @Column({ type: 'varchar', length: 191, nullable: true })
  sourceKey!: string | null;

  @CreateDateColumn({ type: 'datetime' })
  createdAt!: Date;
}
