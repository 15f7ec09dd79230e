import { In, type DataSource } from 'typeorm';
import {
  AuditLog,
  type Customer,
  type CustomerStage,
  CustomerRelation,
  CustomerTag,
  FollowUp,
  Opportunity,
  OpportunityChange,
  Reminder,
  Staff,
  StageChange,
  Tag,
} from '../../../entities';
import { formatChineseDate } from '../../../templates/format-date';
import type { RelationEnd, TimelineEvent } from '../../../templates/timeline';
import { withoutEndedRelations } from './ended-relation';
import type { ChannelNames } from './channel-names.port';

/** One thing that happened to a customer: when, who did it, and what (templates/timeline.ts puts it in words). */
export interface TimelineEntry {
  at: Date;
  /** who did it (a staff name or userid), null for the customer or the system */
  actor: string | null;
  event: TimelineEvent;
}

export interface CustomerSummary {
  customerSince: Date | null;
  stage: CustomerStage;
  /** when the customer entered the current stage (a stage move, else the first add) */
  stageSince: Date | null;
  recentFollowUps: Array<{ at: Date; actor: string; content: string }>;
  openReminders: Array<{ id: number; dueAt: Date; content: string }>;
  /** active followers' names */
  owners: string[];
  /** relations that ended (the customer deleted a salesperson, or the reverse, or a transfer), newest first */
  departures: Array<{ userid: string; staff: string; at: Date } & RelationEnd>;
  /** the channel `state` of the first relation that has one */
  channel: string | null;
  /** open opportunities, the soonest expected close first (those without a date last) */
  openOpportunities: Array<{ name: string | null; amount: number; probability: number | null; expectedCloseAt: Date | null }>;
}

