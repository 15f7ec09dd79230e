import { In, IsNull, LessThan, type DataSource } from 'typeorm';
import { OutboundMessage, type OutboundStatus } from '../../../entities';

/** Messages nothing will send again: their body is no longer needed to deliver them. */
const FINISHED: OutboundStatus[] = ['sent', 'failed', 'duplicate', 'unknown'];

export interface OutboundPruneOptions {
  /** bodies of finished messages created before this time are emptied */
  createdBefore: Date;
  batchSize?: number;
  now?: () => Date;
}

/**
 * Empties the body of finished outbound messages older than the retention: a card or digest names
 * customers, their remarks and phones, and a copy of it is not kept for ever. The row stays — status,
 * recipient, errcode, WeCom msgid and times still say what happened to the message. Queued and
 * sending rows keep theirs (the processor still needs it). Batches keep each statement short.
 */
export async function pruneOutboundBodies(dataSource: DataSource, options: OutboundPruneOptions): Promise<number> {
  const repo = dataSource.getRepository(OutboundMessage);
  const batchSize = options.batchSize ?? 1000;
  let pruned = 0;
  for (;;) {
    const batch = await repo.find({
      select: { id: true },
      where: { payloadPrunedAt: IsNull(), createdAt: LessThan(options.createdBefore), status: In(FINISHED) },
      take: batchSize,
    });
    if (batch.length === 0) return pruned;
    const result = await repo.update({ id: In(batch.map((m) => m.id)) }, { payload: {}, payloadPrunedAt: options.now?.() ?? new Date() });
    pruned += result.affected ?? batch.length;
    if (batch.length < batchSize) return pruned;
    // Let other work use the connection between batches.
    await new Promise((resolve) => setImmediate(resolve));
  }
}
