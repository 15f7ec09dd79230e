import { IsNull, type DataSource } from 'typeorm';
import { Reminder } from '../../../entities';
import { formatChineseDateTime } from '../../../templates/format-date';
import { overdueReminderMarkdown } from '../../../templates/cards/reminder-cards';
import type { Logger } from '../../platform/logger';
import { type QuietHours, quietHoursEnd } from '../../platform/outbound/quiet-hours';
import type { Job } from '../../platform/queue/queues';
import type { OverdueJobData } from '../sop/sop.scheduler';
import type { ReminderService } from './reminder.service';
import type { TeamGroups } from '../sop/team-group';
import { endedRelationOf } from './ended-relation';

export interface OverdueDeps {
  dataSource: DataSource;
  teams: TeamGroups;
  reminders: Pick<ReminderService, 'closeForEndedRelation'>;
  /** plans the next check of this firing (a check that ran before its time, or in quiet hours) */
  recheck: (data: Required<OverdueJobData>, at: Date) => Promise<void>;
  logger: Logger;
  timezone: string;
  quietHours: QuietHours | undefined;
  overdueAfterMs: number;
  now?: () => number;
}

/**
 * When a fired reminder still open counts as overdue: `overdueAfterMs` after its due time, by the
 * clock. A card that went out late (no worker was running at the due time) gives the salesperson
 * the whole allowance from when it arrived; one fired early (the sandbox's "fire due reminders
 * now") is still only overdue after its real due time.
 */
export function overdueAt(reminder: { dueAt: Date; firedAt: Date }, overdueAfterMs: number): Date {
  return new Date(Math.max(reminder.dueAt.getTime(), reminder.firedAt.getTime()) + overdueAfterMs);
}

/** 超过2小时 / 超过45分钟: how long it has really been open past its due time (whole units, rounded down). */
export function overdueForText(openMs: number): string {
  const minutes = Math.max(1, Math.floor(openMs / 60_000));
  return minutes >= 60 ? `超过${Math.floor(minutes / 60)}小时` : `超过${minutes}分钟`;
}

/**
 * A reminder still open past its overdue time is posted to the salesperson's team group, once:
 * `escalatedAt` is set after the post, and the post's idempotency key is the reminder, so a retried
 * job posts once too. The check decides by the clock, whenever it runs: one run before its time (the
 * sandbox promotes every delayed job) plans itself again for the right time instead of escalating;
 * one that falls in quiet hours waits for the morning and looks again then (it may be done by then).
 * Done, cancelled or snoozed (pending again) reminders are left alone, and nothing about a customer
 * whose relation with the salesperson ended escalates: the reminder is closed with the reason.
 */
export function createOverdueProcessor(deps: OverdueDeps) {
  const now = deps.now ?? Date.now;
  const repo = deps.dataSource.getRepository(Reminder);
  return async (job: Job<OverdueJobData>): Promise<string> => {
    const reminder = await repo.findOne({ where: { id: job.data.reminderId }, relations: { customer: true } });
    if (reminder?.status !== 'sent' || reminder.escalatedAt || !reminder.firedAt) return 'not_overdue';
    // The check of an earlier firing (snoozed and fired again since): the new firing has its own check.
    // (Within a second: the database may keep whole seconds of the firing time, rounded or cut.)
    if (job.data.firedAt !== undefined && Math.abs(job.data.firedAt - reminder.firedAt.getTime()) >= 1000) return 'superseded';

    const ended = await endedRelationOf(deps.dataSource, reminder);
    if (ended) {
      await deps.reminders.closeForEndedRelation(reminder, ended.reason, new Date(now()));
      deps.logger.info(
        { reminderId: reminder.id, staff: reminder.staffUserid, reason: ended.reason },
        'overdue reminder not escalated: the relation with its customer ended; closed',
      );
      return ended.reason;
    }
    if (reminder.customer?.stage === 'lost') return 'customer_lost';

    const due = overdueAt({ dueAt: reminder.dueAt, firedAt: reminder.firedAt }, deps.overdueAfterMs);
    const next: Required<OverdueJobData> = { reminderId: reminder.id, firedAt: reminder.firedAt.getTime(), recheck: (job.data.recheck ?? 0) + 1 };
    if (now() < due.getTime() - 1000) {
      await deps.recheck(next, due);
      return 'not_yet';
    }
    // An escalation is the product's own push: in quiet hours it waits, and is decided in the morning.
    const morning = quietHoursEnd(new Date(now()), deps.quietHours, deps.timezone);
    if (morning) {
      await deps.recheck(next, morning);
      return 'quiet_hours';
    }

    const openFor = now() - (due.getTime() - deps.overdueAfterMs);
    const posted = await deps.teams.post({
      staffUserid: reminder.staffUserid,
      idempotencyKey: `overdue:${reminder.id}`,
      render: (who) =>
        overdueReminderMarkdown({
          staffName: who.name,
          mention: who.robot ? who.wecomUserid : null,
          customerName: reminder.customer?.name ?? null,
          content: reminder.content,
          due: formatChineseDateTime(reminder.dueAt, deps.timezone, new Date(now())),
          overdueFor: overdueForText(openFor),
        }),
    });
    await repo.update({ id: reminder.id, escalatedAt: IsNull() }, { escalatedAt: new Date(now()) });
    deps.logger.info({ reminderId: reminder.id, staff: reminder.staffUserid, posted }, 'overdue reminder escalated');
    return posted;
  };
}