/** How many rows of each source a timeline reads: enough for years of a normal customer, bounded for a pathological one. */
const PER_SOURCE_LIMIT = 500;

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
    /** CRM_TIMEZONE: the day an opportunity is expected to close */
    private readonly timezone = 'Asia/Shanghai',
  ) {}

  async summary(customer: Customer): Promise<CustomerSummary> {
    const ds = this.dataSource;
    const [relations, followUps, reminders, opportunities] = await Promise.all([
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
      ds.getRepository(Opportunity).find({ where: { customerId: customer.id, status: 'open' }, order: { createdAt: 'DESC', id: 'DESC' }, take: 20 }),
    ]);
    const names = await this.staffNames([...relations.map((r) => r.staffUserid), ...followUps.map((f) => f.staffUserid)]);
    const firstAdded = relations.map((r) => r.addedAt ?? r.createdAt).sort((a, b) => a.getTime() - b.getTime())[0] ?? null;
    return {
      customerSince: firstAdded,
      stage: customer.stage,
      stageSince: customer.stageChangedAt ?? firstAdded,
      recentFollowUps: followUps.map((f) => ({ at: f.createdAt, actor: names(f.staffUserid), content: f.content })),
      openReminders: reminders.map((r) => ({ id: r.id, dueAt: r.dueAt, content: r.content })),
      owners: relations.filter((r) => r.status === 'active').map((r) => names(r.staffUserid)),
      departures: relations
        .filter((r) => r.status !== 'active' && r.endedAt)
        .sort((a, b) => b.endedAt!.getTime() - a.endedAt!.getTime())
        .map((r) => ({ userid: r.staffUserid, staff: names(r.staffUserid), at: r.endedAt!, status: r.status, endReason: r.endReason })),
      channel: relations.find((r) => r.state)?.state ?? null,
      openOpportunities: opportunities
        .sort((a, b) => closeTime(a) - closeTime(b))
        .map((o) => ({ name: o.name, amount: o.amount, probability: o.probability, expectedCloseAt: o.expectedCloseAt })),
    };
  }

  /**
   * Everything that happened, newest first. `now` decides which open reminders count as missed;
   * `customerName`: the customer's own timeline does not repeat their name in a reminder's text.
   */
  async timeline(customerId: number, now: Date, customerName: string | null = null): Promise<TimelineEntry[]> {
    const ds = this.dataSource;
    const take = PER_SOURCE_LIMIT;
    const [relations, stages, followUps, reminders, opportunities, changes, tagLinks, tagAudits] = await Promise.all([
      ds.getRepository(CustomerRelation).find({ where: { customerId }, take }),
      ds.getRepository(StageChange).find({ where: { customerId }, order: { id: 'DESC' }, take }),
      ds.getRepository(FollowUp).find({ where: { customerId }, order: { id: 'DESC' }, take }),
      ds.getRepository(Reminder).find({ where: { customerId }, order: { id: 'DESC' }, take }),
      ds.getRepository(Opportunity).find({ where: { customerId }, order: { id: 'DESC' }, take }),
      ds.getRepository(OpportunityChange).find({ where: { customerId }, order: { id: 'DESC' }, take }),
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
      ...changes.map((c) => c.staffUserid ?? ''),
      ...tagLinks.map((l) => l.addedBy ?? ''),
      ...tagChanges.map((a) => a.actor),
    ]);
    const tagIds = [...tagLinks.map((l) => l.tagId), ...tagChanges.flatMap((a) => auditTagIds(a))];
    const tagNames = new Map((tagIds.length ? await ds.getRepository(Tag).findBy({ id: In([...new Set(tagIds)]) }) : []).map((t) => [t.id, t.name]));
    const tagName = (id: number) => tagNames.get(id) ?? `#${id}`;
    const actor = (userid: string | null) => (userid && userid !== 'system' ? names(userid) : null);

    const entries: TimelineEntry[] = [];
    const add = (at: Date, who: string | null, event: TimelineEvent) => entries.push({ at, actor: who, event });
    for (const r of relations) {
      const staff = names(r.staffUserid);
      add(r.addedAt ?? r.createdAt, staff, { kind: 'added', staff, channel: r.state ? (this.channels?.label(r.state) ?? r.state) : null });
      if (r.status !== 'active' && r.endedAt) {
        add(r.endedAt, r.status === 'lost' ? null : staff, { kind: 'ended', staff, status: r.status, endReason: r.endReason });
      }
    }
    for (const s of stages) add(s.createdAt, actor(s.staffUserid), { kind: 'stage', from: s.fromStage, to: s.toStage });
    for (const f of followUps) add(f.createdAt, names(f.staffUserid), { kind: 'follow_up', content: f.content });
    for (const r of reminders) {
      // cancelled without a close reason: taken back by 撤销 (its own, or its follow-up's)
      if (r.status === 'cancelled' && r.closeReason === null) continue;
      const about = { content: r.content, customerName };
      add(r.createdAt, names(r.staffUserid), { kind: 'reminder_created', ...about });
      if (r.status === 'done' && r.doneAt) add(r.doneAt, names(r.staffUserid), { kind: 'reminder_done', ...about });
      else if ((r.status === 'pending' || r.status === 'sent') && r.dueAt < now) add(r.dueAt, names(r.staffUserid), { kind: 'reminder_missed', ...about });
    }
    const closeDay = (at: Date | null) => (at ? formatChineseDate(at, this.timezone, now) : null);
    const nameOf = new Map(opportunities.map((o) => [o.id, o.name]));
    for (const o of opportunities) {
      add(o.createdAt, names(o.staffUserid), {
        kind: 'opportunity',
        name: o.name,
        amount: o.amount,
        probability: o.probability,
        status: o.status,
        closeDay: o.status === 'open' ? closeDay(o.expectedCloseAt) : null,
      });
    }
    // the creation is the opportunity's own entry (above); each later change is one more
    for (const c of changes) {
      if (c.kind === 'create') continue;
      add(c.createdAt, actor(c.staffUserid), {
        kind: 'opportunity_change',
        change: c.kind,
        name: nameOf.get(c.opportunityId) ?? null,
        amount: c.amount,
        probability: c.probability,
        closeDay: c.kind === 'update' ? closeDay(c.expectedCloseAt) : null,
        reason: c.reason,
      });
    }
    // Tags a command added are in the audit log (with who and when); rule and WeCom tags only have their link row.
    const audited = new Set(tagChanges.filter((a) => a.action === 'tag.add').flatMap((a) => auditTagIds(a)));
    for (const l of tagLinks) {
      if (l.source === 'command' && audited.has(l.tagId)) continue;
      add(l.createdAt, actor(l.addedBy), { kind: 'tag_added', tags: [tagName(l.tagId)], source: l.source === 'command' ? null : l.source });
    }
    for (const a of tagChanges) {
      const tags = auditTagIds(a).map(tagName);
      if (a.action === 'customer.edit') {
        // WeCom edits name the tags they unlinked (older rows keep only a count); the tags WeCom added still have their link row (above).
        const removed = Number(a.detail?.removed ?? 0);
        if (tags.length > 0 || removed > 0) add(a.createdAt, null, { kind: 'tag_removed', tags, by: 'wecom', count: removed });
        continue;
      }
      add(a.createdAt, actor(a.actor), a.action === 'tag.add' ? { kind: 'tag_added', tags, source: null } : { kind: 'tag_removed', tags, by: 'command' });
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

/** when an opportunity is expected to close; one without a date sorts last */
const closeTime = (o: Opportunity) => o.expectedCloseAt?.getTime() ?? Number.MAX_SAFE_INTEGER;

function auditTagIds(entry: AuditLog): number[] {
  const detail = entry.detail ?? {};
  if (Array.isArray(detail.tagIds)) return detail.tagIds.map(Number);
  if (Array.isArray(detail.removedTagIds)) return detail.removedTagIds.map(Number);
  if (Array.isArray(detail.links)) return (detail.links as Array<{ tagId: number }>).map((l) => Number(l.tagId));
  return [];
}
