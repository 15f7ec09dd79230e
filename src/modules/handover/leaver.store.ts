import { type DataSource, In } from 'typeorm';
import { Customer, CustomerGroup, FollowUp, Handover, Leaver, type LeaverSource, Opportunity, Reminder, Staff, Team } from '../../../entities';
import { audit } from '../../platform/db/audit';
import { insertIgnore } from '../../platform/db/insert-ignore';
import { type HandoverInput, HandoverStore, insertHandover, type Movable } from './handover.store';

/** A leaver's customer with what makes them valuable: open opportunities (by amount) and the last follow-up. */
export interface RankedCustomer extends Movable {
  openAmount: number;
  openOpportunities: number;
  lastFollowUpAt: Date | null;
}

const CHUNK = 500;
const chunks = <T>(all: T[]) => Array.from({ length: Math.ceil(all.length / CHUNK) }, (_, i) => all.slice(i * CHUNK, (i + 1) * CHUNK));

/** The `leavers` rows, a leaver's customers most valuable first, their team and groups, and the decision that starts their handovers. */
export class LeaverStore {
  private readonly handovers: HandoverStore;

  constructor(private readonly dataSource: DataSource) {
    this.handovers = new HandoverStore(dataSource);
  }

  /** The leaver's row, written by the first caller only (true); later callers read it. */
  async record(input: {
    userid: string;
    standInUserid: string | null;
    source: LeaverSource;
    empty: boolean;
    customers: number;
    at: Date;
  }): Promise<{ leaver: Leaver; created: boolean }> {
    const created = await this.dataSource.transaction(async (m) => {
      const written = await insertIgnore(m.getRepository(Leaver), {
        userid: input.userid,
        standInUserid: input.standInUserid,
        source: input.source,
        status: input.empty ? 'empty' : 'offered',
      });
      if (written === 0) return false;
      await audit(m, {
        actor: 'system',
        action: 'handover.leaver',
        targetType: 'staff',
        targetId: input.userid,
        detail: { source: input.source, customers: input.customers, standIn: input.standInUserid },
        sourceKey: `leaver:${input.userid}`,
        at: input.at,
      });
      return true;
    });
    return { leaver: (await this.byUserid(input.userid))!, created };
  }

  byUserid(userid: string): Promise<Leaver | null> {
    return this.dataSource.getRepository(Leaver).findOneBy({ userid: userid.toLowerCase() });
  }

  byId(id: number): Promise<Leaver | null> {
    return this.dataSource.getRepository(Leaver).findOneBy({ id });
  }

  /**
   * Everyone the leaver follows (and those WeCom lists as theirs, unassigned), the most valuable
   * first: the largest open opportunities, then the most recent follow-up, then the oldest customer.
   */
  async rankedCustomers(userid: string, alsoExternalUserids: string[] = []): Promise<RankedCustomer[]> {
    const own = await this.handovers.customersOf(userid);
    const known = new Set(own.map((c) => c.externalUserid));
    const extra = alsoExternalUserids.filter((id) => !known.has(id));
    for (const ids of chunks(extra)) {
      const found = await this.dataSource.getRepository(Customer).findBy({ externalUserid: In(ids) });
      own.push(...found.map((c) => ({ customerId: c.id, externalUserid: c.externalUserid!, name: c.name, fromUserid: userid })));
    }
    const amount = new Map<number, { sum: number; count: number }>();
    const last = new Map<number, Date>();
    for (const part of chunks(own.map((c) => c.customerId))) {
      for (const o of await this.dataSource.getRepository(Opportunity).findBy({ customerId: In(part), staffUserid: userid, status: 'open' })) {
        const entry = amount.get(o.customerId) ?? { sum: 0, count: 0 };
        amount.set(o.customerId, { sum: entry.sum + Number(o.amount), count: entry.count + 1 });
      }
      const rows: Array<{ customerId: number | string; at: Date | string }> = await this.dataSource
        .getRepository(FollowUp)
        .createQueryBuilder('f')
        .select('f.customer_id', 'customerId')
        .addSelect('MAX(f.created_at)', 'at')
        .where('f.customer_id IN (:...part)', { part })
        .groupBy('f.customer_id')
        .getRawMany();
      for (const r of rows) last.set(Number(r.customerId), r.at instanceof Date ? r.at : new Date(`${String(r.at).replace(' ', 'T')}Z`));
    }
    return own
      .map((c) => ({
        ...c,
        openAmount: amount.get(c.customerId)?.sum ?? 0,
        openOpportunities: amount.get(c.customerId)?.count ?? 0,
        lastFollowUpAt: last.get(c.customerId) ?? null,
      }))
      .sort((a, b) => b.openAmount - a.openAmount || (b.lastFollowUpAt?.getTime() ?? 0) - (a.lastFollowUpAt?.getTime() ?? 0) || a.customerId - b.customerId);
  }

