import type { DataSource, EntityManager } from 'typeorm';
import { HandoverCustomer } from '../../../entities';

/** A customer's handover row in these states moves them to the new owner: WeCom started it, or it is done. */
const MOVING = ['waiting', 'done'] as const;

/**
 * True when `userid` receives the customer through a handover (在职转接 or 离职继承) WeCom started or
 * completed: WeCom's add event for the new owner is then no new customer — their onboarding moved
 * with them at the takeover (takeover.store.ts) and must not start a second time.
 */
export async function handedOverTo(db: DataSource | EntityManager, customerId: number, userid: string): Promise<boolean> {
  const found = await db
    .getRepository(HandoverCustomer)
    .createQueryBuilder('hc')
    .innerJoin('hc.handover', 'h')
    .where('hc.customer_id = :customerId AND h.to_userid = :userid AND hc.status IN (:...moving)', {
      customerId,
      userid: userid.toLowerCase(),
      moving: [...MOVING],
    })
    .getCount();
  return found > 0;
}

/**
 * The same test in SQL, for counts of new customers: true when the relation `alias` (a
 * customer_relations row) came to its salesperson by a handover. A customer handed over is the new
 * owner's to follow, not a customer the team won that day (报表's 新客户, the channels, the charts).
 */
export function handedOverRelation(alias: string): string {
  return (
    'EXISTS (SELECT 1 FROM handover_customers hc INNER JOIN handovers h ON h.id = hc.handover_id ' +
    `WHERE hc.customer_id = ${alias}.customer_id AND h.to_userid = ${alias}.staff_userid AND hc.status IN (${MOVING.map((m) => `'${m}'`).join(', ')}))`
  );
}
