import { In, LessThan } from 'typeorm';
import { InboundEvent } from '../../../entities';
import { type EventFailureDeps, failEvent } from './inbound-failure';
import type { InboundProducer } from './inbound.producer';

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
export async function sweepStaleEvents(deps: EventFailureDeps & { producer: InboundProducer }, options: SweeperOptions): Promise<number> {
  const maxAttempts = options.maxAttempts ?? 8;
  const stale = await deps.dataSource.getRepository(InboundEvent).find({
    where: { status: In(['received', 'processing', 'deferred']), updatedAt: LessThan(new Date(Date.now() - options.staleAfterMs)) },
    order: { id: 'ASC' },
    take: options.batchSize,
  });
  const result = { requeued: 0, failed: 0 };
  for (const event of stale) {
    // A deferred event's second stage re-reads what its first stage handed over (the job data is gone).
    const stage = event.status === 'deferred' ? 'later' : undefined;
    const standing = await deps.producer.standing(event.id, stage);
    if (standing.state === 'pending') continue;
    if (standing.state === 'ended' && event.attempts >= maxAttempts) {
      const why = standing.failedReason ?? (standing.outcome === 'completed' ? 'its job completed without finishing it' : 'its job is in no queue');
      if (await failEvent(deps, event, { cause: 'abandoned', reason: `abandoned by the queue after ${event.attempts} attempts: ${why}`.slice(0, 4000) }))
        result.failed += 1;
      continue;
    }
    if (standing.state === 'ended') {
      if (await deps.producer.rerun(event.id, stage)) result.requeued += 1;
      continue;
    }
    await (stage ? deps.producer.enqueueLater(event.id) : deps.producer.enqueue(event.id));
    result.requeued += 1;
  }
  if (result.requeued > 0 || result.failed > 0) deps.logger.warn({ ...result }, 'swept stored events whose job was gone or would not run again');
  return result.requeued + result.failed;
}
