import { In, LessThan, type DataSource } from 'typeorm';
import { InboundEvent } from '../../entities';
import type { Logger } from '../logger';
import type { InboundProducer } from './inbound.producer';

export interface SweeperOptions {
  /** an event untouched for this long while unfinished is checked (long enough for a normal retry backoff to be visible in Redis). */
  staleAfterMs: number;
  batchSize: number;
}

/**
 * Re-enqueues stored events whose job is gone: the process died between storing and enqueuing, or
 * Redis restarted without persistence and lost the queue. Safe with many workers sweeping at once:
 * the job id comes from the row id, so concurrent re-adds collapse into one job.
 */
export async function sweepStaleEvents(
  dataSource: DataSource,
  producer: InboundProducer,
  logger: Logger,
  options: SweeperOptions,
): Promise<number> {
  const stale = await dataSource.getRepository(InboundEvent).find({
    select: { id: true, status: true },
    where: { status: In(['received', 'processing', 'deferred']), updatedAt: LessThan(new Date(Date.now() - options.staleAfterMs)) },
    order: { id: 'ASC' },
    take: options.batchSize,
  });
  let requeued = 0;
  for (const { id, status } of stale) {
    // A deferred event's second stage re-reads what its first stage handed over (the job data is gone).
    const stage = status === 'deferred' ? 'later' : undefined;
    if (await producer.hasJob(id, stage)) continue;
    await (stage ? producer.enqueueLater(id) : producer.enqueue(id));
    requeued += 1;
  }
  if (requeued > 0) logger.warn({ requeued }, 're-enqueued stored events that had no job');
  return requeued;
}
