import { In, IsNull, LessThan, type DataSource } from 'typeorm';
import { InboundEvent } from '../../../entities';

export interface PruneOptions {
  /** payloads of events processed before this time are emptied */
  processedBefore: Date;
  batchSize?: number;
  now?: () => Date;
}

/**
 * Empties the payload of processed events (done, ignored) older than the retention: the decrypted
 * message a salesperson typed or a customer's ids are not kept for ever. The row stays — its dedupe
 * key still recognises a replay, its status and times still say what happened. Batches keep each
 * statement short (no long lock on a busy table); returns how many were pruned.
 */
export async function pruneInboundPayloads(dataSource: DataSource, options: PruneOptions): Promise<number> {
  const repo = dataSource.getRepository(InboundEvent);
  const batchSize = options.batchSize ?? 1000;
  let pruned = 0;
  for (;;) {
    const batch = await repo.find({
      select: { id: true },
      where: { payloadPrunedAt: IsNull(), processedAt: LessThan(options.processedBefore), status: In(['done', 'ignored']) },
      take: batchSize,
    });
    if (batch.length === 0) return pruned;
    const result = await repo.update({ id: In(batch.map((e) => e.id)) }, { payload: {}, payloadPrunedAt: options.now?.() ?? new Date() });
    pruned += result.affected ?? batch.length;
    if (batch.length < batchSize) return pruned;
    // Let other work use the connection between batches.
    await new Promise((resolve) => setImmediate(resolve));
  }
}
