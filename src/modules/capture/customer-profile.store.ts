import { In, type EntityManager } from 'typeorm';
import { insertIgnore } from '../../platform/db/insert-ignore';
import { liftErasure } from '../personal-data';
import { Customer, CustomerRelation, CustomerTag, Tag } from '../../../entities';
import type { ExternalContact, FollowInfo, FollowUser } from '../../platform/wecom/api/wecom-api.types';

/**
 * Writes what WeCom says about a customer. Every write is an upsert keyed by WeCom ids
 * (external_userid, external_userid+userid, tag id), so a redelivered or replayed event, a job
 * retry, a backfill and a reconciliation all converge on the same rows instead of duplicating them.
 */

export type CustomerFields = Pick<Customer, 'name' | 'avatar' | 'wecomType' | 'gender' | 'corpName' | 'corpFullName' | 'position' | 'unionid'>;

export function customerFields(contact: ExternalContact): CustomerFields {
  return {
    name: (contact.name ?? '').slice(0, 128) || contact.external_userid,
    avatar: contact.avatar || null,
    wecomType: contact.type ?? null,
    gender: contact.gender ?? 0,
    corpName: contact.corp_name || null,
    corpFullName: contact.corp_full_name || null,
    position: contact.position || null,
    unionid: contact.unionid || null,
  };
}

/** Upserts the customer; `created` is true when this call inserted the row. */
export async function upsertCustomer(m: EntityManager, contact: ExternalContact): Promise<{ customer: Customer; created: boolean }> {
  const repo = m.getRepository(Customer);
  const fields = customerFields(contact);
  const created = (await insertIgnore(m.getRepository(Customer), { externalUserid: contact.external_userid, ...fields })) === 1;
  const customer = await repo.findOneByOrFail({ externalUserid: contact.external_userid });
  // Sync skips erased customers before it gets here: this is WeCom telling us of them again (an add, an edit), and they start anew.
  if (created) await liftErasure(m, contact.external_userid);
  // Unchanged rows are not written: a repeated sync must leave updated_at (and the binlog) alone.
  if (!created && differs(customer, fields)) {
    await repo.update({ id: customer.id }, fields);
    Object.assign(customer, fields);
  }
  return { customer, created };
}

export type RelationFields = Pick<
  CustomerRelation,
  'remark' | 'description' | 'remarkMobiles' | 'remarkCorpName' | 'state' | 'addWay' | 'operUserid' | 'addedAt'
>;

export function relationFields(follow: FollowUser | FollowInfo): RelationFields {
  const mobiles = (follow.remark_mobiles ?? []).filter(Boolean);
  return {
    remark: follow.remark ? follow.remark.slice(0, 64) : null,
    description: follow.description ? follow.description.slice(0, 512) : null,
    remarkMobiles: mobiles.length > 0 ? mobiles : null,
    remarkCorpName: follow.remark_corp_name || null,
    state: follow.state || null,
    addWay: follow.add_way ?? null,
    operUserid: follow.oper_userid ? follow.oper_userid.toLowerCase() : null,
    addedAt: follow.createtime ? new Date(follow.createtime * 1000) : null,
  };
}

/**
 * Upserts the relation as active (WeCom lists this salesperson as following the customer, so that
 * is the truth now, whatever an older event said). `created` is true when it is new or was ended.
 */
export async function upsertActiveRelation(m: EntityManager, customerId: number, follow: FollowUser | FollowInfo): Promise<{ created: boolean }> {
  const repo = m.getRepository(CustomerRelation);
  const staffUserid = follow.userid.toLowerCase();
  const fields = relationFields(follow);
  let created = (await insertIgnore(m.getRepository(CustomerRelation), { customerId, staffUserid, ...fields, status: 'active' })) === 1;
  if (!created) {
    const before = await repo.findOneByOrFail({ customerId, staffUserid });
    created = before.status !== 'active';
    if (created || differs(before, fields))
      await repo.update({ id: before.id }, { ...fields, status: 'active', ...(created ? { endedAt: null, endReason: null } : {}) });
  }
  return { created };
}

