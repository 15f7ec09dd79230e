import { CreateDateColumn, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A customer whose personal data was erased (npm run customer -- erase). Only a salted hash of their
 * external_userid is kept, never the id itself: enough for sync and reconciliation to recognise the
 * customer WeCom still lists and not import them again, useless for finding out who they were.
 */
@Entity({ name: 'erased_customers' })
export class ErasedCustomer {
  @PrimaryGeneratedColumn()
  id!: number;

  /** HMAC-SHA256 of the external_userid, keyed by this database's erasure salt (hex) */
  @Index('uq_erased_customers_subject_hash', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  subjectHash!: string;

  @CreateDateColumn({ type: 'datetime' })
  createdAt!: Date;
}
