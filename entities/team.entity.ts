import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { USERID_LENGTH } from './column-types';

/** A sales team and where its group messages go: a group robot webhook or an app group chat. */
@Entity({ name: 'teams' })
export class Team {
  @PrimaryGeneratedColumn()
  id!: number;

  @Index('uq_teams_name', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  name!: string;

  @Column({ type: 'varchar', length: USERID_LENGTH, nullable: true })
  leadUserid!: string | null;

  @Column({ type: 'varchar', length: 512, nullable: true })
  robotWebhookUrl!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  appChatId!: string | null;

  /** the team group's chatid for the smart bot (智能机器人): its cards with buttons go there */
  @Column({ type: 'varchar', length: 64, nullable: true })
  botChatId!: string | null;

  @CreateDateColumn({ type: 'datetime' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'datetime' })
  updatedAt!: Date;
}
