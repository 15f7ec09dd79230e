import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { STATUS_LENGTH } from './column-types';

/** wecom: a corp tag (企业标签) mirrored from WeCom. local: kept only here (WeCom limits corp tags). */
export type TagOrigin = 'wecom' | 'local';

@Entity({ name: 'tags' })
@Index('uq_tags_group_name', ['groupName', 'name', 'origin'], { unique: true })
export class Tag {
  @PrimaryGeneratedColumn()
  id!: number;

  /** WeCom tag id (et…); null for local tags. */
  @Index('uq_tags_wecom_tag_id', { unique: true })
  @Column({ type: 'varchar', length: 64, nullable: true })
  wecomTagId!: string | null;

  @Column({ type: 'varchar', length: 64 })
  name!: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  wecomGroupId!: string | null;

  @Column({ type: 'varchar', length: 64, default: '' })
  groupName!: string;

  @Column({ type: 'varchar', length: STATUS_LENGTH, default: 'local' })
  origin!: TagOrigin;

  @Column({ type: 'int', default: 0 })
  sortOrder!: number;

  /** set when WeCom deleted the tag; links stay for history. */
  @Column({ type: 'boolean', default: false })
  deleted!: boolean;

  @CreateDateColumn({ type: 'datetime' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'datetime' })
  updatedAt!: Date;
}
