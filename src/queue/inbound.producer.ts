import { type QueueSet, withTimeout } from './queues';

export interface InboundJobData {
  eventId: number;
}

/** One job id per stored event: Bull ignores an add whose id already exists, so a second enqueue is harmless. */
export function inboundJobId(eventId: number): string {
  return `event-${eventId}`;
}

export interface InboundRetryPolicy {
  attempts: number;
  delayMs: number;
}

export interface InboundProducer {
  enqueue(eventId: number): Promise<void>;
  /** true when the job for this event is still known to Redis (waiting, delayed, active or kept). */
  hasJob(eventId: number): Promise<boolean>;
}

export function createInboundProducer(queues: QueueSet, retry: InboundRetryPolicy, timeoutMs = 2000): InboundProducer {
  const queue = queues.get('inbound');
  const jobOptions = {
    attempts: retry.attempts,
    backoff: { type: 'exponential', delay: retry.delayMs },
    // Finished jobs are pruned; the event row, not Redis, is the record of what happened.
    removeOnComplete: 1000,
    removeOnFail: 5000,
  };
  return {
    async enqueue(eventId) {
      const data: InboundJobData = { eventId };
      await withTimeout(queue.add(data, { ...jobOptions, jobId: inboundJobId(eventId) }), timeoutMs, 'enqueue');
    },
    async hasJob(eventId) {
      return (await withTimeout(queue.getJob(inboundJobId(eventId)), timeoutMs, 'getJob')) !== null;
    },
  };
}
