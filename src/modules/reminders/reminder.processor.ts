import type { DataSource } from 'typeorm';
import { Reminder } from '../../../entities';
import { reminderButtonCard, reminderClosedText, reminderTaskId } from '../../../templates/cards/reminder-cards';
import { formatChineseDateTime } from '../../../bots/dates/chinese-date.parser';
import type { Logger } from '../../platform/logger';
import type { OutboundService } from '../../platform/outbound/outbound.service';
import { CLOSE_REASON_TEXT, endedRelationOf } from './ended-relation';
import type { ReminderService } from './reminder.service';
import type { ReminderJobData } from './reminder.scheduler';
import type { Job } from '../../platform/queue/queues';

export interface ReminderProcessorDeps {
  dataSource: DataSource;
  outbound: OutboundService;
  reminders: Pick<ReminderService, 'closeForEndedRelation'>;
  logger: Logger;
  timezone: string;
  now?: () => number;
  /** e.g. plan the overdue check; runs before the row is marked sent (a failure retries the job), so it must tolerate repeats */
  afterFired?: (reminder: Reminder, firedAt: Date) => Promise<void>;
}

/**
 * Fires a due reminder: its card goes to the salesperson through the outbound queue, then the row is
 * marked sent. The salesperson chose the time, so quiet hours do not hold it (pacing still applies).
 * Safe to run twice: the card's idempotency key is the reminder and its due time, and a reminder no
 * longer pending (done, or already sent) is skipped. A reminder about a customer whose relation with
 * the salesperson ended is closed with the reason instead, and the salesperson told so.
 */
export function createReminderProcessor(deps: ReminderProcessorDeps) {
  const repo = deps.dataSource.getRepository(Reminder);
  const now = deps.now ?? Date.now;
  return async (job: Job<ReminderJobData>): Promise<string> => {
    // one query (findOne with a relation costs TypeORM two: a DISTINCT id query first)
    const reminder = await repo.createQueryBuilder('r').leftJoinAndSelect('r.customer', 'customer').where('r.id = :id', { id: job.data.reminderId }).getOne();
    if (reminder?.status !== 'pending') return 'skipped';
    // Snoozed to a later time after this job was made: the job for the new time will fire it
    // (unless the time was brought forward on purpose: the sandbox's "fire due reminders now").
    if (!job.data.early && reminder.dueAt.getTime() > now() + 1000) return 'rescheduled';

    const ended = await endedRelationOf(deps.dataSource, reminder);
    if (ended) {
      const closed = await deps.reminders.closeForEndedRelation(reminder, ended.reason, new Date(now()));
      if (closed) {
        const content = reminderClosedText({
          reminderId: reminder.id,
          content: reminder.content,
          customerName: reminder.customer?.name ?? null,
          why: CLOSE_REASON_TEXT[ended.reason],
          endedAt: ended.endedAt ? formatChineseDateTime(ended.endedAt, deps.timezone, new Date(now())) : null,
        });
        await deps.outbound.sendNow({
          channel: 'user',
          touser: reminder.staffUserid,
          idempotencyKey: `reminder-closed:${reminder.id}`,
          personTimed: true,
          message: { msgtype: 'text', text: { content } },
        });
      }
      deps.logger.info({ reminderId: reminder.id, staff: reminder.staffUserid, reason: ended.reason }, 'reminder closed: the relation with its customer ended');
      return ended.reason;
    }

    // Sent from here (no second queue hop); pacing applies, a wait becomes a job.
    await deps.outbound.sendNow({
      channel: 'user',
      touser: reminder.staffUserid,
      idempotencyKey: `reminder:${reminder.id}:${reminder.dueAt.getTime()}`,
      personTimed: true,
      message: {
        msgtype: 'template_card',
        template_card: reminderButtonCard({
          reminderId: reminder.id,
          taskId: reminderTaskId(reminder.id, reminder.dueAt),
          content: reminder.content,
          due: formatChineseDateTime(reminder.dueAt, deps.timezone, new Date(now())),
          customerName: reminder.customer?.name ?? null,
        }),
      },
    });
    const firedAt = new Date(now());
    await deps.afterFired?.(reminder, firedAt);
    await repo.update({ id: reminder.id, status: 'pending' }, { status: 'sent', firedAt });
    deps.logger.info({ reminderId: reminder.id, staff: reminder.staffUserid }, 'reminder fired');
    return 'sent';
  };
}
