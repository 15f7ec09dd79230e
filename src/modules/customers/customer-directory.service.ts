import { distance } from 'fastest-levenshtein';
import { Brackets, In, type DataSource } from 'typeorm';
import { Customer, CustomerRelation, FollowUp, type RelationStatus, Staff, Team } from '../../../entities';
import { ERASED_NAME } from '../personal-data';

/** An erased customer (personal-data): no WeCom id and the placeholder name. */
const NOT_ERASED = '(c.external_userid IS NOT NULL OR c.name <> :erased)';
export interface Viewer {
  /** lower-cased userid */
  userid: string;
  isAdmin: boolean;
}

/**
 * Whose customers a viewer reaches: `own` (commands that write: a follow-up, a stage, a tag) or
 * `team` (commands that only show: a team lead also sees the customers of the teams they lead, as
 * 报表 decides who is a lead). Admins reach everyone either way.
 */
export type Reach = 'own' | 'team';

/** One of several customers a name matched, with what tells it apart from the others. */
export interface CustomerCandidate {
  customer: Customer;
  remark: string | null;
  /** the relation the match came from (the viewer's own first) */
  relation: Pick<CustomerRelation, 'staffUserid' | 'state' | 'addedAt' | 'remarkMobiles'>;
  lastFollowUp: { at: Date; content: string } | null;
  /** set when that relation has ended (the customer deleted the salesperson, or the reverse) */
  endedAt?: Date | null;
  /** whose customer it is, when not the viewer's own (a lead's or an admin's list) */
  ownerName?: string | null;
}

export type CustomerLookup = { kind: 'one'; customer: Customer } | { kind: 'many'; candidates: CustomerCandidate[] } | { kind: 'none'; closest: string[] };

const MAX_CANDIDATES = 9;

/**
 * Relations through which a salesperson still finds a customer: those they follow, and those that
 * ended by a deletion (删人, either side), whose history is theirs (the 删人提醒 says it is kept).
 * A customer transferred to a colleague is the colleague's now.
 */
const FINDABLE: RelationStatus[] = ['active', 'lost', 'removed'];

interface SearchRow {
  customer: Customer;
  remark: string | null;
  relation: CustomerRelation;
  endedAt: Date | null;
}

/**
 * Finds customers the way a salesperson names them: name, their own remark, or part of a phone
 * number, among the customers they follow (admins: everyone). An exact name or remark wins over
 * partial matches, so "张三" is not ambiguous just because "张三丰" exists. A customer who deleted
 * the salesperson (or whom they deleted) is still found, listed after the ones they follow.
 */
export class CustomerDirectory {
  constructor(private readonly dataSource: DataSource) {}

  async lookup(viewer: Viewer, query: string, reach: Reach = 'own'): Promise<CustomerLookup> {
    const q = query.trim();
    const scope = await this.scope(viewer, reach);
    const rows = await this.search(viewer, scope, q);
    const byId = new Map<number, SearchRow & { exact: boolean }>();
    for (const row of rows) {
      const exact = row.customer.name === q || row.remark === q;
      const previous = byId.get(row.customer.id);
      // A customer reached through several relations (an admin's view) keeps the best one: exact, then still followed.
      const better = !previous || (exact && !previous.exact) || (exact === previous.exact && previous.endedAt !== null && row.endedAt === null);
      if (better) byId.set(row.customer.id, { ...row, exact });
    }
    // Still followed first, then those whose relation ended (most recently first); the search order within each.
    const matches = [...byId.values()].sort(
      (a, b) => Number(a.endedAt !== null) - Number(b.endedAt !== null) || (b.endedAt?.getTime() ?? 0) - (a.endedAt?.getTime() ?? 0),
    );
    const exact = matches.filter((m) => m.exact);
    if (exact.length === 1) return { kind: 'one', customer: exact[0]!.customer };
    if (matches.length === 1) return { kind: 'one', customer: matches[0]!.customer };
    if (matches.length > 1) {
      const preferred = exact.length > 1 ? exact : matches;
      return { kind: 'many', candidates: await this.withOwners(viewer, await this.withLastFollowUps(preferred.slice(0, MAX_CANDIDATES))) };
    }
    return { kind: 'none', closest: await this.closestNames(scope, q) };
  }

