import { type JobOptions, type Queue, type QueueName, type QueueSet, withTimeout } from './queues';

/** Bull's name for a job added without one: the queues whose jobs have always been unnamed keep it, so jobs kept in Redis still run. */
export const UNNAMED_JOB = '__default__';

/**
 * One kind of background work: where it queues, under which name, how many run at once in a worker,
 * its options preset, and its job id derived from the row it is about (the one place a dedupe id is
 * chosen: Bull ignores an add whose id it still holds, so adding twice queues once).
 */
export interface JobDefinition<Data = unknown> {
  queue: QueueName;
  name: string;
  concurrency: number;
  options: JobOptions;
  /** undefined: Bull picks an id (schedules, jobs about no row) */
  jobId?(data: Data): string;
}

export function defineJob<Data>(definition: JobDefinition<Data>): JobDefinition<Data> {
  return definition;
}

/** What varies per add: when it runs, and a priority (Bull: 1 is the highest). */
export interface AddOptions {
  delayMs?: number;
  priority?: number;
  /** an id of its own instead of the definition's (a re-check of the same row) */
  jobId?: string;
  timeoutMs?: number;
}

/** Adds one job of the definition; a Redis that does not answer in time rejects instead of hanging the caller. */
export async function addJob<Data>(queues: QueueSet, job: JobDefinition<Data>, data: Data, options: AddOptions = {}): Promise<void> {
  const queue = queues.get(job.queue);
  const delay = options.delayMs !== undefined && options.delayMs > 0 ? Math.ceil(options.delayMs) : undefined;
  const opts: JobOptions = { ...job.options, jobId: options.jobId ?? job.jobId?.(data), delay, priority: options.priority };
  await withTimeout(queue.add(job.name, data, opts), options.timeoutMs ?? 2000, `add ${job.queue}/${job.name}`);
}

/** Adds many jobs of the definition in batches of 500 (one round trip each). */
export async function addJobs<Data>(
  queues: QueueSet,
  job: JobDefinition<Data>,
  items: Array<{ data: Data; delayMs?: number; priority?: number }>,
  timeoutMs = 10_000,
): Promise<void> {
  const queue: Queue = queues.get(job.queue);
  for (let i = 0; i < items.length; i += 500) {
    const batch = items.slice(i, i + 500).map(({ data, delayMs, priority }) => ({
      name: job.name,
      data,
      opts: { ...job.options, jobId: job.jobId?.(data), delay: delayMs !== undefined && delayMs > 0 ? Math.ceil(delayMs) : undefined, priority },
    }));
    await withTimeout(queue.addBulk(batch), timeoutMs, `add ${job.queue}/${job.name}`);
  }
}
