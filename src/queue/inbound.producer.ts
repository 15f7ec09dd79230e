import { type QueueSet, withTimeout } from './queues';

export interface InboundJobData {
  eventId: number;
}

/** One job id per stored event: Bull ignores an add whose id already exists, so a second enqueue is harmless. */
export function inboundJobId(eventId: number): string {
  return `event-${eventId}`;
}

export const INBOUND_JOB_OPTIONS = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: 1000,
  removeOnFail: 5000,
} as const;

export interface InboundProducer {
  enqueue(eventId: number): Promise<void>;
  /** true when the job for this event is still known to Redis (waiting, delayed, active or kept). */
  hasJob(eventId: number): Promise<boolean>;
}

export function createInboundProducer(queues: QueueSet, timeoutMs = 2000): InboundProducer {
  const queue = queues.get('inbound');
  return {
    async enqueue(eventId) {
      const data: InboundJobData = { eventId };
      await withTimeout(queue.add(data, { ...INBOUND_JOB_OPTIONS, jobId: inboundJobId(eventId) }), timeoutMs, 'enqueue');
    },
    async hasJob(eventId) {
      return (await withTimeout(queue.getJob(inboundJobId(eventId)), timeoutMs, 'getJob')) !== null;
    },
  };
}
