import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { USERID_LENGTH } from './column-types';

/** creating: stored before add_contact_way is called; created: WeCom's config_id is kept. */
export type ContactWayStatus = 'creating' | 'created';

/**
 * A 「联系我」 contact way created through `add_contact_way` for a channel `state` (渠道活码).
 * WeCom has no list API for API-created contact ways: losing `configId` means it can never be edited
 * or deleted, so it is kept here the moment WeCom returns it.
 */
@Entity({ name: 'contact_ways' })
export class ContactWay {
  @PrimaryGeneratedColumn()
  id!: number;

  /** the `state` WeCom sends back in add_external_contact (≤ 30 chars). */
  @Index('uq_contact_ways_state', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  state!: string;

  /** null while `creating`: WeCom has not answered yet (or we crashed before writing its answer) */
  @Index('uq_contact_ways_config_id', { unique: true })
  @Column({ type: 'varchar', length: 64, nullable: true })
  configId!: string | null;

  @Column({ type: 'varchar', length: 16, default: 'created' })
  status!: ContactWayStatus;

  @Column({ type: 'varchar', length: 512, nullable: true })
  qrCode!: string | null;

  /** the channel rule the state matched when the QR was created */
  @Column({ type: 'varchar', length: 64, nullable: true })
  ruleName!: string | null;

  /** the members the QR adds (lower-cased userids) */
  @Column({ type: 'simple-json', nullable: true })
  users!: string[] | null;

  @Column({ type: 'varchar', length: USERID_LENGTH, nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ type: 'datetime' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'datetime' })
  updatedAt!: Date;
}
