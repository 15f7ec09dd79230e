import { addJob, addJobs, defineJob, UNNAMED_JOB } from '../queue/job-definition';
import { inboundJobOptions } from '../queue/job-options';
import { type JobStanding, jobStanding, type QueueSet, removeEndedJob, withTimeout } from '../queue/queues';

export interface InboundJobData {
  eventId: number;
  /** `later`: the deferred second stage of the event's handler (see Deferred). */
  stage?: 'later';
  /** what the first stage handed over to the second (may be missing: the stage then re-reads it). */
  carry?: unknown;
}

/** One job id per stored event (and stage): Bull ignores an add whose id already exists, so a second enqueue is harmless. */
export function inboundJobId(eventId: number, stage?: 'later'): string {
  return stage ? `event-${eventId}-${stage}` : `event-${eventId}`;
}

/**
 * One job per stored event and stage (unnamed, as the queue has always had). Its attempts come from
 * the config (inboundJob below); a worker runs WORKER_CONCURRENCY at once (worker.ts).
 */
export const INBOUND_JOB = defineJob<InboundJobData>({
  queue: 'inbound',
  name: UNNAMED_JOB,
  concurrency: 1,
  options: inboundJobOptions({ attempts: 8, delayMs: 1000 }),
  jobId: (d) => inboundJobId(d.eventId, d.stage),
});

/**
 * Bull runs lower numbers first. Events come first; deferred second stages (recording a customer
 * whose welcome is already sent) wait until no event is waiting, so a burst's welcomes are not
 * queued behind its bookkeeping, and a salesperson's command is not either.
 */
const EVENT_PRIORITY = 1;
const LATER_PRIORITY = 10;

/** Deferred work is capped so the job stays small in Redis; a bigger carry is simply re-read. */
const MAX_CARRY_BYTES = 16_384;

export interface InboundRetryPolicy {
  attempts: number;
  delayMs: number;
}

export interface InboundProducer {
  enqueue(eventId: number): Promise<void>;
  /** the jobs of many events in one round trip (Bull's addBulk) */
  enqueueMany(eventIds: number[]): Promise<void>;
  enqueueLater(eventId: number, carry?: unknown): Promise<void>;
  /** true when the job of this event (or its later stage) will still run: waiting, delayed or active (not one Bull only keeps) */
  hasJob(eventId: number, stage?: 'later'): Promise<boolean>;
  /** whether the job of this event (or its later stage) will still run, has ended, or is not in Redis */
  standing(eventId: number, stage?: 'later'): Promise<JobStanding>;
  /** enqueues the event (or its later stage) again, replacing a job of it that has ended; false when a live worker still holds that job */
  rerun(eventId: number, stage?: 'later'): Promise<boolean>;
}

export function createInboundProducer(queues: QueueSet, retry: InboundRetryPolicy, timeoutMs = 2000): InboundProducer {
  const queue = queues.get('inbound');
  const job = { ...INBOUND_JOB, options: inboundJobOptions(retry) };
  return {
    async enqueue(eventId) {
      await addJob(queues, job, { eventId }, { priority: EVENT_PRIORITY, timeoutMs });
    },
    async enqueueMany(eventIds) {
      await addJobs(
        queues,
        job,
        eventIds.map((eventId) => ({ data: { eventId }, priority: EVENT_PRIORITY })),
        timeoutMs,
      );
    },
    async enqueueLater(eventId, carry) {
      const fits = carry !== undefined && JSON.stringify(carry).length <= MAX_CARRY_BYTES;
      await addJob(queues, job, { eventId, stage: 'later', ...(fits ? { carry } : {}) }, { priority: LATER_PRIORITY, timeoutMs });
    },
    async hasJob(eventId, stage) {
      return (await this.standing(eventId, stage)).state === 'pending';
    },
    async standing(eventId, stage) {
      return withTimeout(jobStanding(queue, inboundJobId(eventId, stage)), timeoutMs, 'job standing');
    },
    async rerun(eventId, stage) {
      if (!(await withTimeout(removeEndedJob(queue, inboundJobId(eventId, stage)), timeoutMs, 'remove ended job'))) return false;
      await (stage ? this.enqueueLater(eventId) : this.enqueue(eventId));
      return true;
    },
  };
}
