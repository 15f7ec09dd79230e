import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { USERID_LENGTH } from './column-types';

/** A WeCom member (销售, 主管). userids are case-insensitive in WeCom: `userid` is stored lower-cased, `wecomUserid` as WeCom sent it. */
@Entity({ name: 'staff' })
export class Staff {
  @PrimaryGeneratedColumn()
  id!: number;

  @Index('uq_staff_userid', { unique: true })
  @Column({ type: 'varchar', length: USERID_LENGTH })
  userid!: string;

  @Column({ type: 'varchar', length: USERID_LENGTH })
  wecomUserid!: string;

  @Column({ type: 'varchar', length: 128, nullable: true })
  name!: string | null;

  @Index('idx_staff_team')
  @Column({ type: 'int', nullable: true })
  teamId!: number | null;

  /** false once WeCom no longer knows the member (user/get 60111, delete_user) or disabled them; their history stays. */
  @Column({ type: 'boolean', default: true })
  active!: boolean;

  /** when user/get last answered for this member (null: never read from WeCom's staff directory) */
  @Column({ type: 'datetime', nullable: true })
  directorySyncedAt!: Date | null;

  @CreateDateColumn({ type: 'datetime' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'datetime' })
  updatedAt!: Date;
}
