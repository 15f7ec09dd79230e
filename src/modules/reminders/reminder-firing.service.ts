import type { DataSource } from 'typeorm';
import { Reminder, type ReminderCloseReason } from '../../../entities';
import type { ClosedReminder, DueReminder } from '../../../templates/cards/reminder-notices';
import { endedRelationOf } from '../customers';
import { standInFor } from '../handover';
import type { ReminderService } from './reminder.service';
import type { ReminderJobData } from './reminder.scheduler';

/** Who a reminder's message goes to, and the key that makes a retried job send it once. */
export interface ToSalesperson<T> {
  touser: string;
  idempotencyKey: string;
  notice: T;
}

export type ReminderFiring =
  /** done, or already sent */
  | { outcome: 'skipped' }
  /** snoozed to a later time after this job was made: the job for the new time fires it */
  | { outcome: 'rescheduled' }
  | { outcome: 'due'; reminder: Reminder; send: ToSalesperson<DueReminder> }
  /** closed now (or by a run before this one, then `send` is null: the salesperson was told once) */
  | { outcome: 'closed'; reminder: Reminder; reason: ReminderCloseReason; send: ToSalesperson<ClosedReminder> | null };

/**
 * Decides what a reminder job does when it runs: fire the card, skip, leave it to the job of a later
 * time, or close it because the relation with its customer ended (the salesperson is told why).
 * Sending is the caller's; once the card is sent, markSent records it.
 */
export class ReminderFiringService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly reminders: Pick<ReminderService, 'closeForEndedRelation'>,
    private readonly now: () => number = Date.now,
  ) {}

  async decide(job: ReminderJobData): Promise<ReminderFiring> {
    // one query (findOne with a relation costs TypeORM two: a DISTINCT id query first)
    const reminder = await this.repo().createQueryBuilder('r').leftJoinAndSelect('r.customer', 'customer').where('r.id = :id', { id: job.reminderId }).getOne();
    if (reminder?.status !== 'pending') return { outcome: 'skipped' };
    // (unless the time was brought forward on purpose: the sandbox's "fire due reminders now")
    if (!job.early && reminder.dueAt.getTime() > this.now() + 1000) return { outcome: 'rescheduled' };
    const customerName = reminder.customer?.name ?? null;

    // A salesperson who left (离职继承): their lead receives it, saying whose it is, until a colleague takes the customer over.
    const standIn = await standInFor(this.dataSource, reminder.staffUserid);
    const touser = standIn?.wecomUserid ?? reminder.staffUserid;
    const onBehalfOf = standIn?.leaverName ?? null;
    const ended = await endedRelationOf(this.dataSource, reminder);
    if (ended) {
      const closed = await this.reminders.closeForEndedRelation(reminder, ended.reason, new Date(this.now()));
      const notice = { reminderId: reminder.id, content: reminder.content, customerName, reason: ended.reason, endedAt: ended.endedAt };
      const send = closed ? { touser, idempotencyKey: `reminder-closed:${reminder.id}`, notice } : null;
      return { outcome: 'closed', reminder, reason: ended.reason, send };
    }

    return {
      outcome: 'due',
      reminder,
      send: {
        touser,
        // one card per firing: a snoozed reminder's next firing is a new card
        idempotencyKey: `reminder:${reminder.id}:${reminder.dueAt.getTime()}`,
        notice: { reminderId: reminder.id, content: reminder.content, dueAt: reminder.dueAt, customerName, onBehalfOf },
      },
    };
  }

  /** After the card went out. Conditional on the row still pending: one closed meanwhile stays closed. */
  async markSent(reminderId: number, firedAt: Date): Promise<void> {
    await this.repo().update({ id: reminderId, status: 'pending' }, { status: 'sent', firedAt });
  }

  private repo() {
    return this.dataSource.getRepository(Reminder);
  }
}
