import { randomUUID } from 'node:crypto';
import { audit } from '../../platform/db/audit';
import { insertIgnore } from '../../platform/db/insert-ignore';
import { type EntityManager, In, Not, type DataSource } from 'typeorm';
import { Customer, CustomerGroup, CustomerRelation, Staff, SyncCheckpoint } from '../../../entities';
import type { WecomApiClient } from '../../platform/wecom/api/wecom-api.client';
import type { BatchGetByUserResponse } from '../../platform/wecom/api/wecom-api.types';
import type { CorpTagDictionary } from './corp-tag-dictionary';
import { isErasedCustomer } from '../personal-data';
import { addCorpTagLinks, customerFields, differs, relationFields, syncCorpTags, upsertActiveRelation, upsertCustomer } from './customer-profile.store';
import type { CustomerGroupSync } from './customer-group.sync';

/**
 * Backfill and reconciliation: one engine that pulls WeCom's full state (tag dictionary, every follow
 * user's customers via batch/get_by_user, customer groups) and converges the database on it.
 *
 * - backfill imports and updates; it never ends anything. It resumes a crashed run at the saved
 *   `next_cursor` of the batch it was reading.
 * - reconcile also ends what WeCom no longer has (relations → removed, groups → dismissed) and
 *   returns the drift. Ending needs the full set of a batch's relations, so a resumed reconcile
 *   re-reads its current batch from the start (a batch is ≤ 100 users).
 * Every write is an upsert keyed by WeCom ids: a second run changes nothing.
 */

export type SyncMode = 'backfill' | 'reconcile';

export interface Drift {
  added: number;
  removed: number;
  changed: number;
}

export interface SyncReport {
  runId: string;
  mode: SyncMode;
  resumed: boolean;
  followUsers: number;
  customersSeen: number;
  customers: Drift;
  relations: Drift;
  tags: Drift;
  /** corp tags on customers: links added from WeCom, links WeCom no longer has removed (whoever added them) */
  customerTags: { added: number; removed: number };
  groups: Drift;
  /** a few human-readable lines about what changed (for the admin report) */
  samples: string[];
  /** relations this reconcile ended (at most ENDED_KEPT, kept in the checkpoint): their salespeople and leads are told */
  ended: EndedRelation[];
}

export interface EndedRelation {
  relationId: number;
  staffUserid: string;
  customerName: string;
  reason: 'missing_in_wecom' | 'staff_not_following';
}

/** Ended relations remembered per run for the alerts; beyond that a run's ends are only counted (`relations.removed`). */
const ENDED_KEPT = 2000;

export interface SyncProgress {
  phase: 'tags' | 'customers' | 'groups' | 'done';
  batch: number;
  batches: number;
  customersSeen: number;
}

interface CheckpointState {
  runId: string;
  phase: 'customers' | 'groups';
  batch: number;
  cursor: string;
  report: SyncReport;
}

export const USERS_PER_BATCH = 100;
const PAGE_LIMIT = 100;

type Api = Pick<WecomApiClient, 'getFollowUserList' | 'batchGetByUser' | 'iterateGroupChats'>;