export interface WecomTagRef {
  id: string;
  name?: string;
  groupName?: string;
}

export interface CorpTagDiff {
  added: number;
  removed: number;
  /** our tag ids of the links removed (for the audit log and the timeline) */
  removedTagIds: number[];
}

/**
 * Makes the customer's corp-tag links equal `tags`, WeCom's current tags of the customer (the union
 * over the salespeople who follow them). WeCom is the truth for corp tags whoever linked them here:
 * a tag a channel rule or 打标签 added and someone then removed in the WeCom client goes. Local tags
 * are ours alone and stay. A tag id not yet in the dictionary is added from the names WeCom gave.
 */
export async function syncCorpTags(m: EntityManager, customerId: number, tags: WecomTagRef[], options: { newCustomer?: boolean } = {}): Promise<CorpTagDiff> {
  const tagRepo = m.getRepository(Tag);
  const links = m.getRepository(CustomerTag);
  const ids = [...new Set(tags.map((t) => t.id))];
  for (const ref of tags) {
    if (!ref.name) continue;
    await insertIgnore(tagRepo, { wecomTagId: ref.id, name: ref.name.slice(0, 64), groupName: (ref.groupName ?? '').slice(0, 64), origin: 'wecom' });
  }
  const known = ids.length > 0 ? await tagRepo.findBy({ wecomTagId: In(ids) }) : [];
  // a customer created in this transaction has no links yet
  const current = options.newCustomer ? [] : await links.find({ where: { customerId }, relations: { tag: true } });
  const wanted = new Set(known.map((t) => t.id));
  const missing = known.filter((t) => !current.some((l) => l.tagId === t.id));
  if (missing.length > 0) {
    await insertIgnore(
      links,
      missing.map((t) => ({ customerId, tagId: t.id, source: 'wecom' as const, addedBy: null })),
    );
  }
  const stale = current.filter((l) => l.tag.origin === 'wecom' && !wanted.has(l.tagId));
  if (stale.length > 0) await links.delete({ id: In(stale.map((l) => l.id)) });
  return { added: missing.length, removed: stale.length, removedTagIds: stale.map((l) => l.tagId) };
}

/**
 * Links the corp tags one follower has in WeCom (batch/get_by_user reads one follower at a time, so
 * it can add but never remove: another follower may still have a tag this one lacks).
 */
export async function addCorpTagLinks(m: EntityManager, customerId: number, wecomTagIds: string[]): Promise<number> {
  if (wecomTagIds.length === 0) return 0;
  const known = await m.getRepository(Tag).findBy({ wecomTagId: In([...new Set(wecomTagIds)]) });
  if (known.length === 0) return 0;
  return insertIgnore(
    m.getRepository(CustomerTag),
    known.map((t) => ({ customerId, tagId: t.id, source: 'wecom' as const, addedBy: null })),
  );
}

/** Tag refs from externalcontact/get (names included, personal tags skipped: they have no id). */
export function tagRefsOf(followUsers: FollowUser[]): WecomTagRef[] {
  return followUsers.flatMap((f) =>
    (f.tags ?? []).filter((t) => t.tag_id && t.type !== 2).map((t) => ({ id: t.tag_id!, name: t.tag_name, groupName: t.group_name })),
  );
}

/** True when any of `after`'s fields differs from `before` (dates by instant, arrays by value). */
export function differs(before: object, after: object): boolean {
  return Object.entries(after).some(([key, value]) => {
    const old = (before as Record<string, unknown>)[key];
    if (value instanceof Date || old instanceof Date)
      return (old ? new Date(old as Date).getTime() : null) !== (value ? new Date(value as Date).getTime() : null);
    return JSON.stringify(old ?? null) !== JSON.stringify(value ?? null);
  });
}
