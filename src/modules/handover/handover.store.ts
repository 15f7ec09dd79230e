import { type DataSource, type EntityManager, In } from 'typeorm';
import {
  Customer,
  CustomerRelation,
  Handover,
  HandoverCustomer,
  type HandoverCustomerStatus,
  type HandoverKind,
  Opportunity,
  Reminder,
  Staff,
} from '../../../entities';
import { audit } from '../../platform/db/audit';
import { writeOnce } from '../../platform/db/idempotent-write';

/** A customer to hand over and whom they move from. */
export interface Movable {
  customerId: number;
  externalUserid: string;
  name: string;
  fromUserid: string;
}

/** The rows of handovers: proposals, each customer's answer, the counts the cards show. */
export class HandoverStore {
  constructor(private readonly dataSource: DataSource) {}

  /** Every customer a salesperson follows now. */
  async customersOf(userid: string): Promise<Movable[]> {
    return movable(await this.followed(new Set([userid])).getMany());
  }

  /**
   * Customers named `text` (name or a salesperson's remark, exactly, else containing it) whom someone
   * in `members` follows (null: anyone).
   */
  async customersNamed(text: string, members: ReadonlySet<string> | null): Promise<Movable[]> {
    const exact = await this.followed(members).andWhere('(c.name = :q OR r.remark = :q)', { q: text }).getMany();
    if (exact.length > 0) return movable(exact);
    const like = `%${text.replace(/[%_\\]/g, '\\$&')}%`;
    return movable(await this.followed(members).andWhere('(c.name LIKE :like OR r.remark LIKE :like)', { like }).getMany());
  }

  /** The customer picked from a list, if someone in `members` (null: anyone) still follows them. */
  async customerFollowed(customerId: number, members: ReadonlySet<string> | null): Promise<Movable | undefined> {
    return movable(await this.followed(members).andWhere('c.id = :customerId', { customerId }).getMany())[0];
  }

  /** Active relations of customers WeCom knows, in `members`' hands (null: anyone's), in a stable order. */
  private followed(members: ReadonlySet<string> | null) {
    const qb = this.dataSource
      .getRepository(CustomerRelation)
      .createQueryBuilder('r')
      .innerJoinAndSelect('r.customer', 'c')
      .where('r.status = :active', { active: 'active' })
      .andWhere('c.external_userid IS NOT NULL')
      .orderBy('c.id', 'ASC')
      .addOrderBy('r.id', 'ASC');
    return members ? qb.andWhere('r.staff_userid IN (:...members)', { members: [...members] }) : qb;
  }

  /** Records the proposal once per message: a redelivered message gets the first one back. */
  async propose(input: HandoverInput): Promise<Handover> {
    const { value } = await writeOnce(
      this.dataSource,
      (m) => insertHandover(m, input),
      () => this.dataSource.getRepository(Handover).findOneBy({ sourceKey: input.sourceKey }),
    );
    return value;
  }

  handover(id: number): Promise<Handover | null> {
    return this.dataSource.getRepository(Handover).findOneBy({ id });
  }

  /** The handover's customers, with their names. */
  async customers(handoverId: number, status?: HandoverCustomerStatus): Promise<Array<HandoverCustomer & { name: string }>> {
    const rows = await this.dataSource.getRepository(HandoverCustomer).find({
      where: { handoverId, ...(status ? { status } : {}) },
      relations: { customer: true },
      order: { id: 'ASC' },
    });
    return rows.map((r) => Object.assign(r, { name: r.customer.name }));
  }

  /** Moves the handover on from `from`: true for the one caller that did it (a second click, a second run, finds it moved). */
  async advance(id: number, from: Handover['status'], to: Handover['status'], at: Date, actor: string, sourceKey?: string): Promise<boolean> {
    return this.dataSource.transaction(async (m) => {
      const fields = to === 'started' ? { status: to, confirmedAt: at } : to === 'settled' ? { status: to, settledAt: at } : { status: to };
      const { affected } = await m.getRepository(Handover).update({ id, status: from }, fields);
      if (!affected) return false;
      await audit(m, { actor, action: `handover.${to}`, targetType: 'handover', targetId: id, sourceKey, at });
      return true;
    });
  }

