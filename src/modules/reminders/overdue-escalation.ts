import type { DataSource } from 'typeorm';
import { overdueForText, overdueReminderGroupNotice, overdueReminderPost } from '../../../templates/cards/reminder-notices';
import { overdueGroupCard } from '../../../templates/cards/group-cards';
import { formatChineseDateTime } from '../../../templates/format-date';
import type { Logger } from '../../platform/logger';
import type { QuietHours } from '../../platform/outbound/quiet-hours';
import type { Job } from '../../platform/queue/queues';
import type { TeamGroupCard, TeamGroups } from '../customers';
import type { OverdueJobData } from './overdue.scheduler';
import { OverdueCheckService } from './overdue-check.service';
import type { ReminderService } from './reminder.service';

export { overdueAt } from './overdue-check.service';

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
 * A reminder still open past its overdue time (OverdueCheckService decides) is posted to the
 * salesperson's team group, once: `escalatedAt` is set after the post, and the post's idempotency key
 * is the reminder. Done, cancelled or snoozed reminders are left alone.
 */
export function createOverdueProcessor(deps: OverdueDeps) {
  const now = deps.now ?? Date.now;
  const checks = new OverdueCheckService(deps.dataSource, deps.reminders, deps);
  return async (job: Job<OverdueJobData>): Promise<string> => {
    const check = await checks.decide(job.data);
    switch (check.outcome) {
      case 'closed':
        deps.logger.info(
          { reminderId: check.reminder.id, staff: check.reminder.staffUserid, reason: check.reason },
          'overdue reminder not escalated: the relation with its customer ended; closed',
        );
        return check.reason;
      case 'not_yet':
      case 'quiet_hours':
        await deps.recheck(check.next, check.at);
        return check.outcome;
      case 'escalate': {
        const { post, reminder } = check;
        const render = (who: Parameters<typeof overdueReminderPost>[1]) => overdueReminderPost(post.notice, who, deps.timezone, new Date(now()));
        const card = (who: Parameters<typeof overdueReminderGroupNotice>[1]) => overdueReminderGroupNotice(post.notice, who, deps.timezone, new Date(now()));
        // With the smart bot in the team's group: a card the owner and the lead can act on.
        const botCard: TeamGroupCard = {
          kind: 'overdue',
          subjectId: reminder.id,
          build: ({ taskId, owner, teammates }) =>
            overdueGroupCard({
              taskId,
              owner,
              teammates,
              customerName: post.notice.customerName,
              content: post.notice.content,
              due: formatChineseDateTime(post.notice.dueAt, deps.timezone, new Date(now())),
              overdueFor: overdueForText(post.notice.openForMs),
            }),
        };
        const posted = await deps.teams.post({ staffUserid: post.staffUserid, idempotencyKey: post.idempotencyKey, render, card, botCard });
        await checks.markEscalated(reminder.id);
        deps.logger.info({ reminderId: reminder.id, staff: reminder.staffUserid, posted }, 'overdue reminder escalated');
        return posted;
      }
      default:
        return check.outcome;
    }
  };
}
