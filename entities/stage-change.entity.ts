import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { STATUS_LENGTH, USERID_LENGTH } from './column-types';
import { Customer, type CustomerStage } from './customer.entity';

/** Stage history (销售漏斗): every move is kept, so time-in-stage and conversion can be computed. */
@Entity({ name: 'stage_changes' })
@Index('idx_stage_changes_customer_created', ['customerId', 'createdAt'])
export class StageChange {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'int' })
  customerId!: number;

  @ManyToOne(() => Customer, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'customer_id', foreignKeyConstraintName: 'fk_stage_changes_customer' })
  customer!: Relation<Customer>;

  @Column({ type: 'varchar', length: STATUS_LENGTH, nullable: true })
  fromStage!: CustomerStage | null;

  @Index('idx_stage_changes_to_stage')
  @Column({ type: 'varchar', length: STATUS_LENGTH })
  toStage!: CustomerStage;

  /** who moved it; null when a rule or the system did. */
  @Column({ type: 'varchar', length: USERID_LENGTH, nullable: true })
  staffUserid!: string | null;

  @Index('uq_stage_changes_source_key', { unique: true })
  @Column({ type: 'varchar', length: 128, nullable: true })
  sourceKey!: string | null;

  @CreateDateColumn({ type: 'datetime' })
  createdAt!: Date;
}
