import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { decimalToNumber, STATUS_LENGTH, USERID_LENGTH } from './column-types';
import { CLOSE_REASON_LENGTH, Opportunity, type OpportunityStatus } from './opportunity.entity';

/** created, its figures changed, won, lost */
export type OpportunityChangeKind = 'create' | 'update' | 'won' | 'lost';

/**
 * One change of an opportunity, as it stood after the change: who, when, and the amount,
 * probability, close date and status then. The forecast's history and the timeline read these.
 */
@Entity({ name: 'opportunity_changes' })
@Index('idx_opportunity_changes_opportunity', ['opportunityId', 'createdAt'])
export class OpportunityChange {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'int' })
  opportunityId!: number;

  @ManyToOne(() => Opportunity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'opportunity_id', foreignKeyConstraintName: 'fk_opportunity_changes_opportunity' })
  opportunity!: Relation<Opportunity>;

  @Index('idx_opportunity_changes_customer')
  @Column({ type: 'int' })
  customerId!: number;

  @Column({ type: 'varchar', length: STATUS_LENGTH })
  kind!: OpportunityChangeKind;

  @Column({ type: 'decimal', precision: 14, scale: 2, transformer: decimalToNumber })
  amount!: number;

  @Column({ type: 'int', nullable: true })
  probability!: number | null;

  @Column({ type: 'datetime', nullable: true })
  expectedCloseAt!: Date | null;

  @Column({ type: 'varchar', length: STATUS_LENGTH })
  status!: OpportunityStatus;

  @Column({ type: 'varchar', length: CLOSE_REASON_LENGTH, nullable: true })
  reason!: string | null;

  /** who changed it; null when the system did */
  @Column({ type: 'varchar', length: USERID_LENGTH, nullable: true })
  staffUserid!: string | null;

  @Index('uq_opportunity_changes_source_key', { unique: true })
  @Column({ type: 'varchar', length: 128, nullable: true })
  sourceKey!: string | null;

  @CreateDateColumn({ type: 'datetime' })
  createdAt!: Date;
}
