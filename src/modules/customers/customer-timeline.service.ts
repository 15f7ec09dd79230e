import { In, type DataSource } from 'typeorm';
import { reminderMatter } from '../../../templates/cards/reminder-cards';
import { type ChannelNames, NO_CHANNEL_LABEL } from './channel-names.port';
import { AuditLog, type Customer, CustomerRelation, CustomerTag, FollowUp, Opportunity, Reminder, Staff, StageChange, Tag } from '../../../entities';
import { withoutEndedRelations } from '../reminders/ended-relation';
import { STAGE_NAMES } from './stage.service';

export type TimelineKind =
  | 'added'
  | 'ended'
  | 'stage'
  | 'follow_up'
  | 'tag_added'
  | 'tag_removed'
  | 'reminder_created'
  | 'reminder_done'
  | 'reminder_missed'
  | 'opportunity';

/** One thing that happened to a customer, already in words (the names of people, stages and tags resolved). */
export interface TimelineEntry {
  at: Date;
  kind: TimelineKind;
  /** who did it (a staff name or userid), null for the customer or the system */
  actor: string | null;
  text: string;
}

export interface CustomerSummary {
  customerSince: Date | null;
  stage: string;
  /** when the customer entered the current stage (a stage move, else the first add) */
  stageSince: Date | null;
  recentFollowUps: Array<{ at: Date; actor: string; content: string }>;
  openReminders: Array<{ id: number; dueAt: Date; content: string }>;
  /** active followers' names */
  owners: string[];
  /** relations that ended (the customer deleted a salesperson, or the reverse, or a transfer), newest first */
  departures: Array<{ userid: string; staff: string; at: Date; text: string }>;
  /** the channel `state` of the first relation that has one */
  channel: string | null;
  openOpportunity: { amount: number; probability: number | null } | null;
}

/** How many rows of each source a timeline reads: enough for years of a normal customer, bounded for a pathological one. */
const PER_SOURCE_LIMIT = 500;

const RELATION_END: Record<string, string> = {
  lost: '客户删除了{staff}',
  removed: '{staff}删除了客户',
  transferred: '已转给同事',
};

/** Ends found only by the nightly reconciliation: WeCom no longer lists the pair, and nobody told us who ended it. */
const RELATION_END_BY_REASON: Record<string, string> = {
  missing_in_wecom: '核对发现已不在{staff}的客户中',
  staff_not_following: '{staff}已不是客户联系成员',
};

/** How an ended relation reads ("客户删除了张伟"). */
export function relationEndText(relation: Pick<CustomerRelation, 'status' | 'endReason'>, staffName: string): string {
  const template = (relation.endReason && RELATION_END_BY_REASON[relation.endReason]) ?? RELATION_END[relation.status] ?? `关系结束（${relation.status}）`;
  return template.replace('{staff}', staffName);
}

/**
 * The interaction timeline of one customer, derived from the tables that already record each kind of
 * event (relations, stage moves, follow-ups, tags, reminders, opportunities, and the audit log for
 * what no longer has a row, such as a removed tag) — one read per source, no second write path that
 * could drift from them.
 */
export class CustomerTimeline {
  constructor(
    private readonly dataSource: DataSource,
    private readonly channels?: ChannelNames,
  ) {}

  async summary(customer: Customer): Promise<CustomerSummary> {
    const ds = this.dataSource;
    const [relations, followUps, reminders, opportunity] = await Promise.all([
      ds.getRepository(CustomerRelation).find({ where: { customerId: customer.id }, order: { addedAt: 'ASC', id: 'ASC' } }),
      ds.getRepository(FollowUp).find({ where: { customerId: customer.id }, order: { createdAt: 'DESC', id: 'DESC' }, take: 3 }),
      // open for the salesperson who set them: not those closed at their time because that relation ended since
      withoutEndedRelations(
        ds
          .getRepository(Reminder)
          .createQueryBuilder('r')
          .where('r.customer_id = :id', { id: customer.id })
          .andWhere('r.status IN (:...open)', { open: ['pending', 'sent'] }),
        'r',
      )
        .orderBy('r.due_at', 'ASC')
        .limit(20)
        .getMany(),
      ds.getRepository(Opportunity).findOne({ where: { customerId: customer.id, status: 'open' }, order: { createdAt: 'DESC' } }),
    ]);
    const names = await this.staffNames([...relations.map((r) => r.staffUserid), ...followUps.map((f) => f.staffUserid)]);
    const firstAdded = relations.map((r) => r.addedAt ?? r.createdAt).sort((a, b) => a.getTime() - b.getTime())[0] ?? null;
    return {
      customerSince: firstAdded,
      stage: STAGE_NAMES[customer.stage] ?? customer.stage,
      stageSince: customer.stageChangedAt ?? firstAdded,
      recentFollowUps: followUps.map((f) => ({ at: f.createdAt, actor: names(f.staffUserid), content: f.content })),
      openReminders: reminders.map((r) => ({ id: r.id, dueAt: r.dueAt, content: r.content })),
      owners: relations.filter((r) => r.status === 'active').map((r) => names(r.staffUserid)),
      departures: relations
        .filter((r) => r.status !== 'active' && r.endedAt)
        .sort((a, b) => b.endedAt!.getTime() - a.endedAt!.getTime())
        .map((r) => ({ userid: r.staffUserid, staff: names(r.staffUserid), at: r.endedAt!, text: relationEndText(r, names(r.staffUserid)) })),
      channel: relations.find((r) => r.state)?.state ?? null,
      openOpportunity: opportunity ? { amount: opportunity.amount, probability: opportunity.probability } : null,
    };
  }

