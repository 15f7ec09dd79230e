import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { USERID_LENGTH } from './column-types';
import { Customer } from './customer.entity';

/** 跟进记录. `sourceKey` (the WeCom MsgId that created it) makes a redelivered command record once. */
@Entity({ name: 'follow_ups' })
@Index('idx_follow_ups_customer_created', ['customerId', 'createdAt'])
@Index('idx_follow_ups_staff_created', ['staffUserid', 'createdAt'])
export class FollowUp {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'int' })
  customerId!: number;

  @ManyToOne(() => Customer, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'customer_id', foreignKeyConstraintName: 'fk_follow_ups_customer' })
  customer!: Relation<Customer>;

  @Column({ type: 'varchar', length: USERID_LENGTH })
  staffUserid!: string;

  @Column({ type: 'text' })
  content!: string;

  @Column({ type: 'datetime', nullable: true })
  nextContactAt!: Date | null;

  @Index('uq_follow_ups_source_key', { unique: true })
  @Column({ type: 'varchar', length: 128, nullable: true })
  sourceKey!: string | null;

  @CreateDateColumn({ type: 'datetime' })
  createdAt!: Date;
}
