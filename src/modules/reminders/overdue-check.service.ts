import { IsNull, type DataSource } from 'typeorm';
import { Reminder, type ReminderCloseReason } from '../../../entities';
import type { OverdueReminder } from '../../../templates/cards/reminder-notices';
import { type QuietHours, quietHoursEnd } from '../../platform/outbound/quiet-hours';
import type { OverdueJobData } from './overdue.scheduler';
import { endedRelationOf } from '../customers';
import type { ReminderService } from './reminder.service';

export interface OverdueCheckOptions {
  timezone: string;
  quietHours: QuietHours | undefined;
  overdueAfterMs: number;
  now?: () => number;
}

export type OverdueCheck =
  /** done, cancelled, snoozed (pending again), escalated already, or never fired */
  | { outcome: 'not_overdue' }
  /** the check of an earlier firing (snoozed and fired again since): the new firing has its own check */
  | { outcome: 'superseded' }
  | { outcome: 'customer_lost' }
  /** the relation with its customer ended: the reminder was closed with this reason */
  | { outcome: 'closed'; reminder: Reminder; reason: ReminderCloseReason }
  /** too early, or in quiet hours: look again at `at` */
  | { outcome: 'not_yet' | 'quiet_hours'; next: Required<OverdueJobData>; at: Date }
  | { outcome: 'escalate'; reminder: Reminder; post: { staffUserid: string; idempotencyKey: string; notice: OverdueReminder } };

/**
 * When a fired reminder still open counts as overdue: `overdueAfterMs` after its due time, by the
 * clock. A card that went out late (no worker was running at the due time) gives the salesperson
 * the whole allowance from when it arrived; one fired early (the sandbox's "fire due reminders
 * now") is still only overdue after its real due time.
 */
export function overdueAt(reminder: { dueAt: Date; firedAt: Date }, overdueAfterMs: number): Date {
  return new Date(Math.max(reminder.dueAt.getTime(), reminder.firedAt.getTime()) + overdueAfterMs);
}

/**
 * Decides an overdue check by the clock, whenever it runs: one run before its time (the sandbox
 * promotes every delayed job) plans itself again for the right time instead of escalating; one that
 * falls in quiet hours (an escalation is the product's own push) waits for the morning and is decided
 * then (it may be done by then). Nothing about a customer whose relation with the salesperson ended
 * escalates: the reminder is closed with the reason. Posting is the caller's; markEscalated records it.
 */
export class OverdueCheckService {
  private readonly now: () => number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly reminders: Pick<ReminderService, 'closeForEndedRelation'>,
    private readonly options: OverdueCheckOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  async decide(job: OverdueJobData): Promise<OverdueCheck> {
    const reminder = await this.repo().findOne({ where: { id: job.reminderId }, relations: { customer: true } });
    if (reminder?.status !== 'sent' || reminder.escalatedAt || !reminder.firedAt) return { outcome: 'not_overdue' };
    // (Within a second: the database may keep whole seconds of the firing time, rounded or cut.)
    if (job.firedAt !== undefined && Math.abs(job.firedAt - reminder.firedAt.getTime()) >= 1000) return { outcome: 'superseded' };

    const ended = await endedRelationOf(this.dataSource, reminder);
    if (ended) {
      await this.reminders.closeForEndedRelation(reminder, ended.reason, new Date(this.now()));
      return { outcome: 'closed', reminder, reason: ended.reason };
    }
    if (reminder.customer?.stage === 'lost') return { outcome: 'customer_lost' };

    const due = overdueAt({ dueAt: reminder.dueAt, firedAt: reminder.firedAt }, this.options.overdueAfterMs);
    const next: Required<OverdueJobData> = { reminderId: reminder.id, firedAt: reminder.firedAt.getTime(), recheck: (job.recheck ?? 0) + 1 };
    if (this.now() < due.getTime() - 1000) return { outcome: 'not_yet', next, at: due };
    const morning = quietHoursEnd(new Date(this.now()), this.options.quietHours, this.options.timezone);
    if (morning) return { outcome: 'quiet_hours', next, at: morning };

    const openForMs = this.now() - (due.getTime() - this.options.overdueAfterMs);
    return {
      outcome: 'escalate',
      reminder,
      post: {
        staffUserid: reminder.staffUserid,
        // posted once: a retried job posts once too
        idempotencyKey: `overdue:${reminder.id}`,
        notice: { content: reminder.content, dueAt: reminder.dueAt, customerName: reminder.customer?.name ?? null, openForMs },
      },
    };
  }

  /** After the post: `escalatedAt` set once, so a later check of this firing leaves it alone. */
  async markEscalated(reminderId: number): Promise<void> {
    await this.repo().update({ id: reminderId, escalatedAt: IsNull() }, { escalatedAt: new Date(this.now()) });
  }

  private repo() {
    return this.dataSource.getRepository(Reminder);
  }
}