export class CustomerSync {
  /** each customer's corp tag ids in WeCom and the followers they were read from, during a reconcile */
  private seenTags: SeenTags | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly api: Api,
    private readonly dictionary: CorpTagDictionary,
    private readonly groups: CustomerGroupSync,
  ) {}

  async run(mode: SyncMode, onProgress: (p: SyncProgress) => void = () => undefined): Promise<SyncReport> {
    const checkpoints = this.dataSource.getRepository(SyncCheckpoint);
    const saved = await checkpoints.findOneBy({ name: mode });
    const resumeFrom = saved?.status === 'running' ? (saved.state as unknown as CheckpointState) : undefined;
    const state: CheckpointState = resumeFrom
      ? { ...resumeFrom, report: { ...resumeFrom.report, resumed: true }, cursor: mode === 'reconcile' ? '' : resumeFrom.cursor }
      : { runId: randomUUID(), phase: 'customers', batch: 0, cursor: '', report: emptyReport(mode) };
    state.report.runId = state.runId;
    const save = async (status: 'running' | 'done') => {
      await insertIgnore(checkpoints, { name: mode, status, state: toJson(state), startedAt: new Date() });
      await checkpoints.update(
        { name: mode },
        {
          status,
          state: toJson(state),
          finishedAt: status === 'done' ? new Date() : null,
          ...(resumeFrom || status === 'done' ? {} : { startedAt: new Date() }),
        },
      );
    };
    await save('running');
    const report = state.report;
    // a checkpoint saved before these existed
    report.customerTags ??= { added: 0, removed: 0 };
    report.ended ??= [];
    this.seenTags = mode === 'reconcile' ? new SeenTags() : undefined;

    // The dictionary first: customer tag ids are resolved against it.
    onProgress({ phase: 'tags', batch: 0, batches: 0, customersSeen: report.customersSeen });
    const tagDiff = await this.dictionary.refresh();
    report.tags = { added: tagDiff.added, removed: tagDiff.removed, changed: tagDiff.changed };

    const followUsers = [...new Set((await this.api.getFollowUserList()).follow_user ?? [])];
    report.followUsers = followUsers.length;
    const batches = chunk(followUsers, USERS_PER_BATCH);

    if (state.phase === 'customers') {
      for (; state.batch < batches.length; state.batch += 1, state.cursor = '') {
        const users = batches[state.batch]!;
        const seen = new Set<string>();
        do {
          const page = await this.api.batchGetByUser({ userid_list: users, cursor: state.cursor || undefined, limit: PAGE_LIMIT });
          for (const item of page.external_contact_list ?? []) {
            await this.storeOne(item, report);
            seen.add(relationKey(item.external_contact.external_userid, item.follow_info.userid));
          }
          state.cursor = page.next_cursor ?? '';
          await save('running');
          onProgress({ phase: 'customers', batch: state.batch + 1, batches: batches.length, customersSeen: report.customersSeen });
        } while (state.cursor);
        if (mode === 'reconcile') await this.endMissingRelations(users, seen, report);
      }
      if (mode === 'reconcile') {
        await this.endRelationsOfFormerFollowers(followUsers, report);
        await this.repairTagDrift(this.seenTags!, report);
      }
      state.phase = 'groups';
      state.batch = 0;
      await save('running');
    }

    onProgress({ phase: 'groups', batch: 0, batches: 0, customersSeen: report.customersSeen });
    await this.syncGroups(mode, report);

    await save('done');
    onProgress({ phase: 'done', batch: batches.length, batches: batches.length, customersSeen: report.customersSeen });
    return report;
  }

  private async storeOne(item: BatchGetByUserResponse['external_contact_list'][number], report: SyncReport): Promise<void> {
    report.customersSeen += 1;
    // A customer erased here (npm run customer -- erase) is not imported again while WeCom still lists them.
    if (await isErasedCustomer(this.dataSource, item.external_contact.external_userid)) return;
    await this.dataSource.transaction(async (m) => {
      const before = await m.getRepository(Customer).findOneBy({ externalUserid: item.external_contact.external_userid });
      const { customer, created } = await upsertCustomer(m, item.external_contact);
      if (created) {
        report.customers.added += 1;
        sample(report, `新客户 ${customer.name}`);
      } else if (before && differs(before, customerFields(item.external_contact))) report.customers.changed += 1;

      const relationBefore = await m.getRepository(CustomerRelation).findOneBy({ customerId: customer.id, staffUserid: item.follow_info.userid.toLowerCase() });
      const { created: relationCreated } = await upsertActiveRelation(m, customer.id, item.follow_info);
      if (relationCreated) {
        report.relations.added += 1;
        if (!created) sample(report, `${item.follow_info.userid} 新增跟进 ${customer.name}`);
      } else if (relationBefore && differs(relationBefore, relationFields(item.follow_info))) report.relations.changed += 1;

      // Corp tags from this salesperson only: tags by other followers arrive with their own rows.
      const tagIds = item.follow_info.tag_id ?? [];
      const linked = await addCorpTagLinks(m, customer.id, tagIds);
      report.customerTags.added += linked;
      if (linked > 0) await auditTagSync(m, customer.id, report.mode, { added: linked, wecomTagIds: tagIds, userid: item.follow_info.userid.toLowerCase() });
      this.seenTags?.note(customer.id, item.follow_info.userid, tagIds);
    });
  }

  /**
   * Tag drift (reconcile only): a corp tag linked here that none of the customer's followers has in
   * WeCom any more is unlinked, whoever added it. Only for customers whose every active follower was
   * read in this run (a resumed run did not re-read the batches before its crash): for the others
   * the union over followers is incomplete, and a tag one unread follower still has must not go.
   */
  private async repairTagDrift(seen: SeenTags, report: SyncReport): Promise<void> {
    const relations = this.dataSource.getRepository(CustomerRelation);
    for (const ids of chunk([...seen.customerIds()], 500)) {
      const active = await relations.find({ where: { customerId: In(ids), status: 'active' }, relations: { customer: true } });
      const followers = new Map<number, { name: string; userids: string[] }>();
      for (const r of active) {
        const entry = followers.get(r.customerId) ?? { name: r.customer.name, userids: [] };
        entry.userids.push(r.staffUserid);
        followers.set(r.customerId, entry);
      }
      for (const [customerId, { name, userids }] of followers) {
        const tags = seen.complete(customerId, userids);
        if (!tags) continue;
        const diff = await this.dataSource.transaction(async (m) => {
          const diff = await syncCorpTags(
            m,
            customerId,
            tags.map((id) => ({ id })),
          );
          if (diff.removed > 0) await auditTagSync(m, customerId, report.mode, { removed: diff.removed, removedTagIds: diff.removedTagIds });
          return diff;
        });
        report.customerTags.removed += diff.removed;
        if (diff.removed > 0) sample(report, `${name} 的${diff.removed}个标签已在企业微信移除`);
      }
    }
  }

  /** Active local relations of these users that WeCom no longer lists: the salesperson or the customer deleted the other. */
  private async endMissingRelations(users: string[], seen: Set<string>, report: SyncReport): Promise<void> {
    const relations = this.dataSource.getRepository(CustomerRelation);
    const active = await relations.find({ where: { staffUserid: In(users.map((u) => u.toLowerCase())), status: 'active' }, relations: { customer: true } });
    for (const relation of active) {
      if (!relation.customer.externalUserid || seen.has(relationKey(relation.customer.externalUserid, relation.staffUserid))) continue;
      const { affected } = await relations.update(
        { id: relation.id, status: 'active' },
        { status: 'removed', endedAt: new Date(), endReason: 'missing_in_wecom' },
      );
      if (affected === 0) continue; // an event ended it meanwhile (and alerted)
      report.relations.removed += 1;
      noteEnded(report, relation, 'missing_in_wecom');
      const stillFollowed = await relations.countBy({ customerId: relation.customerId, status: 'active' });
      if (stillFollowed === 0) report.customers.removed += 1;
      sample(report, `${relation.customer.name} 已不在 ${relation.staffUserid} 的客户中`);
    }
  }

  /**
   * Active relations of salespeople WeCom no longer lists as follow users at all (they left, or lost
   * customer-contact rights): their batches are never read, so endMissingRelations cannot see them.
   * An empty list is taken for a WeCom-side glitch, not for everyone leaving: nothing is ended then.
   */
  private async endRelationsOfFormerFollowers(followUsers: string[], report: SyncReport): Promise<void> {
    if (followUsers.length === 0) return;
    const relations = this.dataSource.getRepository(CustomerRelation);
    const orphaned = await relations.find({
      where: { staffUserid: Not(In(followUsers.map((u) => u.toLowerCase()))), status: 'active' },
      relations: { customer: true },
    });
    // A salesperson who left the company keeps their customers in WeCom until a lead hands them on
    // (离职继承, get_unassigned_list): ending those relations here would lose the customers the
    // leaver card offers. They end when WeCom confirms the takeover.
    const leftIds = [...new Set(orphaned.map((r) => r.staffUserid))];
    const left = new Set(
      leftIds.length > 0 ? (await this.dataSource.getRepository(Staff).findBy({ userid: In(leftIds), active: false })).map((s) => s.userid) : [],
    );
    for (const relation of orphaned.filter((r) => !left.has(r.staffUserid))) {
      const { affected } = await relations.update(
        { id: relation.id, status: 'active' },
        { status: 'removed', endedAt: new Date(), endReason: 'staff_not_following' },
      );
      if (affected === 0) continue;
      report.relations.removed += 1;
      noteEnded(report, relation, 'staff_not_following');
      if ((await relations.countBy({ customerId: relation.customerId, status: 'active' })) === 0) report.customers.removed += 1;
      sample(report, `${relation.staffUserid} 已不是客户联系成员：${relation.customer.name} 的跟进已结束`);
    }
  }

  private async syncGroups(mode: SyncMode, report: SyncReport): Promise<void> {
    const seen: string[] = [];
    for await (const chat of this.api.iterateGroupChats({ status_filter: 0 })) {
      seen.push(chat.chat_id);
      const outcome = await this.groups.refresh(chat.chat_id);
      if (outcome === 'added') report.groups.added += 1;
      else if (outcome === 'changed') report.groups.changed += 1;
    }
    if (mode !== 'reconcile') return;
    const gone = await this.dataSource.getRepository(CustomerGroup).findBy({ status: 'active', ...(seen.length > 0 ? { chatId: Not(In(seen)) } : {}) });
    for (const group of gone) {
      if (await this.groups.dismiss(group.chatId, new Date())) report.groups.removed += 1;
    }
  }
}

