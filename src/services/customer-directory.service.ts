import { distance } from 'fastest-levenshtein';
import { Brackets, type DataSource } from 'typeorm';
import { Customer, CustomerRelation } from '../../entities';

export interface Viewer {
  /** lower-cased userid */
  userid: string;
  isAdmin: boolean;
}

export type CustomerLookup =
  | { kind: 'one'; customer: Customer }
  | { kind: 'many'; candidates: Array<{ customer: Customer; remark: string | null }> }
  | { kind: 'none'; closest: string[] };

const MAX_CANDIDATES = 9;

/**
 * Finds customers the way a salesperson names them: name, their own remark, or part of a phone
 * number, among the customers they follow (admins: everyone). An exact name or remark wins over
 * partial matches, so "张三" is not ambiguous just because "张三丰" exists.
 */
export class CustomerDirectory {
  constructor(private readonly dataSource: DataSource) {}

  async lookup(viewer: Viewer, query: string): Promise<CustomerLookup> {
    const q = query.trim();
    const rows = await this.search(viewer, q);
    const byId = new Map<number, { customer: Customer; remark: string | null; exact: boolean }>();
    for (const row of rows) {
      const exact = row.customer.name === q || row.remark === q;
      const previous = byId.get(row.customer.id);
      if (!previous || (exact && !previous.exact)) byId.set(row.customer.id, { customer: row.customer, remark: row.remark, exact });
    }
    const matches = [...byId.values()];
    const exact = matches.filter((m) => m.exact);
    if (exact.length === 1) return { kind: 'one', customer: exact[0]!.customer };
    if (matches.length === 1) return { kind: 'one', customer: matches[0]!.customer };
    if (matches.length > 1) {
      const preferred = exact.length > 1 ? exact : matches;
      return { kind: 'many', candidates: preferred.slice(0, MAX_CANDIDATES).map(({ customer, remark }) => ({ customer, remark })) };
    }
    return { kind: 'none', closest: await this.closestNames(viewer, q) };
  }

  /** The viewer's customers, most recent activity first, optionally by stage or tag name. */
  async list(
    viewer: Viewer,
    filter: { stage: string | null; tag: string | null; page: number; pageSize: number },
  ): Promise<{ customers: Customer[]; total: number }> {
    const qb = this.dataSource.getRepository(Customer).createQueryBuilder('c');
    if (!viewer.isAdmin) {
      qb.innerJoin(CustomerRelation, 'r', 'r.customer_id = c.id AND r.status = :active AND r.staff_userid = :me', { active: 'active', me: viewer.userid });
    }
    if (filter.stage) qb.andWhere('c.stage = :stage', { stage: filter.stage });
    if (filter.tag) {
      qb.andWhere('EXISTS (SELECT 1 FROM customer_tags ct INNER JOIN tags t ON t.id = ct.tag_id WHERE ct.customer_id = c.id AND t.name = :tag)', { tag: filter.tag });
    }
    // offset/limit, not skip/take: nothing joined is selected, and TypeORM's skip/take path rejects expressions in ORDER BY.
    const [customers, total] = await qb
      .addSelect('COALESCE(c.last_contact_at, c.updated_at)', 'activity')
      .orderBy('activity', 'DESC')
      .addOrderBy('c.id', 'DESC')
      .offset((filter.page - 1) * filter.pageSize)
      .limit(filter.pageSize)
      .getManyAndCount();
    return { customers, total };
  }

  /** A customer by id, if the viewer may see it. */
  async visible(viewer: Viewer, customerId: number): Promise<Customer | null> {
    const customer = await this.dataSource.getRepository(Customer).findOneBy({ id: customerId });
    if (!customer || viewer.isAdmin) return customer;
    return (await this.follows(viewer.userid, customerId)) ? customer : null;
  }

  async follows(userid: string, customerId: number): Promise<boolean> {
    return this.dataSource.getRepository(CustomerRelation).existsBy({ staffUserid: userid, customerId, status: 'active' });
  }

  private async search(viewer: Viewer, q: string): Promise<Array<{ customer: Customer; remark: string | null }>> {
    const like = `%${q.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
    const digits = /^\d{3,}$/.test(q);
    const qb = this.dataSource
      .getRepository(CustomerRelation)
      .createQueryBuilder('r')
      .innerJoinAndSelect('r.customer', 'c')
      .where('r.status = :active', { active: 'active' })
      .andWhere(
        new Brackets((w) => {
          w.where('c.name LIKE :like', { like }).orWhere('r.remark LIKE :like', { like });
          if (digits) w.orWhere('r.remark_mobiles LIKE :like', { like });
        }),
      )
      .orderBy('c.updated_at', 'DESC')
      .take(50);
    if (!viewer.isAdmin) qb.andWhere('r.staff_userid = :me', { me: viewer.userid });
    const relations = await qb.getMany();
    // An admin's own customers come first, then everyone else's.
    const own = (r: CustomerRelation) => (r.staffUserid === viewer.userid ? 0 : 1);
    return relations.sort((a, b) => own(a) - own(b)).map((r) => ({ customer: r.customer, remark: r.remark }));
  }

  private async closestNames(viewer: Viewer, q: string): Promise<string[]> {
    const qb = this.dataSource
      .getRepository(CustomerRelation)
      .createQueryBuilder('r')
      .innerJoin('r.customer', 'c')
      .select(['c.name AS name', 'r.remark AS remark'])
      .where('r.status = :active', { active: 'active' })
      .limit(2000);
    if (!viewer.isAdmin) qb.andWhere('r.staff_userid = :me', { me: viewer.userid });
    const rows: Array<{ name: string; remark: string | null }> = await qb.getRawMany();
    const names = new Set(rows.flatMap((r) => [r.name, r.remark].filter((n): n is string => !!n)));
    return [...names]
      .map((name) => ({ name, d: distance(name, q) }))
      .filter((x) => x.d <= Math.max(1, Math.ceil(q.length / 2)))
      .sort((a, b) => a.d - b.d)
      .slice(0, 3)
      .map((x) => x.name);
  }
}
