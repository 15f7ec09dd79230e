import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { EXTERNAL_ID_LENGTH, STATUS_LENGTH } from './column-types';

export const CUSTOMER_STAGES = ['lead', 'prospect', 'opportunity', 'won', 'lost'] as const;
export type CustomerStage = (typeof CUSTOMER_STAGES)[number];

/** A WeCom external contact (客户). One row per external_userid however many salespeople follow them. */
@Entity({ name: 'customers' })
export class Customer {
  @PrimaryGeneratedColumn()
  id!: number;

  /** null for a customer created by hand before WeCom told us about them. */
  @Index('uq_customers_external_userid', { unique: true })
  @Column({ type: 'varchar', length: EXTERNAL_ID_LENGTH, nullable: true })
  externalUserid!: string | null;

  @Index('idx_customers_name')
  @Column({ type: 'varchar', length: 128 })
  name!: string;

  @Column({ type: 'varchar', length: 512, nullable: true })
  avatar!: string | null;

  /** 1 WeChat user, 2 WeCom user (PROTOCOL.md §6: use this, not the id prefix). */
  @Column({ type: 'int', nullable: true })
  wecomType!: number | null;

  /** 0 unknown, 1 male, 2 female. */
  @Column({ type: 'int', default: 0 })
  gender!: number;

  @Column({ type: 'varchar', length: 128, nullable: true })
  corpName!: string | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  corpFullName!: string | null;

  @Column({ type: 'varchar', length: 128, nullable: true })
  position!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  unionid!: string | null;

  @Index('idx_customers_stage')
  @Column({ type: 'varchar', length: STATUS_LENGTH, default: 'lead' })
  stage!: CustomerStage;

  @Column({ type: 'datetime', nullable: true })
  stageChangedAt!: Date | null;

  @Column({ type: 'datetime', nullable: true })
  lastContactAt!: Date | null;

  /** 勿扰: no SOP steps or pushes about this customer. */
  @Column({ type: 'boolean', default: false })
  doNotContact!: boolean;

  @Column({ type: 'varchar', length: 256, nullable: true })
  doNotContactReason!: string | null;

  @CreateDateColumn({ type: 'datetime' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'datetime' })
  updatedAt!: Date;
}
