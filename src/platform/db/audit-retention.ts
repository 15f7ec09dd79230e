import { In, LessThan, type DataSource } from 'typeorm';
import { AuditLog } from '../../../entities';

export interface AuditPruneOptions {
  /** entries written before this time are deleted */
  createdBefore: Date;
  batchSize?: number;
}

/**
 * Deletes audit entries older than the retention, oldest first, in batches. An entry names who did
 * what to which customer, sometimes with the words they typed; past the retention nobody needs to
 * answer for it (the undo window and every dedupe by source key are minutes to days, far shorter).
 */
export async function pruneAuditEntries(dataSource: DataSource, options: AuditPruneOptions): Promise<number> {
  const repo = dataSource.getRepository(AuditLog);
  const batchSize = options.batchSize ?? 1000;
  let pruned = 0;
  for (;;) {
    const batch = await repo.find({ select: { id: true }, where: { createdAt: LessThan(options.createdBefore) }, order: { id: 'ASC' }, take: batchSize });
    if (batch.length === 0) return pruned;
    const result = await repo.delete({ id: In(batch.map((e) => e.id)) });
    pruned += result.affected ?? batch.length;
    if (batch.length < batchSize) return pruned;
    await new Promise((resolve) => setImmediate(resolve));
  }
}
