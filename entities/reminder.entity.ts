import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation, UpdateDateColumn } from 'typeorm';
import { STATUS_LENGTH, USERID_LENGTH } from './column-types';
import { Customer } from './customer.entity';

/** pending: waiting for its time. sent: the card went out. done / cancelled: closed (by the salesperson, or with a `closeReason`; cancelled without one: taken back by 撤销). */
export type ReminderStatus = 'pending' | 'sent' | 'done' | 'cancelled';

/** Why the product closed a reminder the salesperson had not: the relation with its customer ended, or the customer's personal data was erased. */
export type ReminderCloseReason = 'customer_lost' | 'customer_removed' | 'customer_transferred' | 'customer_erased';

/** 提醒. The delayed Bull job that fires it is keyed by this row's id, so rescheduling replaces it. */
@Entity({ name: 'reminders' })
@Index('idx_reminders_staff_status_due', ['staffUserid', 'status', 'dueAt'])
@Index('idx_reminders_status_due', ['status', 'dueAt'])
export class Reminder {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: USERID_LENGTH })
  staffUserid!: string;

  @Index('idx_reminders_customer')
  @Column({ type: 'int', nullable: true })
  customerId!: number | null;

  @ManyToOne(() => Customer, { onDelete: 'CASCADE', nullable: true })
  @JoinColumn({ name: 'customer_id', foreignKeyConstraintName: 'fk_reminders_customer' })
  customer!: Relation<Customer> | null;

  @Column({ type: 'varchar', length: 512 })
  content!: string;

  @Column({ type: 'datetime' })
  dueAt!: Date;

  @Column({ type: 'varchar', length: STATUS_LENGTH, default: 'pending' })
  status!: ReminderStatus;

  @Column({ type: 'datetime', nullable: true })
  firedAt!: Date | null;

  @Column({ type: 'datetime', nullable: true })
  doneAt!: Date | null;

  /** set once the overdue escalation went to the team group, so it goes once. */
  @Column({ type: 'datetime', nullable: true })
  escalatedAt!: Date | null;

  @Column({ type: 'int', default: 0 })
  snoozeCount!: number;

  /** set when the product closed it (cancelled) because the relation with its customer ended or the customer was erased */
  @Column({ type: 'varchar', length: 32, nullable: true })
  closeReason!: ReminderCloseReason | null;

  /** when the product closed it (with `closeReason`) */
  @Column({ type: 'datetime', nullable: true })
  closedAt!: Date | null;

  @Index('uq_reminders_source_key', { unique: true })
  @Column({ type: 'varchar', length: 128, nullable: true })
  sourceKey!: string | null;

  @CreateDateColumn({ type: 'datetime' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'datetime' })
  updatedAt!: Date;
}
