import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { STATUS_LENGTH, USERID_LENGTH } from './column-types';
import { Customer } from './customer.entity';
import { Tag } from './tag.entity';

/** Where a customer↔tag link came from: WeCom (edited in the client), a channel rule, or a 打标签 command. */
export type TagLinkSource = 'wecom' | 'rule' | 'command';

@Entity({ name: 'customer_tags' })
@Index('uq_customer_tags_customer_tag', ['customerId', 'tagId'], { unique: true })
export class CustomerTag {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'int' })
  customerId!: number;

  @ManyToOne(() => Customer, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'customer_id', foreignKeyConstraintName: 'fk_customer_tags_customer' })
  customer!: Relation<Customer>;

  @Index('idx_customer_tags_tag')
  @Column({ type: 'int' })
  tagId!: number;

  @ManyToOne(() => Tag, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tag_id', foreignKeyConstraintName: 'fk_customer_tags_tag' })
  tag!: Relation<Tag>;

  @Column({ type: 'varchar', length: STATUS_LENGTH })
  source!: TagLinkSource;

  @Column({ type: 'varchar', length: USERID_LENGTH, nullable: true })
  addedBy!: string | null;

  @CreateDateColumn({ type: 'datetime' })
  createdAt!: Date;
}
