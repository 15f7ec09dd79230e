import type { Job, Queue } from './queues';

/**
 * Makes a repeatable job's schedule in Redis equal to the config. Repeatable jobs outlive deploys, so
 * every worker start removes this name's entries with another cron or zone and adds ours (Bull keys a
 * repeatable by name + cron + tz, so adding the same one again is a no-op). Other names are left alone:
 * several features share the maintenance queue.
 */
export async function syncRepeatableJob(queue: Queue, name: string, cron: string | undefined, tz: string): Promise<void> {
  for (const job of await queue.getRepeatableJobs()) {
    if (job.name === name && (job.cron !== cron || job.tz !== tz)) await queue.removeRepeatableByKey(job.key);
  }
  if (cron)
    await queue.add(name, {}, { repeat: { cron, tz }, removeOnComplete: 20, removeOnFail: 50, attempts: 3, backoff: { type: 'exponential', delay: 60_000 } });
}

/** When a repeatable job was due (not when a worker got to it): a digest run late still covers its own day. */
export function scheduledTime(job: Job): Date {
  const due = (job.opts as { prevMillis?: number }).prevMillis ?? job.timestamp + (job.opts.delay ?? 0);
  return new Date(due);
}
