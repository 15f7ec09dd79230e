import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { USERID_LENGTH } from './column-types';
import { CustomerGroup } from './customer-group.entity';

/** A member of a customer group: staff (type 1) or external contact (type 2). */
@Entity({ name: 'customer_group_members' })
@Index('uq_customer_group_members_group_member', ['groupId', 'memberId'], { unique: true })
export class CustomerGroupMember {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'int' })
  groupId!: number;

  @ManyToOne(() => CustomerGroup, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'group_id', foreignKeyConstraintName: 'fk_customer_group_members_group' })
  group!: Relation<CustomerGroup>;

  /** userid for staff, external_userid for customers. */
  @Index('idx_customer_group_members_member')
  @Column({ type: 'varchar', length: USERID_LENGTH })
  memberId!: string;

  @Column({ type: 'int' })
  memberType!: number;

  @Column({ type: 'varchar', length: 64, nullable: true })
  unionid!: string | null;

  @Column({ type: 'varchar', length: 128, nullable: true })
  groupNickname!: string | null;

  @Column({ type: 'varchar', length: 128, nullable: true })
  name!: string | null;

  @Column({ type: 'int', nullable: true })
  joinScene!: number | null;

  @Column({ type: 'varchar', length: USERID_LENGTH, nullable: true })
  invitorUserid!: string | null;

  @Column({ type: 'datetime', nullable: true })
  joinedAt!: Date | null;
}
