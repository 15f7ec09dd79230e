import type { ReminderScheduler } from './reminder-scheduler.port';
import { type QueueSet, withTimeout } from '../../platform/queue/queues';

export interface ReminderJobData {
  reminderId: number;
  /** set by promoteDelayedJobs (queues.ts): fire now even though the due time is still ahead */
  early?: boolean;
}

export function reminderJobId(reminderId: number): string {
  return `reminder-${reminderId}`;
}

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
      const data: ReminderJobData = { reminderId: id };
      await withTimeout(
        queue.add(data, {
          jobId: reminderJobId(id),
          delay: Math.max(0, dueAt.getTime() - now()),
          attempts: 8,
          backoff: { type: 'exponential', delay: 2000 },
          removeOnComplete: true,
          removeOnFail: 1000,
        }),
        2000,
        'schedule reminder',
      );
    },
    async cancel(id) {
      const existing = await queue.getJob(reminderJobId(id));
      if (existing && !(await existing.isActive())) await existing.remove();
    },
  };
}