  /** The salespeople whose customers the viewer reaches; null: everyone (an admin). */
  async scope(viewer: Viewer, reach: Reach): Promise<string[] | null> {
    if (viewer.isAdmin) return null;
    if (reach === 'own') return [viewer.userid];
    const led = await this.dataSource.getRepository(Team).find({ where: { leadUserid: viewer.userid }, select: { id: true } });
    // Members who left stay in scope: their customers wait for a new owner, and the lead is the one to find them.
    const members = led.length
      ? await this.dataSource.getRepository(Staff).find({ where: { teamId: In(led.map((t) => t.id)) }, select: { userid: true } })
      : [];
    return [...new Set([viewer.userid, ...members.map((m) => m.userid)])];
  }

  /** The viewer's customers (with `team`, a lead's include their teams'), most recent activity first, optionally by stage or tag name. */
  async list(
    viewer: Viewer,
    filter: { stage: string | null; tag: string | null; page: number; pageSize: number },
    reach: Reach = 'own',
  ): Promise<{ customers: Customer[]; total: number }> {
    const qb = this.dataSource.getRepository(Customer).createQueryBuilder('c');
    const scope = await this.scope(viewer, reach);
    if (scope) {
      // EXISTS, not a join: a customer two members of the team follow is listed once.
      qb.andWhere('EXISTS (SELECT 1 FROM customer_relations r WHERE r.customer_id = c.id AND r.status = :active AND r.staff_userid IN (:...scope))', {
        active: 'active',
        scope,
      });
    }
    // an erased customer's row stays for the counts, anonymised; nobody lists it
    qb.andWhere(NOT_ERASED, { erased: ERASED_NAME });
    if (filter.stage) qb.andWhere('c.stage = :stage', { stage: filter.stage });
    if (filter.tag) {
      qb.andWhere('EXISTS (SELECT 1 FROM customer_tags ct INNER JOIN tags t ON t.id = ct.tag_id WHERE ct.customer_id = c.id AND t.name = :tag)', {
        tag: filter.tag,
      });
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

  /** A customer by id, if the viewer may see it (one they, or with `team` a member of a team they lead, follow, or one whose deletion ended that relation). */
  async visible(viewer: Viewer, customerId: number, reach: Reach = 'own'): Promise<Customer | null> {
    const customer = await this.dataSource.getRepository(Customer).findOneBy({ id: customerId });
    const scope = await this.scope(viewer, reach);
    if (!customer || scope === null) return customer;
    return (await this.dataSource.getRepository(CustomerRelation).existsBy({ staffUserid: In(scope), customerId, status: In(FINDABLE) })) ? customer : null;
  }

  async follows(userid: string, customerId: number): Promise<boolean> {
    return this.dataSource.getRepository(CustomerRelation).existsBy({ staffUserid: userid, customerId, status: 'active' });
  }

  /**
   * The viewer's own customers whose name (or the viewer's remark) is written somewhere in `text`
   * ("给刘洋发报价" names 刘洋). A name inside a longer matching one (张三 in 张三丰) does not count
   * separately. Names of one character are too common in text to mean anyone.
   */
  async mentionedIn(userid: string, text: string): Promise<Customer[]> {
    const relations = await this.dataSource
      .getRepository(CustomerRelation)
      .createQueryBuilder('r')
      .innerJoinAndSelect('r.customer', 'c')
      .where('r.status = :active AND r.staff_userid = :me', { active: 'active', me: userid })
      // INSTR is the same function on MariaDB, MySQL and SQLite.
      .andWhere(
        new Brackets((w) =>
          w.where('(LENGTH(c.name) > 1 AND INSTR(:text, c.name) > 0)', { text }).orWhere('(LENGTH(r.remark) > 1 AND INSTR(:text, r.remark) > 0)', { text }),
        ),
      )
      .take(20)
      .getMany();
    const found = relations.map((r) => ({
      customer: r.customer,
      name:
        [r.customer.name, r.remark].filter((n): n is string => !!n && Array.from(n).length > 1 && text.includes(n)).sort((a, b) => b.length - a.length)[0] ??
        '',
    }));
    const kept = found.filter((m) => m.name && !found.some((o) => o.name.length > m.name.length && o.name.includes(m.name)));
    return [...new Map(kept.map((m) => [m.customer.id, m.customer])).values()];
  }

  /** Names the salesperson of each candidate that is not the viewer's own (one query): a lead's two 王磊 may be 张伟's and 李娜's. */
  private async withOwners(viewer: Viewer, candidates: CustomerCandidate[]): Promise<CustomerCandidate[]> {
    const others = [...new Set(candidates.map((c) => c.relation.staffUserid).filter((u) => u !== viewer.userid.toLowerCase()))];
    if (others.length === 0) return candidates;
    const staff = await this.dataSource.getRepository(Staff).findBy({ userid: In(others) });
    const names = new Map(staff.map((s) => [s.userid, s.name ?? s.userid]));
    return candidates.map((c) =>
      c.relation.staffUserid === viewer.userid.toLowerCase() ? c : { ...c, ownerName: names.get(c.relation.staffUserid) ?? c.relation.staffUserid },
    );
  }

  /** Adds each candidate's last follow-up (one query), which often tells two 王磊 apart best. */
  private async withLastFollowUps(matches: SearchRow[]): Promise<CustomerCandidate[]> {
    const ids = matches.map((m) => m.customer.id);
    const latest: FollowUp[] = ids.length
      ? await this.dataSource
          .getRepository(FollowUp)
          .createQueryBuilder('f')
          .where('f.customer_id IN (:...ids)', { ids })
          .andWhere('f.id = (SELECT MAX(f2.id) FROM follow_ups f2 WHERE f2.customer_id = f.customer_id)')
          .getMany()
      : [];
    const byCustomer = new Map(latest.map((f) => [f.customerId, f]));
    return matches.map(({ customer, remark, relation, endedAt }) => {
      const f = byCustomer.get(customer.id);
      return { customer, remark, relation, lastFollowUp: f ? { at: f.createdAt, content: f.content } : null, endedAt };
    });
  }

  private async search(viewer: Viewer, scope: string[] | null, q: string): Promise<SearchRow[]> {
    const like = `%${q.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
    const digits = /^\d{3,}$/.test(q);
    const qb = this.dataSource
      .getRepository(CustomerRelation)
      .createQueryBuilder('r')
      .innerJoinAndSelect('r.customer', 'c')
      .where('r.status IN (:...findable)', { findable: FINDABLE })
      .andWhere(NOT_ERASED, { erased: ERASED_NAME })
      .andWhere(
        new Brackets((w) => {
          w.where('c.name LIKE :like', { like }).orWhere('r.remark LIKE :like', { like });
          if (digits) w.orWhere('r.remark_mobiles LIKE :like', { like });
        }),
      )
      // relations still active first, so that the 50 read are the ones that matter most
      // (limit, not take: one row per relation, and TypeORM's take path rejects expressions in ORDER BY)
      .addSelect("CASE WHEN r.status = 'active' THEN 0 ELSE 1 END", 'ended_rank')
      .orderBy('ended_rank', 'ASC')
      .addOrderBy('c.updated_at', 'DESC')
      // ties broken the same way every time: a list and the answer to it agree on the numbering
      .addOrderBy('c.id', 'DESC')
      .limit(50);
    if (scope) qb.andWhere('r.staff_userid IN (:...scope)', { scope });
    const relations = await qb.getMany();
    // The viewer's own customers come first (an admin's, a lead's), then everyone else's.
    const own = (r: CustomerRelation) => (r.staffUserid === viewer.userid ? 0 : 1);
    return relations
      .sort((a, b) => own(a) - own(b))
      .map((r) => ({ customer: r.customer, remark: r.remark, relation: r, endedAt: r.status === 'active' ? null : (r.endedAt ?? r.updatedAt) }));
  }

  private async closestNames(scope: string[] | null, q: string): Promise<string[]> {
    const qb = this.dataSource
      .getRepository(CustomerRelation)
      .createQueryBuilder('r')
      .innerJoin('r.customer', 'c')
      .select(['c.name AS name', 'r.remark AS remark'])
      .where('r.status IN (:...findable)', { findable: FINDABLE })
      .limit(2000);
    if (scope) qb.andWhere('r.staff_userid IN (:...scope)', { scope });
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
