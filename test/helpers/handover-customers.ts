import type { DataSource } from 'typeorm';
import { Customer, CustomerRelation } from '../../entities';
import type { FakeWecomWorld } from '../../src/modules/sandbox/fake-wecom/fake-wecom.world';

/** Customers `客户0…` of one salesperson, in the CRM and in the fake WeCom alike: what a handover moves. */
export async function customersOf(db: DataSource, world: FakeWecomWorld, userid: string, externalUserids: string[]): Promise<Customer[]> {
  const customers = await db.getRepository(Customer).save(externalUserids.map((externalUserid, i) => ({ externalUserid, name: `客户${i}` })));
  await db.getRepository(CustomerRelation).save(customers.map((c) => ({ customerId: c.id, staffUserid: userid, addedAt: new Date() })));
  for (const [i, id] of externalUserids.entries()) {
    world.customers.set(id, {
      external_contact: { external_userid: id, name: `客户${i}`, type: 1 },
      follow_user: [{ userid, remark: '', description: '', createtime: 0, tags: [], add_way: 1 }],
    });
  }
  return customers;
}
