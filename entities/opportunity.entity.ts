import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation, UpdateDateColumn } from 'typeorm';
import { decimalToNumber, STATUS_LENGTH, USERID_LENGTH } from './column-types';
import { Customer } from './customer.entity';

export type OpportunityStatus = 'open' | 'won' | 'lost';

/** 商机: amount in yuan, probability in percent, expected close date. */
@Entity({ name: 'opportunities' })
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

  @Column({ type: 'decimal', precision: 14, scale: 2, transformer: decimalToNumber })
  amount!: number;

  @Column({ type: 'int', nullable: true })
  probability!: number | null;

  @Column({ type: 'datetime', nullable: true })
  expectedCloseAt!: Date | null;

  @Index('idx_opportunities_status')
  @Column({ type: 'varchar', length: STATUS_LENGTH, default: 'open' })
  status!: OpportunityStatus;

  @Index('uq_opportunities_source_key', { unique: true })
  @Column({ type: 'varchar', length: 128, nullable: true })
  sourceKey!: string | null;

  @CreateDateColumn({ type: 'datetime' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'datetime' })
  updatedAt!: Date;
}
