import { In, type DataSource } from 'typeorm';
import { Customer, CustomerRelation } from '../../../entities';
import { isErasedCustomer } from './erasure-tombstone';
import { containsPattern } from './identifying-text';

/** Marks the customer row an erasure leaves (kept, anonymised, for the counts that include it). */
export const ERASED_NAME = '已删除的客户';
export const ERASED_REASON = '个人信息已删除';

export const isErasedRow = (c: Pick<Customer, 'doNotContactReason'>): boolean => c.doNotContactReason === ERASED_REASON;

export interface Candidate {
  externalUserid: string | null;
  name: string;
  /** userids of the salespeople following them */
  owners: string[];
}

export type Lookup = { kind: 'found'; customer: Customer } | { kind: 'ambiguous'; candidates: Candidate[] } | { kind: 'erased' } | { kind: 'unknown' };

/**
 * Finds the one customer a person means by an external_userid or a name: the id first, then the
 * exact name, then a name containing what was typed. Several matches are listed, not guessed at.
 */
export async function lookUpCustomer(dataSource: DataSource, ref: string): Promise<Lookup> {
  const repo = dataSource.getRepository(Customer);
  const wanted = ref.trim();
  if (!wanted) return { kind: 'unknown' };
  const byId = await repo.findOneBy({ externalUserid: wanted });
  if (byId) return { kind: 'found', customer: byId };
  if (await isErasedCustomer(dataSource, wanted)) return { kind: 'erased' };
  let matches = await repo.find({ where: { name: wanted }, order: { id: 'ASC' }, take: 21 });
  if (matches.length === 0) {
    matches = await repo
      .createQueryBuilder('c')
      .where("c.name LIKE :pattern ESCAPE '!'", { pattern: containsPattern(wanted) })
      .orderBy('c.id', 'ASC')
      .take(21)
      .getMany();
  }
  matches = matches.filter((c) => !isErasedRow(c));
  if (matches.length === 1) return { kind: 'found', customer: matches[0]! };
  if (matches.length === 0) return { kind: 'unknown' };
  const relations = await dataSource.getRepository(CustomerRelation).findBy({ customerId: In(matches.map((c) => c.id)), status: 'active' });
  return {
    kind: 'ambiguous',
    candidates: matches.map((c) => ({
      externalUserid: c.externalUserid,
      name: c.name,
      owners: relations.filter((r) => r.customerId === c.id).map((r) => r.staffUserid),
    })),
  };
}
