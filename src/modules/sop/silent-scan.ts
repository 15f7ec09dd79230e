import type { DataSource } from 'typeorm';
import { CustomerRelation } from '../../../entities';
import type { SopEngine } from './sop-engine';
import type { SopDefinitions } from './sop-definitions';

export const SILENT_SCAN_JOB = 'sop-silent-scan';

/**
 * 沉默客户: for every `silent` SOP, the active relations whose customer has had no follow-up for N
 * days (last contact, else when they were added), not lost and not opted out. Walks the table in
 * id order, a batch at a time. A run per silence (its start names it), so scanning daily starts it once.
 */
export async function scanSilentCustomers(
  deps: { dataSource: DataSource; definitions: SopDefinitions; engine: SopEngine; now: () => Date },
  batchSize = 500,
): Promise<number> {
  let started = 0;
  for (const def of deps.definitions.withTrigger('silent')) {
    const cutoff = new Date(deps.now().getTime() - def.trigger.days * 86_400_000);
    let afterId = 0;
    for (;;) {
      const rows: Array<{ id: number; customerId: number; staffUserid: string; since: Date | string }> = await deps.dataSource
        .getRepository(CustomerRelation)
        .createQueryBuilder('r')
        .innerJoin('r.customer', 'c')
        .select('r.id', 'id')
        .addSelect('r.customer_id', 'customerId')
        .addSelect('r.staff_userid', 'staffUserid')
        .addSelect('COALESCE(c.last_contact_at, r.added_at, c.created_at)', 'since')
        .where('r.id > :afterId', { afterId })
        .andWhere("r.status = 'active'")
        .andWhere("c.stage <> 'lost'")
        .andWhere('c.do_not_contact = :no', { no: false })
        .andWhere('COALESCE(c.last_contact_at, r.added_at, c.created_at) <= :cutoff', { cutoff })
        .orderBy('r.id', 'ASC')
        .limit(batchSize)
        .getRawMany();
      for (const row of rows) {
        const silentSince = row.since instanceof Date ? row.since : new Date(`${row.since}Z`.replace(' ', 'T'));
        if (await deps.engine.startSilent(def, { customerId: Number(row.customerId), staffUserid: row.staffUserid, silentSince })) started += 1;
      }
      if (rows.length < batchSize) break;
      afterId = Number(rows[rows.length - 1]!.id);
    }
  }
  return started;
}
