import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { STATUS_LENGTH, USERID_LENGTH } from './column-types';

/**
 * offered: the lead has the card (离职继承), nobody took the customers over yet. assigned: the lead
 * decided (one teammate, or evenly): the handovers are under way. empty: the leaver had no customers.
 */
export type LeaverStatus = 'offered' | 'assigned' | 'empty';

/** How the leaver was noticed: the directory (user/get, the daily refresh), a delete_user event, get_unassigned_list, or a lead's command. */
export type LeaverSource = 'directory' | 'delete_user' | 'unassigned' | 'command';

/**
 * A salesperson who left the company (离职继承), once per userid: whose lead got the card, and how
 * the lead decided. Until their customers are taken over, the leaver's reminders and SOP steps go
 * to `standInUserid` (the lead, or the admin when the team has none).
 */
@Entity({ name: 'leavers' })
export class Leaver {
  @PrimaryGeneratedColumn()
  id!: number;

  /** lower-cased userid of the leaver */
  @Index('uq_leavers_userid', { unique: true })
  @Column({ type: 'varchar', length: USERID_LENGTH })
  userid!: string;

  /** lower-cased userid of who gets the card and, meanwhile, the leaver's reminders; null: nobody to ask (no lead, no admin) */
  @Column({ type: 'varchar', length: USERID_LENGTH, nullable: true })
  standInUserid!: string | null;

  @Column({ type: 'varchar', length: STATUS_LENGTH, default: 'offered' })
  status!: LeaverStatus;

  @Column({ type: 'varchar', length: STATUS_LENGTH })
  source!: LeaverSource;

  /** `one:<userid>` (all to one teammate) or `even` (split across the team) */
  @Column({ type: 'varchar', length: 96, nullable: true })
  decision!: string | null;

  @Column({ type: 'varchar', length: USERID_LENGTH, nullable: true })
  decidedBy!: string | null;

  @Column({ type: 'datetime', nullable: true })
  decidedAt!: Date | null;

  /** how many decisions were taken: a second one only hands on what the first left with the leaver (refused, at the limit, never started) */
  @Column({ type: 'int', default: 0 })
  rounds!: number;

  /** when the leaver's customer groups were handed over (groupchat/transfer), once */
  @Column({ type: 'datetime', nullable: true })
  groupsMovedAt!: Date | null;

  @CreateDateColumn({ type: 'datetime' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'datetime' })
  updatedAt!: Date;
}
