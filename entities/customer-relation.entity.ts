import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation, UpdateDateColumn } from 'typeorm';
import { STATUS_LENGTH, USERID_LENGTH } from './column-types';
import { Customer } from './customer.entity';

/**
 * active: the salesperson follows the customer. lost: the customer deleted the salesperson (删人).
 * removed: the salesperson deleted the customer. transferred: moved to a colleague (在职/离职继承).
 */
export type RelationStatus = 'active' | 'lost' | 'removed' | 'transferred';

/** staff↔customer (WeCom follow_user): a customer can follow several salespeople. */
@Entity({ name: 'customer_relations' })
@Index('uq_customer_relations_customer_staff', ['customerId', 'staffUserid'], { unique: true })
export class CustomerRelation {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'int' })
  customerId!: number;

  @ManyToOne(() => Customer, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'customer_id', foreignKeyConstraintName: 'fk_customer_relations_customer' })
  customer!: Relation<Customer>;

  /** lower-cased WeCom userid of the salesperson. */
  @Index('idx_customer_relations_staff')
  @Column({ type: 'varchar', length: USERID_LENGTH })
  staffUserid!: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  remark!: string | null;

  @Column({ type: 'varchar', length: 512, nullable: true })
  description!: string | null;

  @Column({ type: 'simple-json', nullable: true })
  remarkMobiles!: string[] | null;

  @Column({ type: 'varchar', length: 128, nullable: true })
  remarkCorpName!: string | null;

  /** the channel `state` of the QR code the customer scanned (渠道活码). */
  @Index('idx_customer_relations_state')
  @Column({ type: 'varchar', length: 64, nullable: true })
  state!: string | null;

  /** WeCom follow_user.add_way: how the customer was added. */
  @Column({ type: 'int', nullable: true })
  addWay!: number | null;

  @Column({ type: 'varchar', length: USERID_LENGTH, nullable: true })
  operUserid!: string | null;

  @Column({ type: 'datetime', nullable: true })
  addedAt!: Date | null;

  @Index('idx_customer_relations_status')
  @Column({ type: 'varchar', length: STATUS_LENGTH, default: 'active' })
  status!: RelationStatus;

  @Column({ type: 'datetime', nullable: true })
  endedAt!: Date | null;

  @Column({ type: 'varchar', length: 128, nullable: true })
  endReason!: string | null;

  @CreateDateColumn({ type: 'datetime' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'datetime' })
  updatedAt!: Date;
}
