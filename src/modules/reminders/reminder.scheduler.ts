import type { ReminderScheduler } from './reminder-scheduler.port';
import { addJob, defineJob, UNNAMED_JOB } from '../../platform/queue/job-definition';
import { JOB_OPTIONS } from '../../platform/queue/job-options';
import type { QueueSet } from '../../platform/queue/queues';

export interface ReminderJobData {
  reminderId: number;
  /** set by promoteDelayedJobs (queues.ts): fire now even though the due time is still ahead */
  early?: boolean;
}

export function reminderJobId(reminderId: number): string {
  return `reminder-${reminderId}`;
}

/** A reminder's firing: one delayed job per reminder row (unnamed, as the queue has always had). */
export const REMINDER_JOB = defineJob<ReminderJobData>({
  queue: 'reminders',
  name: UNNAMED_JOB,
  concurrency: 16,
  options: JOB_OPTIONS.rowTimed,
  jobId: (d) => reminderJobId(d.reminderId),
});

/**
 * Delayed Bull jobs keyed by the reminder row. Rescheduling removes the old job first: Bull ignores
 * an add whose id exists. Delayed jobs live in Redis, so they survive a worker restart; a worker that
 * starts after the due time still gets them (late, never lost), and the reminder sweeper re-adds any
 * that Redis lost.
 */
export function createReminderScheduler(queues: QueueSet, now: () => number = Date.now): ReminderScheduler {
  const queue = queues.get('reminders');
  return {
    async schedule(id, dueAt) {
      const existing = await queue.getJob(reminderJobId(id));
      if (existing && !(await existing.isActive())) await existing.remove();
      await addJob(queues, REMINDER_JOB, { reminderId: id }, { delayMs: dueAt.getTime() - now(), timeoutMs: 2000 });
    },
    async cancel(id) {
      const existing = await queue.getJob(reminderJobId(id));
      if (existing && !(await existing.isActive())) await existing.remove();
    },
  };
}
