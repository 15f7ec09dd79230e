import type { DataSource, EntityManager } from 'typeorm';
import { AuditLog, Customer, CustomerRelation, CustomerTag, type RelationStatus, Staff, type Tag } from '../../../entities';
import { audit } from '../../platform/db/audit';
import { insertIgnore } from '../../platform/db/insert-ignore';
import { RowCache } from '../../platform/db/row-cache';
import type { FollowUser, GetExternalContactResponse } from '../../platform/wecom/api/wecom-api.types';
import { syncCorpTags, tagRefsOf, upsertActiveRelation, upsertCustomer } from './customer-profile.store';

/** What an add's transaction wrote: the customer, and whether it created them and the relation. */
export interface RecordedAdd {
  customer: Customer;
  customerCreated: boolean;
  relationCreated: boolean;
  /** an earlier try of this event committed the add already (this one is its retry) */
  recordedBefore: boolean;
}

/** What an add writes: WeCom's customer, the follow user who added them, and what the channel rule gives. */
export interface AddedCustomer {
  detail: GetExternalContactResponse;
  follow: FollowUser;
  ruleTags: Tag[];
  /** the rule's stage, for a customer new to us */
  stage: Customer['stage'] | null;
  /** the audit row's detail */
  auditDetail: (created: boolean) => Record<string, unknown>;
}

/** How long a salesperson's row (their name) is reused by the adds that follow. */
const NAMED_STAFF_TTL_MS = 60_000;

/**
 * The rows customer capture reads and writes (customers, relations, tags, staff, and one audit row per
 * action and event), so CustomerCaptureService holds only the rules. Each event's writes are one
 * transaction: a burst is bound by commits.
 */
export class CustomerCaptureStore {
  /** Salespeople with a name, as read at most NAMED_STAFF_TTL_MS ago: a burst of adds is a few people's, read once each. */
  private readonly named = new RowCache<Staff>(NAMED_STAFF_TTL_MS);

  constructor(private readonly dataSource: DataSource) {}

  /**
   * Known salespeople are only read: an INSERT per event would cost a commit in a burst. One with a
   * name is read again after NAMED_STAFF_TTL_MS (a rename in the directory shows within it); one
   * without is read every time, so the name the directory lookup stores is seen at once.
   */
  async ensureStaff(userId: string): Promise<Staff> {
    const userid = userId.toLowerCase();
    const cached = this.named.get(userid);
    if (cached) return cached;
    const repo = this.dataSource.getRepository(Staff);
    let staff = await repo.findOneBy({ userid });
    if (!staff) {
      await insertIgnore(repo, { userid, wecomUserid: userId });
      staff = await repo.findOneByOrFail({ userid });
    }
    if (staff.name) this.named.set(userid, staff);
    else this.named.delete(userid);
    return staff;
  }

  async staffName(userid: string): Promise<string | null> {
    return (await this.dataSource.getRepository(Staff).findOneBy({ userid }))?.name ?? null;
  }

  /**
   * The profile, relation, tags (WeCom's and the rule's), stage and audit of an add, and what
   * `alsoWrite` adds (the SOPs it starts), in one transaction (one commit).
   */
  recordAdd<T>(dedupeKey: string, add: AddedCustomer, alsoWrite: (m: EntityManager, recorded: RecordedAdd) => Promise<T>): Promise<RecordedAdd & { also: T }> {
    return this.dataSource.transaction(async (m) => {
      const { customer, created } = await upsertCustomer(m, add.detail.external_contact);
      const relation = await upsertActiveRelation(m, customer.id, add.follow);
      await syncCorpTags(m, customer.id, tagRefsOf(add.detail.follow_user), { newCustomer: created });
      if (add.ruleTags.length > 0) {
        await insertIgnore(
          m.getRepository(CustomerTag),
          add.ruleTags.map((t) => ({ customerId: customer.id, tagId: t.id, source: 'rule' as const, addedBy: 'system' })),
        );
      }
      if (created && add.stage && customer.stage !== add.stage) {
        await m.getRepository(Customer).update({ id: customer.id }, { stage: add.stage, stageChangedAt: new Date() });
      }
      // A customer this transaction created has no audit row of this event yet (a retry after a commit finds the customer).
      const recordedBefore = !(await this.auditOnce(dedupeKey, 'customer.add', customer.id, add.auditDetail(created), m, { firstTry: created }));
      const recorded = { customer, customerCreated: created, relationCreated: relation.created, recordedBefore };
      return { ...recorded, also: await alsoWrite(m, recorded) };
    });
  }

  /** An edit: the profile and WeCom's tags as WeCom has them now, and the relation when the edit overtook its add. */
  async recordEdit(dedupeKey: string, detail: GetExternalContactResponse, follow: FollowUser | undefined, userid: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const { customer } = await upsertCustomer(m, detail.external_contact);
      if (follow) await upsertActiveRelation(m, customer.id, follow);
      const { added, removed, removedTagIds } = await syncCorpTags(m, customer.id, tagRefsOf(detail.follow_user));
      await this.auditOnce(dedupeKey, 'customer.edit', customer.id, { userid, added, removed, removedTagIds }, m);
    });
  }

  customerOf(externalUserid: string): Promise<Customer | null> {
    return this.dataSource.getRepository(Customer).findOneBy({ externalUserid });
  }

  relationOf(customerId: number, staffUserid: string): Promise<CustomerRelation | null> {
    return this.dataSource.getRepository(CustomerRelation).findOneBy({ customerId, staffUserid });
  }

  /** The relation as it is now (after the end was written, or by a run before this one). */
  relationById(id: number): Promise<CustomerRelation> {
    return this.dataSource.getRepository(CustomerRelation).findOneByOrFail({ id });
  }

  /** Ends an active relation (only an active one: a replay changes nothing) with its audit row. */
  async endRelation(
    dedupeKey: string,
    relation: Pick<CustomerRelation, 'id' | 'customerId'>,
    end: { status: Exclude<RelationStatus, 'active'>; at: Date; reason: string; userid: string },
  ): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await m.getRepository(CustomerRelation).update({ id: relation.id, status: 'active' }, { status: end.status, endedAt: end.at, endReason: end.reason });
      await this.auditOnce(dedupeKey, `relation.${end.status}`, relation.customerId, { userid: end.userid, reason: end.reason }, m);
    });
  }

  /**
   * One audit row per (action, event): a retried job does not write it again. False when it was there
   * already. `firstTry`: the caller knows no earlier try of the event wrote it (the check is skipped).
   */
  async auditOnce(
    dedupeKey: string,
    action: string,
    targetId: number | string,
    detail: Record<string, unknown>,
    manager?: EntityManager,
    options: { firstTry?: boolean } = {},
  ): Promise<boolean> {
    const write = async (m: EntityManager) => {
      if (!options.firstTry && (await m.getRepository(AuditLog).existsBy({ action, sourceKey: dedupeKey }))) return false;
      await audit(m, { actor: 'system', action, targetType: 'customer', targetId, detail, sourceKey: dedupeKey });
      return true;
    };
    return manager ? write(manager) : this.dataSource.transaction(write);
  }
}
