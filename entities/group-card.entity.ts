import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { STATUS_LENGTH, USERID_LENGTH } from './column-types';

/** What a group card is about: an overdue reminder, a customer who deleted a salesperson (删人提醒), an SOP step for the team. */
export type GroupCardKind = 'overdue' | 'churn' | 'sop';

/**
 * A card with buttons the smart bot posted to a team group. `taskId` is the card's name at WeCom
 * (the click names it, an update replaces it); `state` says whether its buttons still act.
 */
@Entity({ name: 'group_cards' })
@Index('idx_group_cards_subject', ['kind', 'subjectId'])
export class GroupCard {
  @PrimaryGeneratedColumn()
  id!: number;

  @Index('uq_group_cards_task_id', { unique: true })
  @Column({ type: 'varchar', length: 128 })
  taskId!: string;

  /** the post it was made for (its outbound idempotency key): a retried post finds its card */
  @Index('uq_group_cards_post_key', { unique: true })
  @Column({ type: 'varchar', length: 191 })
  postKey!: string;

  @Column({ type: 'varchar', length: 64 })
  chatId!: string;

  @Column({ type: 'varchar', length: STATUS_LENGTH })
  kind!: GroupCardKind;

  /** the reminder, customer or SOP step run it is about */
  @Column({ type: 'int' })
  subjectId!: number;

  /** lower-cased userid of the salesperson it is about */
  @Column({ type: 'varchar', length: USERID_LENGTH })
  ownerUserid!: string;

  @Column({ type: 'int', nullable: true })
  teamId!: number | null;

  /** open: its buttons act; done: settled (the outcome says how) */
  @Column({ type: 'varchar', length: STATUS_LENGTH })
  state!: 'open' | 'done';

  @Column({ type: 'varchar', length: 255, nullable: true })
  outcome!: string | null;

  @CreateDateColumn({ type: 'datetime' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'datetime' })
  updatedAt!: Date;
}

/** A click that acted: one per card, button and clicker (the unique key is what makes a repeated click act once). */
@Entity({ name: 'group_card_clicks' })
@Index('uq_group_card_clicks_once', ['cardId', 'button', 'clicker'], { unique: true })
export class GroupCardClick {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'int' })
  cardId!: number;

  @Column({ type: 'varchar', length: STATUS_LENGTH })
  button!: string;

  @Column({ type: 'varchar', length: USERID_LENGTH })
  clicker!: string;

  /** the click's inbound event (its dedupe key) */
  @Column({ type: 'varchar', length: 191 })
  sourceKey!: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  outcome!: string | null;

  @CreateDateColumn({ type: 'datetime' })
  createdAt!: Date;
}
