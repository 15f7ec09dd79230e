import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation, UpdateDateColumn } from 'typeorm';
import { EXTERNAL_ID_LENGTH, STATUS_LENGTH, USERID_LENGTH } from './column-types';
import { Customer } from './customer.entity';
import { Handover } from './handover.entity';

/**
 * One customer of a handover. proposed: on the card. waiting: WeCom started the transfer (24 hours
 * for the customer to refuse). done: taken over. refused: the customer said no. limit: the new owner
 * is at WeCom's customer limit. failed: WeCom would not start it (`errcode` says why).
 */
export type HandoverCustomerStatus = 'proposed' | 'waiting' | 'done' | 'refused' | 'limit' | 'failed';

@Entity({ name: 'handover_customers' })
@Index('uq_handover_customers_handover_customer', ['handoverId', 'customerId'], { unique: true })
export class HandoverCustomer {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'int' })
  handoverId!: number;

  @ManyToOne(() => Handover, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'handover_id', foreignKeyConstraintName: 'fk_handover_customers_handover' })
  handover!: Relation<Handover>;

  @Index('idx_handover_customers_customer')
  @Column({ type: 'int' })
  customerId!: number;

  @ManyToOne(() => Customer, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'customer_id', foreignKeyConstraintName: 'fk_handover_customers_customer' })
  customer!: Relation<Customer>;

  @Column({ type: 'varchar', length: EXTERNAL_ID_LENGTH })
  externalUserid!: string;

  /** lower-cased userid of the owner handing over */
  @Column({ type: 'varchar', length: USERID_LENGTH })
  fromUserid!: string;

  @Index('idx_handover_customers_status')
  @Column({ type: 'varchar', length: STATUS_LENGTH, default: 'proposed' })
  status!: HandoverCustomerStatus;

  /** WeCom's errcode for a transfer it would not start */
  @Column({ type: 'int', nullable: true })
  errcode!: number | null;

  @Column({ type: 'datetime', nullable: true })
  settledAt!: Date | null;

  @CreateDateColumn({ type: 'datetime' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'datetime' })
  updatedAt!: Date;
}
