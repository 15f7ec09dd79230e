import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { STATUS_LENGTH, USERID_LENGTH } from './column-types';

export type CustomerGroupStatus = 'active' | 'dismissed';

/** 客户群: a WeCom customer group chat, kept current from change_external_chat + groupchat/get. */
@Entity({ name: 'customer_groups' })
export class CustomerGroup {
  @PrimaryGeneratedColumn()
  id!: number;

  @Index('uq_customer_groups_chat_id', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  chatId!: string;

  @Column({ type: 'varchar', length: 128, nullable: true })
  name!: string | null;

  @Index('idx_customer_groups_owner')
  @Column({ type: 'varchar', length: USERID_LENGTH, nullable: true })
  ownerUserid!: string | null;

  @Column({ type: 'text', nullable: true })
  notice!: string | null;

  @Column({ type: 'varchar', length: STATUS_LENGTH, default: 'active' })
  status!: CustomerGroupStatus;

  @Column({ type: 'datetime', nullable: true })
  wecomCreatedAt!: Date | null;

  @Column({ type: 'datetime', nullable: true })
  dismissedAt!: Date | null;

  @CreateDateColumn({ type: 'datetime' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'datetime' })
  updatedAt!: Date;
}
