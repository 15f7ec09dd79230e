import type { DataSource } from 'typeorm';
import { HandoverCustomer } from '../../../entities';

/**
 * True when `userid` receives the customer through a handover (在职转接 or 离职继承) WeCom started or
 * completed: WeCom's add event for the new owner is then no new customer — their onboarding moved
 * with them at the takeover (takeover.store.ts) and must not start a second time.
 */
export async function handedOverTo(dataSource: DataSource, customerId: number, userid: string): Promise<boolean> {
  const found = await dataSource
    .getRepository(HandoverCustomer)
    .createQueryBuilder('hc')
    .innerJoin('hc.handover', 'h')
    .where('hc.customer_id = :customerId AND h.to_userid = :userid AND hc.status IN (:...moving)', {
      customerId,
      userid: userid.toLowerCase(),
      moving: ['waiting', 'done'],
    })
    .getCount();
  return found > 0;
}