  /**
   * Everything that happened, newest first. `now` decides which open reminders count as missed;
   * `customerName`: the customer's own timeline does not repeat their name in a reminder's text.
   */
  async timeline(customerId: number, now: Date, customerName: string | null = null): Promise<TimelineEntry[]> {
    const ds = this.dataSource;
    const take = PER_SOURCE_LIMIT;
    const [relations, stages, followUps, reminders, opportunities, tagLinks, tagAudits] = await Promise.all([
      ds.getRepository(CustomerRelation).find({ where: { customerId }, take }),
      ds.getRepository(StageChange).find({ where: { customerId }, order: { id: 'DESC' }, take }),
      ds.getRepository(FollowUp).find({ where: { customerId }, order: { id: 'DESC' }, take }),
      ds.getRepository(Reminder).find({ where: { customerId }, order: { id: 'DESC' }, take }),
      ds.getRepository(Opportunity).find({ where: { customerId }, order: { id: 'DESC' }, take }),
      ds.getRepository(CustomerTag).find({ where: { customerId }, take }),
      ds.getRepository(AuditLog).find({
        where: { targetType: 'customer', targetId: String(customerId), action: In(['tag.add', 'tag.remove', 'customer.edit']) },
        order: { id: 'DESC' },
        take,
      }),
    ]);
    // 撤销 takes a record back as if it had never been made: a tag change it undid is left out
    const undoneIds = tagAudits.length
      ? new Set(
          (await ds.getRepository(AuditLog).findBy({ action: 'undo', targetType: 'audit_log', targetId: In(tagAudits.map((a) => String(a.id))) })).map(
            (u) => u.targetId,
          ),
        )
      : new Set<string>();
    const tagChanges = tagAudits.filter((a) => !undoneIds.has(String(a.id)));
    const names = await this.staffNames([
      ...relations.map((r) => r.staffUserid),
      ...stages.map((s) => s.staffUserid ?? ''),
      ...followUps.map((f) => f.staffUserid),
      ...reminders.map((r) => r.staffUserid),
      ...opportunities.map((o) => o.staffUserid),
      ...tagLinks.map((l) => l.addedBy ?? ''),
      ...tagChanges.map((a) => a.actor),
    ]);
    const tagIds = [...tagLinks.map((l) => l.tagId), ...tagChanges.flatMap((a) => auditTagIds(a))];
    const tagNames = new Map((tagIds.length ? await ds.getRepository(Tag).findBy({ id: In([...new Set(tagIds)]) }) : []).map((t) => [t.id, t.name]));
    const tagName = (id: number) => tagNames.get(id) ?? `#${id}`;
    const stage = (s: string | null) => (s ? (STAGE_NAMES[s as keyof typeof STAGE_NAMES] ?? s) : '—');
    const actor = (userid: string | null) => (userid && userid !== 'system' ? names(userid) : null);

    const entries: TimelineEntry[] = [];
    for (const r of relations) {
      const via = r.state ? `渠道 ${this.channels?.label(r.state) ?? r.state}` : NO_CHANNEL_LABEL;
      entries.push({
        at: r.addedAt ?? r.createdAt,
        kind: 'added',
        actor: names(r.staffUserid),
        text: `添加了${names(r.staffUserid)}${via ? `（${via}）` : ''}`,
      });
      if (r.status !== 'active' && r.endedAt) {
        entries.push({
          at: r.endedAt,
          kind: 'ended',
          actor: r.status === 'lost' ? null : names(r.staffUserid),
          text: relationEndText(r, names(r.staffUserid)),
        });
      }
    }
    for (const s of stages)
      entries.push({ at: s.createdAt, kind: 'stage', actor: actor(s.staffUserid), text: `阶段 ${stage(s.fromStage)} → ${stage(s.toStage)}` });
    for (const f of followUps) entries.push({ at: f.createdAt, kind: 'follow_up', actor: names(f.staffUserid), text: `跟进：${f.content}` });
    for (const r of reminders) {
      // cancelled without a close reason: taken back by 撤销 (its own, or its follow-up's)
      if (r.status === 'cancelled' && r.closeReason === null) continue;
      const matter = reminderMatter(r.content, customerName);
      entries.push({ at: r.createdAt, kind: 'reminder_created', actor: names(r.staffUserid), text: `设提醒：${matter}` });
      if (r.status === 'done' && r.doneAt) entries.push({ at: r.doneAt, kind: 'reminder_done', actor: names(r.staffUserid), text: `完成提醒：${matter}` });
      else if ((r.status === 'pending' || r.status === 'sent') && r.dueAt < now)
        entries.push({ at: r.dueAt, kind: 'reminder_missed', actor: names(r.staffUserid), text: `提醒逾期未完成：${matter}` });
    }
    for (const o of opportunities) {
      const probability = o.probability !== null ? ` · ${o.probability}%` : '';
      entries.push({
        at: o.createdAt,
        kind: 'opportunity',
        actor: names(o.staffUserid),
        text: `商机 ¥${o.amount.toLocaleString('en-US')}${probability}${o.status === 'open' ? '' : `（${o.status === 'won' ? '已成交' : '已失败'}）`}`,
      });
    }
    // Tags a command added are in the audit log (with who and when); rule and WeCom tags only have their link row.
    const audited = new Set(tagChanges.filter((a) => a.action === 'tag.add').flatMap((a) => auditTagIds(a)));
    for (const l of tagLinks) {
      if (l.source === 'command' && audited.has(l.tagId)) continue;
      entries.push({
        at: l.createdAt,
        kind: 'tag_added',
        actor: actor(l.addedBy),
        text: `打标签：${tagName(l.tagId)}${l.source === 'rule' ? '（渠道规则）' : l.source === 'wecom' ? '（企业微信）' : ''}`,
      });
    }
    for (const a of tagChanges) {
      if (a.action === 'customer.edit') {
        // WeCom edits name the tags they unlinked (older rows keep only a count); the tags WeCom added still have their link row (above).
        const removedIds = auditTagIds(a);
        const removed = Number(a.detail?.removed ?? 0);
        if (removedIds.length > 0)
          entries.push({ at: a.createdAt, kind: 'tag_removed', actor: null, text: `企业微信里去掉了标签：${removedIds.map(tagName).join('、')}` });
        else if (removed > 0) entries.push({ at: a.createdAt, kind: 'tag_removed', actor: null, text: `企业微信里移除了${removed}个标签` });
        continue;
      }
      const names = auditTagIds(a).map(tagName).join('、');
      entries.push({
        at: a.createdAt,
        kind: a.action === 'tag.add' ? 'tag_added' : 'tag_removed',
        actor: actor(a.actor),
        text: `${a.action === 'tag.add' ? '打标签' : '去标签'}：${names}`,
      });
    }
    // Newest first (a stable sort keeps the order above for entries of the same instant).
    return entries.sort((a, b) => b.at.getTime() - a.at.getTime());
  }

  /** A name for each userid (the staff name when known), from one query. */
  private async staffNames(userids: string[]): Promise<(userid: string) => string> {
    const wanted = [...new Set(userids.filter(Boolean))];
    const staff = wanted.length ? await this.dataSource.getRepository(Staff).findBy({ userid: In(wanted) }) : [];
    const byId = new Map(staff.map((s) => [s.userid, s.name ?? s.userid]));
    return (userid) => byId.get(userid) ?? userid;
  }
}

function auditTagIds(entry: AuditLog): number[] {
  const detail = entry.detail ?? {};
  if (Array.isArray(detail.tagIds)) return detail.tagIds.map(Number);
  if (Array.isArray(detail.removedTagIds)) return detail.removedTagIds.map(Number);
  if (Array.isArray(detail.links)) return (detail.links as Array<{ tagId: number }>).map((l) => Number(l.tagId));
  return [];
}
