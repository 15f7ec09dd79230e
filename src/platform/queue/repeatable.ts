import type { JobDefinition } from './job-definition';
import { JOB_OPTIONS } from './job-options';
import type { Job, JobOptions, Queue, QueueSet } from './queues';

/**
 * A repeatable job: a cron in a time zone, or a fixed interval. `cron` and `every` both undefined:
 * the schedule is off (and removed from Redis, where an earlier start with another config left it).
 */
export interface Schedule {
  job: JobDefinition;
  cron?: string;
  tz?: string;
  every?: number;
}

/**
 * Makes every declared schedule in Redis equal to the config: the one place repeatable jobs are synced,
 * run once at worker start (job-registry.ts). Repeatable jobs outlive deploys, so each declared name's
 * entries with another cron, zone or interval are removed and ours added (Bull keys a repeatable by
 * name + cron/every + tz, so adding the same one again is a no-op). Names nobody declared are left
 * alone: several features share the maintenance queue, and each can be synced on its own.
 */
export async function syncSchedules(queues: QueueSet, schedules: Schedule[]): Promise<void> {
  for (const schedule of schedules) await syncOn(queues.get(schedule.job.queue), schedule.job.name, schedule.job.options, schedule);
}

/** Removes the repeatable entries of these names from a queue that no longer runs them (after a job moved to another queue). */
export async function removeSchedules(queue: Queue, names: readonly string[]): Promise<void> {
  for (const entry of await queue.getRepeatableJobs()) if (names.includes(entry.name)) await queue.removeRepeatableByKey(entry.key);
}

/** One schedule of `name` on `queue` made equal to `cron` in `tz` (undefined: off); see syncSchedules. */
export async function syncRepeatableJob(queue: Queue, name: string, cron: string | undefined, tz: string): Promise<void> {
  await syncOn(queue, name, JOB_OPTIONS.scheduled, { cron, tz });
}

async function syncOn(queue: Queue, name: string, options: JobOptions, when: Pick<Schedule, 'cron' | 'tz' | 'every'>): Promise<void> {
  const off = when.cron === undefined && when.every === undefined;
  for (const entry of await queue.getRepeatableJobs()) {
    if (entry.name !== name) continue;
    const same = when.every !== undefined ? Number(entry.every) === when.every : entry.cron === when.cron && entry.tz === when.tz;
    if (off || !same) await queue.removeRepeatableByKey(entry.key);
  }
  if (when.every !== undefined) await queue.add(name, {}, { ...options, repeat: { every: when.every } });
  else if (when.cron) await queue.add(name, {}, { ...options, repeat: { cron: when.cron, tz: when.tz } });
}

/** When a repeatable job was due (not when a worker got to it): a digest run late still covers its own day. */
export function scheduledTime(job: Job): Date {
  const due = (job.opts as { prevMillis?: number }).prevMillis ?? job.timestamp + (job.opts.delay ?? 0);
  return new Date(due);
}
