import { IsNull, type DataSource } from 'typeorm';
import { Reminder } from '../../entities';
import { formatChineseDateTime } from '../../bots/dates/format-date';
import { overdueReminderMarkdown } from '../../templates/cards/reminder-cards';
import type { Logger } from '../logger';
import type { Job } from '../queue/queues';
import type { OverdueJobData } from '../queue/sop.scheduler';
import type { TeamGroups } from '../sop/team-group';

export interface OverdueDeps {
  dataSource: DataSource;
  teams: TeamGroups;
  logger: Logger;
  timezone: string;
  overdueAfterMs: number;
  now?: () => number;
}

/**
 * A reminder still open `overdueAfterMs` after its card went out is posted to the salesperson's team
 * group, once: `escalatedAt` is set after the post, and the post's idempotency key is the reminder,
 * so a retried job posts once too. Done, cancelled or snoozed (pending again) reminders are left alone.
 */
export function createOverdueProcessor(deps: OverdueDeps) {
  const now = deps.now ?? Date.now;
  const repo = deps.dataSource.getRepository(Reminder);
  return async (job: Job<OverdueJobData>): Promise<string> => {
    const reminder = await repo.findOne({ where: { id: job.data.reminderId }, relations: { customer: true } });
    if (!reminder || reminder.status !== 'sent' || reminder.escalatedAt || !reminder.firedAt) return 'not_overdue';
    // The check of an earlier firing (snoozed and fired again since): the new firing has its own check.
    // (A check brought forward on purpose — the sandbox's "fire due reminders now" — runs now.)
    if (!job.data.early && now() < reminder.firedAt.getTime() + deps.overdueAfterMs - 1000) return 'not_yet';
    const minutes = Math.round(deps.overdueAfterMs / 60_000);
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
          overdueFor: minutes >= 60 ? `超过${Math.round(minutes / 60)}小时` : `超过${Math.max(1, minutes)}分钟`,
        }),
    });
    await repo.update({ id: reminder.id, escalatedAt: IsNull() }, { escalatedAt: new Date(now()) });
    deps.logger.info({ reminderId: reminder.id, staff: reminder.staffUserid, posted }, 'overdue reminder escalated');
    return posted;
  };
}