  /** Sets each listed customer's answer, only where it is still `from`; how many changed. */
  async answer(ids: number[], from: HandoverCustomerStatus, to: HandoverCustomerStatus, at: Date, errcode: number | null = null): Promise<number> {
    if (ids.length === 0) return 0;
    const { affected } = await this.dataSource
      .getRepository(HandoverCustomer)
      .update({ id: In(ids), status: from }, { status: to, errcode, ...(to === 'waiting' ? {} : { settledAt: at }) });
    return affected ?? 0;
  }

  /** The waiting rows of started handovers for a customer, from one owner or to one new owner (userids lower-cased). */
  async waitingFor(externalUserid: string, who: { from: string } | { to: string }): Promise<Array<{ row: HandoverCustomer; handover: Handover }>> {
    const qb = this.dataSource
      .getRepository(HandoverCustomer)
      .createQueryBuilder('hc')
      .innerJoinAndMapOne('hc.handover', Handover, 'h', 'h.id = hc.handover_id')
      .where('hc.external_userid = :externalUserid AND hc.status = :waiting AND h.status = :started', {
        externalUserid,
        waiting: 'waiting',
        started: 'started',
      });
    if ('from' in who) qb.andWhere('hc.from_userid = :from', { from: who.from });
    else qb.andWhere('h.to_userid = :to', { to: who.to });
    return (await qb.getMany()).map((row) => ({ row, handover: row.handover }));
  }

  async counts(customerIds: number[], owners: string[]): Promise<{ openOpportunities: number; openReminders: number }> {
    if (customerIds.length === 0) return { openOpportunities: 0, openReminders: 0 };
    const ids = In(customerIds);
    const [openOpportunities, openReminders] = await Promise.all([
      this.dataSource.getRepository(Opportunity).countBy({ customerId: ids, staffUserid: In(owners), status: 'open' }),
      this.dataSource.getRepository(Reminder).countBy({ customerId: ids, staffUserid: In(owners), status: In(['pending', 'sent']) }),
    ]);
    return { openOpportunities, openReminders };
  }

  async staff(userids: string[]): Promise<Map<string, Staff>> {
    if (userids.length === 0) return new Map();
    return new Map((await this.dataSource.getRepository(Staff).findBy({ userid: In(userids) })).map((s) => [s.userid, s]));
  }

  async customerIds(externalUserids: string[]): Promise<Map<string, number>> {
    if (externalUserids.length === 0) return new Map();
    return new Map((await this.dataSource.getRepository(Customer).findBy({ externalUserid: In(externalUserids) })).map((c) => [c.externalUserid!, c.id]));
  }
}

/** One handover to write: its kind, new owner, who asked, the key that makes it once, and its customers. */
export interface HandoverInput {
  kind: HandoverKind;
  toUserid: string;
  requestedBy: string;
  sourceKey: string;
  customers: Movable[];
  /** already confirmed (a leaver's lead decided on the card): written as started, with its audit row */
  startedAt?: Date;
}

/** Writes a handover and its customers (and `handover.proposed`, or `handover.started` when confirmed) in the caller's transaction. */
export async function insertHandover(m: EntityManager, input: HandoverInput): Promise<Handover> {
  const started = input.startedAt !== undefined;
  const handover = await m.getRepository(Handover).save({
    kind: input.kind,
    toUserid: input.toUserid,
    requestedBy: input.requestedBy,
    sourceKey: input.sourceKey,
    status: started ? ('started' as const) : ('proposed' as const),
    confirmedAt: input.startedAt ?? null,
  });
  const rows = input.customers.map((c) => ({
    handoverId: handover.id,
    customerId: c.customerId,
    externalUserid: c.externalUserid,
    fromUserid: c.fromUserid,
    status: 'proposed' as const,
  }));
  for (let i = 0; i < rows.length; i += 500) await m.getRepository(HandoverCustomer).insert(rows.slice(i, i + 500));
  await audit(m, {
    actor: input.requestedBy,
    action: started ? 'handover.started' : 'handover.proposed',
    targetType: 'handover',
    targetId: handover.id,
    detail: { kind: input.kind, to: input.toUserid, customers: rows.length },
    sourceKey: input.sourceKey,
    ...(input.startedAt ? { at: input.startedAt } : {}),
  });
  return handover;
}

function movable(rows: CustomerRelation[]): Movable[] {
  return rows.map((r) => ({
    customerId: r.customerId,
    externalUserid: r.customer.externalUserid!,
    name: r.remark || r.customer.name,
    fromUserid: r.staffUserid,
  }));
}
