import { In, LessThan } from 'typeorm';
import { InboundEvent } from '../../../entities';
import { type EventFailureDeps, failEvent } from './inbound-failure';
import { inboundJobId, type InboundProducer } from './inbound.producer';
import type { QueueSet } from '../queue/queues';
import { sweepRows } from '../queue/row-sweep';

export interface SweeperOptions {
  /** an event untouched for this long while unfinished is checked (long enough for a normal retry backoff to be visible in Redis). */
  staleAfterMs: number;
  batchSize: number;
  /** INBOUND_MAX_ATTEMPTS (default 8): an event run this often whose job the queue gave up on is failed, not run again */
  maxAttempts?: number;
}

/**
 * Makes sure no stored event is stranded: every unfinished event that has been still for a while
 * has a job that will run, or ends failed with its reason.
 * - no job (the process died between storing and enqueuing, Redis lost the queue): enqueued;
 * - a job that will never run again (completed, or failed by Bull itself — "job stalled more than
 *   allowable limit" after worker crashes — or left from before a database restore): run again,
 *   or, once the event has used its attempts, failed visibly (row, metric, the salesperson told).
 * Safe with many workers sweeping at once: the job id comes from the row id, so concurrent re-adds
 * collapse into one job, and only one sweeper moves a row to failed.
 */
/** Returns how many events it acted on (enqueued, run again or failed). */
export async function sweepStaleEvents(deps: EventFailureDeps & { producer: InboundProducer; queues: QueueSet }, options: SweeperOptions): Promise<number> {
  const maxAttempts = options.maxAttempts ?? 8;
  // A deferred event's second stage re-reads what its first stage handed over (the job data is gone).
  const stageOf = (event: InboundEvent) => (event.status === 'deferred' ? 'later' : undefined);
  const result = await sweepRows(deps.queues, {
    name: 'inbound events',
    queue: 'inbound',
    rows: () =>
      deps.dataSource.getRepository(InboundEvent).find({
        where: { status: In(['received', 'processing', 'deferred']), updatedAt: LessThan(new Date(Date.now() - options.staleAfterMs)) },
        order: { id: 'ASC' },
        take: options.batchSize,
      }),
    jobId: (event) => inboundJobId(event.id, stageOf(event)),
    readd: (event) => (stageOf(event) ? deps.producer.enqueueLater(event.id) : deps.producer.enqueue(event.id)),
    async ended(event, standing) {
      if (event.attempts < maxAttempts) return 'rerun';
      const why = standing.failedReason ?? (standing.outcome === 'completed' ? 'its job completed without finishing it' : 'its job is in no queue');
      const failed = await failEvent(deps, event, {
        cause: 'abandoned',
        reason: `abandoned by the queue after ${event.attempts} attempts: ${why}`.slice(0, 4000),
      });
      return failed ? 'failed' : 'skipped';
    },
  });
  const acted = { requeued: result.readded, failed: result.failed };
  if (acted.requeued > 0 || acted.failed > 0) deps.logger.warn({ ...acted }, 'swept stored events whose job was gone or would not run again');
  return acted.requeued + acted.failed;
}
