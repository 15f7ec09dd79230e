import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { STATUS_LENGTH } from './column-types';

/**
 * queued → sending → sent | failed (a retryable failure goes back to queued); a second enqueue of the
 * same logical message is logged as duplicate and not sent. `sending` is only seen while a call is in
 * flight, or after a crash mid-call (the outcome is then unknown, and the retry asks WeCom to dedupe).
 * unknown: a welcome that may have been delivered by an attempt whose answer was never learnt (a
 * crash mid-call, a timeout) and cannot be tried again (its code expired, or WeCom says it was used).
 */
export type OutboundStatus = 'queued' | 'sending' | 'sent' | 'failed' | 'duplicate' | 'unknown';

/** user: app message to a member. robot: group robot webhook. appchat: app group chat. welcome: send_welcome_msg. card_update: update_template_card. */
/** `bot`: a smart-bot message to a chat (aibot_send_msg); `bot_update`: a smart-bot card updated in place (aibot_respond_update_msg). */
export type OutboundChannel = 'user' | 'robot' | 'appchat' | 'welcome' | 'card_update' | 'bot' | 'bot_update';

/** What a message with `notBefore` waits for. */
export type OutboundHold = 'quiet_hours' | 'pacing' | 'retry';

/** One row per message we send to WeCom: enough to answer "why did this card never arrive". */
@Entity({ name: 'outbound_messages' })
@Index('idx_outbound_messages_recipient_created', ['recipient', 'createdAt'])
@Index('idx_outbound_messages_status_created', ['status', 'createdAt'])
@Index('idx_outbound_messages_pruned_created', ['payloadPrunedAt', 'createdAt'])
export class OutboundMessage {
  @PrimaryGeneratedColumn()
  id!: number;

  /** the caller's name for this logical message: enqueuing it twice sends it once. */
  @Index('uq_outbound_messages_idempotency_key', { unique: true })
  @Column({ type: 'varchar', length: 191 })
  idempotencyKey!: string;

  @Column({ type: 'varchar', length: STATUS_LENGTH })
  channel!: OutboundChannel;

  /** userid, robot name/team, chat id or external_userid, depending on the channel. */
  @Column({ type: 'varchar', length: 191 })
  recipient!: string;

  /** text, markdown, template_card, welcome, … */
  @Column({ type: 'varchar', length: STATUS_LENGTH })
  kind!: string;

  /** urgent messages (welcome, card updates) skip quiet hours and overtake the backlog. */
  @Column({ type: 'boolean', default: false })
  urgent!: boolean;

  /** a person asked for it at this time (their own reminder card): delivered then, quiet hours or not. */
  @Column({ type: 'boolean', default: false })
  quietHoursExempt!: boolean;

  /** the WeCom request body; emptied after OUTBOUND_BODY_RETENTION_DAYS once the message is finished (payloadPrunedAt set) */
  @Column({ type: 'simple-json' })
  payload!: Record<string, unknown>;

  @Column({ type: 'datetime', nullable: true })
  payloadPrunedAt!: Date | null;

  @Column({ type: 'varchar', length: STATUS_LENGTH, default: 'queued' })
  status!: OutboundStatus;

  @Column({ type: 'int', nullable: true })
  errcode!: number | null;

  @Column({ type: 'varchar', length: 512, nullable: true })
  errmsg!: string | null;

  @Column({ type: 'varchar', length: 128, nullable: true })
  wecomMsgid!: string | null;

  @Column({ type: 'int', default: 0 })
  attempts!: number;

  /** quiet hours or pacing: not sent before this time. */
  @Column({ type: 'datetime', nullable: true })
  notBefore!: Date | null;

  /** why `notBefore` is set: a worker that starts with other quiet hours releases or moves the quiet-hours holds. */
  @Column({ type: 'varchar', length: 16, nullable: true })
  heldFor!: OutboundHold | null;

  @Column({ type: 'datetime', nullable: true })
  sentAt!: Date | null;

  @CreateDateColumn({ type: 'datetime' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'datetime' })
  updatedAt!: Date;
}