/** What a reconcile read about each customer's corp tags: the union over followers, and which followers it read. */
class SeenTags {
  private readonly byCustomer = new Map<number, { tags: Set<string>; followers: Set<string> }>();

  note(customerId: number, userid: string, tagIds: string[]): void {
    const entry = this.byCustomer.get(customerId) ?? { tags: new Set<string>(), followers: new Set<string>() };
    for (const id of tagIds) entry.tags.add(id);
    entry.followers.add(userid.toLowerCase());
    this.byCustomer.set(customerId, entry);
  }

  customerIds(): IterableIterator<number> {
    return this.byCustomer.keys();
  }

  /** WeCom's corp tags of the customer when every one of `activeFollowers` was read, else undefined. */
  complete(customerId: number, activeFollowers: string[]): string[] | undefined {
    const entry = this.byCustomer.get(customerId);
    if (!entry || !activeFollowers.every((u) => entry.followers.has(u))) return undefined;
    return [...entry.tags];
  }
}

// simple-json column: the checkpoint is plain data.
function toJson(state: CheckpointState): never {
  return JSON.parse(JSON.stringify(state)) as never;
}

function emptyReport(mode: SyncMode): SyncReport {
  const zero = (): Drift => ({ added: 0, removed: 0, changed: 0 });
  return {
    runId: '',
    mode,
    resumed: false,
    followUsers: 0,
    customersSeen: 0,
    customers: zero(),
    relations: zero(),
    tags: zero(),
    customerTags: { added: 0, removed: 0 },
    groups: zero(),
    samples: [],
    ended: [],
  };
}

function noteEnded(report: SyncReport, relation: CustomerRelation, reason: EndedRelation['reason']): void {
  if (report.ended.length < ENDED_KEPT)
    report.ended.push({ relationId: relation.id, staffUserid: relation.staffUserid, customerName: relation.remark || relation.customer.name, reason });
}

function sample(report: SyncReport, line: string): void {
  if (report.samples.length < 10) report.samples.push(line);
}

function relationKey(externalUserid: string, userid: string): string {
  return `${externalUserid}|${userid.toLowerCase()}`;
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Tags WeCom added or removed, applied by a sync or reconcile: written as the system's, in the transaction that applies them. */
function auditTagSync(m: EntityManager, customerId: number, mode: SyncMode, detail: Record<string, unknown>): Promise<unknown> {
  return audit(m, { actor: 'system', action: 'tag.sync', targetType: 'customer', targetId: customerId, detail: { via: mode, ...detail } });
}