  openReminders(userid: string): Promise<number> {
    return this.dataSource.getRepository(Reminder).countBy({ staffUserid: userid, status: In(['pending', 'sent']) });
  }

  /** The leaver's team and its lead (lower-cased userid), null without a team. */
  async teamOf(userid: string): Promise<{ team: Team; members: Staff[] } | null> {
    const me = await this.dataSource.getRepository(Staff).findOneBy({ userid });
    if (!me?.teamId) return null;
    const team = await this.dataSource.getRepository(Team).findOneBy({ id: me.teamId });
    if (!team) return null;
    const members = await this.dataSource.getRepository(Staff).find({ where: { teamId: team.id }, order: { id: 'ASC' } });
    return { team, members };
  }

  /** Active customer groups whose owner is the leaver. */
  async groupsOf(userid: string): Promise<CustomerGroup[]> {
    return this.dataSource.getRepository(CustomerGroup).findBy({ ownerUserid: userid, status: 'active' });
  }

  /**
   * The lead's decision, once per round: the leaver moves on from `round` decisions taken (0: the
   * card's first) and the handovers it starts (one per new owner, already confirmed) are written in
   * the same transaction. Null for a decision that lost the race (another click, a command after the
   * click): nothing is written.
   */
  async decide(
    leaverId: number,
    round: number,
    decision: string,
    by: string,
    at: Date,
    sourceKey: string,
    handovers: HandoverInput[],
  ): Promise<Handover[] | null> {
    return this.dataSource.transaction(async (m) => {
      const { affected } = await m
        .getRepository(Leaver)
        .update(
          { id: leaverId, rounds: round, status: In(['offered', 'assigned']) },
          { status: 'assigned', rounds: round + 1, decision, decidedBy: by, decidedAt: at },
        );
      if (!affected) return null;
      const written: Handover[] = [];
      for (const input of handovers) written.push(await insertHandover(m, input));
      await audit(m, {
        actor: by,
        action: 'handover.leaver_assigned',
        targetType: 'leaver',
        targetId: leaverId,
        detail: {
          round: round + 1,
          decision,
          handovers: written.map((h) => ({ id: h.id, to: h.toUserid })),
          customers: handovers.reduce((n, h) => n + h.customers.length, 0),
        },
        sourceKey,
        at,
      });
      return written;
    });
  }

  /** The handovers a leaver's decision started (their source keys name the leaver). */
  handoversOf(leaverId: number): Promise<Handover[]> {
    return this.dataSource
      .getRepository(Handover)
      .createQueryBuilder('h')
      .where('h.source_key LIKE :key', { key: `leaver:${leaverId}:%` })
      .orderBy('h.id', 'ASC')
      .getMany();
  }

  /** True for the one caller that records the groups as handed over. */
  async groupsMoved(leaverId: number, at: Date, actor: string, detail: Record<string, unknown>): Promise<boolean> {
    return this.dataSource.transaction(async (m) => {
      const { affected } = await m
        .getRepository(Leaver)
        .createQueryBuilder()
        .update()
        .set({ groupsMovedAt: at })
        .where('id = :id AND groups_moved_at IS NULL', { id: leaverId })
        .execute();
      if (!affected) return false;
      await audit(m, { actor, action: 'handover.groups', targetType: 'leaver', targetId: leaverId, detail, at });
      return true;
    });
  }

  async setGroupOwner(chatIds: string[], owner: string): Promise<void> {
    if (chatIds.length > 0) await this.dataSource.getRepository(CustomerGroup).update({ chatId: In(chatIds) }, { ownerUserid: owner });
  }
}
