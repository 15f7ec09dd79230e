import type { DataSource } from 'typeorm';
import type { Reminder } from '../../../entities';
import type { Logger } from '../../platform/logger';
import type { WorkModule } from '../../platform/module';
import { processor } from '../../platform/module';
import type { OutboundService } from '../../platform/outbound/outbound.service';
import type { QuietHours } from '../../platform/outbound/quiet-hours';
import type { QueueSet } from '../../platform/queue/queues';
import { sweepRows } from '../../platform/queue/row-sweep';
import { TeamGroups } from '../customers';
import { createOverdueScheduler, OVERDUE_CHECK, type OverdueJobData } from './overdue.scheduler';
import { createOverdueProcessor, overdueAt } from './overdue-escalation';
import { createReminderProcessor } from './reminder.processor';
import type { ReminderScheduler } from './reminder-scheduler.port';
import { REMINDER_JOB, reminderJobId } from './reminder.scheduler';
import type { ReminderService } from './reminder.service';

export interface RemindersModuleDeps {
  dataSource: DataSource;
  queues: QueueSet;
  outbound: OutboundService;
  reminders: ReminderService;
  scheduler: ReminderScheduler;
  logger: Logger;
  /** `bot`: the smart bot is configured (a team group bound to it gets overdue cards with buttons) */
  config: { timezone: string; quietHours: QuietHours | undefined; sop: { overdueAfterMs: number }; bot?: object };
  /** the clock of due and overdue times (tests control it) */
  now: () => number;
}

/**
 * Reminders in a worker: firing due reminders, the overdue check of each firing (a reminder still
 * open CRM_OVERDUE_AFTER_MINUTES after its due time goes to the team group), and the sweep that
 * fires reminders whose job Redis lost (late, never lost).
 */
export function remindersModule(deps: RemindersModuleDeps): WorkModule {
  const { dataSource, queues, logger, config, now } = deps;
  const overdue = createOverdueScheduler(queues, now);
  const afterFired = (reminder: Reminder, firedAt: Date) =>
    overdue.scheduleOverdueCheck(reminder.id, firedAt, overdueAt({ dueAt: reminder.dueAt, firedAt }, config.sop.overdueAfterMs));
  const fire = createReminderProcessor({ dataSource, outbound: deps.outbound, reminders: deps.reminders, logger, timezone: config.timezone, afterFired, now });
  const check = createOverdueProcessor({
    dataSource,
    teams: new TeamGroups(dataSource, deps.outbound, config.bot !== undefined),
    reminders: deps.reminders,
    // on the checks' own clock, so "again at 08:00" means 08:00 on the clock that decided it
    recheck: (data, at) => overdue.recheckOverdue(data, at),
    logger,
    timezone: config.timezone,
    quietHours: config.quietHours,
    overdueAfterMs: config.sop.overdueAfterMs,
    now,
  });

  // Reminders that came due while no job existed for them (Redis lost it), or whose job Bull only
  // keeps (it failed for good, or it is from before a database restore): scheduled again, so they fire now.
  const sweep = () =>
    sweepRows(queues, {
      name: 'reminders',
      queue: REMINDER_JOB.queue,
      rows: () => deps.reminders.dueWithoutJob(new Date(now())),
      jobId: (reminder) => reminderJobId(reminder.id),
      readd: (reminder) => deps.scheduler.schedule(reminder.id, reminder.dueAt),
    });

  return {
    name: 'reminders',
    processors: [processor(REMINDER_JOB, fire), processor(OVERDUE_CHECK, check)],
    produces: [REMINDER_JOB, OVERDUE_CHECK],
    periodic: [{ name: 'reminder sweep', run: sweep, atStart: true }],
    start: () => moveOverdueChecksFromSopQueue(queues, logger),
  };
}

/**
 * Overdue checks used to share the `sop` queue with SOP steps; a worker of this release no longer
 * runs them there. Checks an older worker left waiting in `sop` are moved once, with their id, data
 * and due time (an add whose id exists is ignored, so several workers doing this at once move each once).
 */
async function moveOverdueChecksFromSopQueue(queues: QueueSet, logger: Logger): Promise<void> {
  const old = queues.get('sop');
  const target = queues.get(OVERDUE_CHECK.queue);
  let moved = 0;
  for (const job of [...(await old.getDelayed()), ...(await old.getWaiting())]) {
    if (job.name !== OVERDUE_CHECK.name) continue;
    const dueAt = job.timestamp + (job.opts.delay ?? 0);
    await target.add(OVERDUE_CHECK.name, job.data as OverdueJobData, {
      ...OVERDUE_CHECK.options,
      jobId: String(job.id),
      delay: Math.max(0, dueAt - Date.now()) || undefined,
    });
    await job.remove().catch(() => undefined);
    moved += 1;
  }
  if (moved > 0) logger.info({ moved }, 'overdue checks moved from the sop queue to their own');
}
