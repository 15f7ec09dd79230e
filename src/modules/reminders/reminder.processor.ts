import type { DataSource } from 'typeorm';
import type { Reminder } from '../../../entities';
import { closedReminderText, dueReminderCard } from '../../../templates/cards/reminder-notices';
import type { Logger } from '../../platform/logger';
import type { OutboundRequest, OutboundService } from '../../platform/outbound/outbound.service';
import type { Job } from '../../platform/queue/queues';
import { ReminderFiringService } from './reminder-firing.service';
import type { ReminderService } from './reminder.service';
import type { ReminderJobData } from './reminder.scheduler';

type AppMessage = Extract<OutboundRequest, { channel: 'user' }>['message'];

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
 * Fires a due reminder (ReminderFiringService decides): its card goes to the salesperson through the
 * outbound queue, then the row is marked sent. The salesperson chose the time, so quiet hours do not
 * hold it (personTimed; pacing still applies). Sent from here, with no second queue hop: a wait for
 * pacing becomes a job. Safe to run twice: the message's idempotency key is the firing.
 */
export function createReminderProcessor(deps: ReminderProcessorDeps) {
  const now = deps.now ?? Date.now;
  const firing = new ReminderFiringService(deps.dataSource, deps.reminders, now);
  const send = async (to: { touser: string; idempotencyKey: string }, message: AppMessage) => {
    await deps.outbound.sendNow({ channel: 'user', touser: to.touser, idempotencyKey: to.idempotencyKey, personTimed: true, message });
  };
  return async (job: Job<ReminderJobData>): Promise<string> => {
    const fired = await firing.decide(job.data);
    const { outcome } = fired;
    if (outcome === 'skipped' || outcome === 'rescheduled') return outcome;
    const log = { reminderId: fired.reminder.id, staff: fired.reminder.staffUserid };

    if (outcome === 'closed') {
      if (fired.send) await send(fired.send, { msgtype: 'text', text: { content: closedReminderText(fired.send.notice, deps.timezone, new Date(now())) } });
      deps.logger.info({ ...log, reason: fired.reason }, 'reminder closed: the relation with its customer ended');
      return fired.reason;
    }

    await send(fired.send, { msgtype: 'template_card', template_card: dueReminderCard(fired.send.notice, deps.timezone, new Date(now())) });
    const firedAt = new Date(now());
    await deps.afterFired?.(fired.reminder, firedAt);
    await firing.markSent(fired.reminder.id, firedAt);
    deps.logger.info(log, 'reminder fired');
    return 'sent';
  };
}
