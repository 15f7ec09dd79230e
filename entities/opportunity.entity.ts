import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation, UpdateDateColumn } from 'typeorm';
import { decimalToNumber, STATUS_LENGTH, USERID_LENGTH } from './column-types';
import { Customer } from './customer.entity';

export type OpportunityStatus = 'open' | 'won' | 'lost';

export const OPPORTUNITY_NAME_LENGTH = 32;
export const CLOSE_REASON_LENGTH = 255;

/**
 * 商机: amount in yuan, probability in percent, expected close date. Open until 赢单/输单 (or a move
 * to 成交/流失) closes it; every change is kept in opportunity_changes.
 */
@Entity({ name: 'opportunities' })
@Index('idx_opportunities_status_close', ['status', 'expectedCloseAt'])
@Index('idx_opportunities_staff_status_closed', ['staffUserid', 'status', 'closedAt'])
export class Opportunity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Index('idx_opportunities_customer')
  @Column({ type: 'int' })
  customerId!: number;

  @ManyToOne(() => Customer, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'customer_id', foreignKeyConstraintName: 'fk_opportunities_customer' })
  customer!: Relation<Customer>;

  @Column({ type: 'varchar', length: USERID_LENGTH })
  staffUserid!: string;

  /** what tells a customer's opportunities apart (二期); null for the one without a name */
  @Column({ type: 'varchar', length: OPPORTUNITY_NAME_LENGTH, nullable: true })
  name!: string | null;

  @Column({ type: 'decimal', precision: 14, scale: 2, transformer: decimalToNumber })
  amount!: number;

  @Column({ type: 'int', nullable: true })
  probability!: number | null;

  @Column({ type: 'datetime', nullable: true })
  expectedCloseAt!: Date | null;

  @Index('idx_opportunities_status')
  @Column({ type: 'varchar', length: STATUS_LENGTH, default: 'open' })
  status!: OpportunityStatus;

  /** when 赢单/输单 closed it */
  @Column({ type: 'datetime', nullable: true })
  closedAt!: Date | null;

  /** 输单's reason as typed */
  @Column({ type: 'varchar', length: CLOSE_REASON_LENGTH, nullable: true })
  closeReason!: string | null;

  @Index('uq_opportunities_source_key', { unique: true })
  @Column({ type: 'varchar', length: 128, nullable: true })
  sourceKey!: string | null;

  @CreateDateColumn({ type: 'datetime' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'datetime' })
  updatedAt!: Date;
}
