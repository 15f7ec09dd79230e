import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { STATUS_LENGTH, USERID_LENGTH } from './column-types';

/** onjob: 在职转接 (the owner still works here); resigned: 离职继承 (the owner left). */
export type HandoverKind = 'onjob' | 'resigned';

/**
 * proposed: the card asks the lead to confirm. started: WeCom was asked (transfer_customer) and the
 * result is being polled. settled: every customer has an answer. cancelled: the lead said no.
 */
export type HandoverStatus = 'proposed' | 'started' | 'settled' | 'cancelled';

/** One handover a lead or admin asked for: customers of one or more salespeople to one new owner. */
@Entity({ name: 'handovers' })
export class Handover {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: STATUS_LENGTH })
  kind!: HandoverKind;

  /** lower-cased userid of the new owner */
  @Column({ type: 'varchar', length: USERID_LENGTH })
  toUserid!: string;

  /** lower-cased userid of the lead or admin who asked */
  @Column({ type: 'varchar', length: USERID_LENGTH })
  requestedBy!: string;

  @Index('idx_handovers_status')
  @Column({ type: 'varchar', length: STATUS_LENGTH, default: 'proposed' })
  status!: HandoverStatus;

  /** the message that asked for it: a redelivered message proposes once */
  @Index('uq_handovers_source_key', { unique: true })
  @Column({ type: 'varchar', length: 191 })
  sourceKey!: string;

  @Column({ type: 'datetime', nullable: true })
  confirmedAt!: Date | null;

  @Column({ type: 'datetime', nullable: true })
  settledAt!: Date | null;

  @CreateDateColumn({ type: 'datetime' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'datetime' })
  updatedAt!: Date;
}
