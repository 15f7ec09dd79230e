import { In, MoreThan, type DataSource, type EntityManager } from 'typeorm';
import { insertIgnore } from '../../platform/db/insert-ignore';
import {
  AuditLog,
  Customer,
  CustomerTag,
  FollowUp,
  Opportunity,
  OpportunityChange,
  Reminder,
  StageChange,
  Tag,
  type CustomerStage,
  type TagLinkSource,
} from '../../../entities';
import { audit } from '../../platform/db/audit';
import type { ReminderScheduler } from '../reminders';
import { STAGE_NAMES } from '../../../templates/labels';
import { type OpportunitySnapshot, restoreOpportunity, stageCloseKey } from '../pipeline';

export const UNDO_WINDOW_MS = 10 * 60 * 1000;

const UNDOABLE = [
  'follow_up.create',
  'reminder.create',
  'stage.change',
  'opportunity.create',
  'opportunity.update',
  'opportunity.close',
  'tag.add',
  'tag.remove',
  'customer.do_not_contact',
];

const LABELS: Record<string, string> = {
  'follow_up.create': '跟进记录',
  'reminder.create': '提醒',
  'stage.change': '阶段变更',
  'opportunity.create': '商机',
  'opportunity.update': '商机修改',
  'opportunity.close': '商机结果',
  'tag.add': '打标签',
  'tag.remove': '去标签',
  'customer.do_not_contact': '勿扰设置',
};

/** Marks corp tags in WeCom as a command does (TagService), so an undone tag change is undone there too. */
export interface UndoTagSync {
  markCorpTags(customerId: number, change: { add: number[]; remove: number[] }): Promise<void>;
}

export interface Undone {
  /** what kind of record, e.g. 跟进记录 */
  label: string;
  customerId: number | null;
  /** which record, in words: 刘洋 的跟进「客户问了价格」 */
  what: string;
}

/** What one revert did: the reminders whose jobs must go, the corp tags WeCom must be told of, and the words for it. */
interface Reverted {
  cancelled: number[];
  tags?: { customerId: number; add: number[]; remove: number[] };
  what: string;
}

/** A quoted note, short enough for a one-line answer. */
const quoted = (text: string) =>
  `「${Array.from(text.replace(/\s+/g, ' ')).length > 20 ? `${Array.from(text.replace(/\s+/g, ' ')).slice(0, 19).join('')}…` : text.replace(/\s+/g, ' ')}」`;
const stageName = (s: unknown) => STAGE_NAMES[s as CustomerStage] ?? String(s ?? '');

/**
 * 撤销: reverts the sender's most recent record made within ten minutes, once, as if it had never
 * been made: the row goes, what it changed on the customer is put back (stage, last contact), a
 * reminder it set is cancelled, and a corp tag change is undone in WeCom too (WeCom's tags are the
 * truth, so one left there would come back). The answer says which record it was.
 */
export class UndoService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly scheduler: ReminderScheduler,
    private readonly tags?: UndoTagSync,
  ) {}

  /** What was undone, or null when there is nothing recent to undo. */
  async undoLast(actor: string, now: Date, sourceKey: string): Promise<Undone | null> {
    const repo = this.dataSource.getRepository(AuditLog);
    // A redelivered 撤销 must not undo a second record: it finds its own earlier undo.
    const previous = await repo.findOneBy({ action: 'undo', sourceKey });
    if (previous) {
      const label = String(previous.detail?.label ?? '');
      return { label, customerId: Number(previous.detail?.customerId) || null, what: String(previous.detail?.what ?? label) };
    }

    const recent = await repo.find({
      where: { actor, action: In(UNDOABLE), createdAt: MoreThan(new Date(now.getTime() - UNDO_WINDOW_MS)) },
      order: { id: 'DESC' },
      take: 20,
    });
    const undone = new Set(
      (await repo.findBy({ action: 'undo', targetType: 'audit_log', targetId: In(recent.map((r) => String(r.id)).concat('0')) })).map((u) => u.targetId),
    );
    const entry = recent.find((r) => !undone.has(String(r.id)));
    if (!entry) return null;

    const customerId = entry.targetType === 'customer' ? Number(entry.targetId) : null;
    const label = LABELS[entry.action] ?? entry.action;
    const reverted = await this.dataSource.transaction(async (m) => {
      const result = await this.revert(m, entry);
      await audit(m, {
        actor,
        action: 'undo',
        targetType: 'audit_log',
        targetId: entry.id,
        detail: { label, customerId, undid: entry.action, what: result.what },
        sourceKey,
      });
      return result;
    });
    for (const id of reverted.cancelled) await this.scheduler.cancel(id);
    if (reverted.tags) await this.tags?.markCorpTags(reverted.tags.customerId, reverted.tags);
    return { label, customerId, what: reverted.what };
  }

  /** Reverts one record. */
  private async revert(m: EntityManager, entry: AuditLog): Promise<Reverted> {
    const d = entry.detail ?? {};
    const targetId = Number(entry.targetId);
    const name = async () => (await m.getRepository(Customer).findOneBy({ id: targetId }))?.name ?? '客户';
    switch (entry.action) {
      case 'follow_up.create': {
        const followUp = await m.getRepository(FollowUp).findOneBy({ id: Number(d.followUpId) });
        await m.getRepository(FollowUp).delete({ id: Number(d.followUpId) });
        // The customer was last contacted when the latest follow-up still standing was written (SOP
        // steps that wait for a first contact and the silent-customer scan read this).
        const latest = await m.getRepository(FollowUp).findOne({ where: { customerId: targetId }, order: { createdAt: 'DESC', id: 'DESC' } });
        await m.getRepository(Customer).update({ id: targetId }, { lastContactAt: latest?.createdAt ?? null });
        const what = `${await name()} 的跟进${followUp ? quoted(followUp.content) : ''}`;
        const next = await m.getRepository(Reminder).findOneBy({ sourceKey: `${entry.sourceKey}:next` });
        if (!next) return { cancelled: [], what };
        await m.getRepository(Reminder).update({ id: next.id }, { status: 'cancelled' });
        return { cancelled: [next.id], what: `${what}和它设的提醒 #${next.id}` };
      }
      case 'reminder.create': {
        const reminder = await m.getRepository(Reminder).findOne({ where: { id: targetId }, relations: { customer: true } });
        await m.getRepository(Reminder).update({ id: targetId }, { status: 'cancelled' });
        // the customer named once: 「给刘洋发报价」 needs no （刘洋）
        const about = reminder?.customer && !reminder.content.includes(reminder.customer.name) ? `（${reminder.customer.name}）` : '';
        return { cancelled: [targetId], what: `提醒 #${targetId}${reminder ? `${quoted(reminder.content)}${about}` : ''}` };
      }
      case 'stage.change': {
        await m.getRepository(StageChange).delete({ id: Number(d.stageChangeId) });
        await m.getRepository(Customer).update({ id: targetId }, { stage: d.from as CustomerStage, stageChangedAt: await stageSince(m, targetId) });
        // a move to 成交/流失 closed the open opportunities: they are open again
        const closed = (d.closedOpportunities as Array<{ id: number; previous: OpportunitySnapshot }> | undefined) ?? [];
        for (const c of closed) await restoreOpportunity(m, Number(c.id), c.previous, stageCloseKey(entry.sourceKey ?? '', Number(c.id)));
        const reopened = closed.length ? `，${closed.length}个商机重新打开` : '';
        return { cancelled: [], what: `${await name()} 的阶段变更（${stageName(d.from)} → ${stageName(d.to)}），已改回 ${stageName(d.from)}${reopened}` };
      }
      case 'opportunity.create': {
        const opportunity = await m.getRepository(Opportunity).findOneBy({ id: Number(d.opportunityId) });
        await m.getRepository(OpportunityChange).delete({ opportunityId: Number(d.opportunityId) });
        await m.getRepository(Opportunity).delete({ id: Number(d.opportunityId) });
        const moved = await m.getRepository(StageChange).delete({ sourceKey: `${entry.sourceKey}:stage` });
        await m
          .getRepository(Customer)
          .update({ id: targetId }, { stage: d.previousStage as CustomerStage, ...(moved.affected ? { stageChangedAt: await stageSince(m, targetId) } : {}) });
        const back = moved.affected ? `，阶段改回 ${stageName(d.previousStage)}` : '';
        return { cancelled: [], what: `${await name()} 的商机${opportunity ? ` ¥${opportunity.amount.toLocaleString('en-US')}` : ''}${back}` };
      }
      case 'opportunity.update': {
        const previous = d.previous as OpportunitySnapshot;
        await restoreOpportunity(m, Number(d.opportunityId), previous, entry.sourceKey ?? '');
        return { cancelled: [], what: `${await name()} 的商机修改，已改回 ${opportunityFigures(previous)}` };
      }
      case 'opportunity.close': {
        const previous = (d.previous as OpportunitySnapshot | null) ?? null;
        const opportunity = await m.getRepository(Opportunity).findOneBy({ id: Number(d.opportunityId) });
        // 赢单 with nothing open recorded the deal itself: it goes; else the opportunity is open again
        if (previous) await restoreOpportunity(m, Number(d.opportunityId), previous, entry.sourceKey ?? '');
        else {
          await m.getRepository(OpportunityChange).delete({ opportunityId: Number(d.opportunityId) });
          await m.getRepository(Opportunity).delete({ id: Number(d.opportunityId) });
        }
        const moved = d.stageMoved ? await m.getRepository(StageChange).delete({ sourceKey: `${entry.sourceKey}:stage` }) : null;
        if (moved?.affected) {
          await m.getRepository(Customer).update({ id: targetId }, { stage: d.previousStage as CustomerStage, stageChangedAt: await stageSince(m, targetId) });
        }
        const verb = d.outcome === 'won' ? '赢单' : '输单';
        const amount = opportunity ? ` ¥${opportunity.amount.toLocaleString('en-US')}` : '';
        const back = `${previous ? '，商机重新打开' : ''}${moved?.affected ? `，阶段改回 ${stageName(d.previousStage)}` : ''}`;
        return { cancelled: [], what: `${await name()} 的${verb}${amount}${back}` };
      }
      case 'tag.add': {
        const tagIds = (d.tagIds as number[]).map(Number);
        await m.getRepository(CustomerTag).delete({ customerId: targetId, tagId: In(tagIds) });
        return { cancelled: [], tags: { customerId: targetId, add: [], remove: tagIds }, what: `给 ${await name()} 打的标签：${await tagNames(m, tagIds)}` };
      }
      case 'tag.remove': {
        const links = d.links as Array<{ tagId: number; source: TagLinkSource; addedBy: string | null }>;
        await insertIgnore(
          m.getRepository(CustomerTag),
          links.map((l) => ({ customerId: targetId, tagId: l.tagId, source: l.source, addedBy: l.addedBy })),
        );
        const tagIds = links.map((l) => Number(l.tagId));
        return {
          cancelled: [],
          tags: { customerId: targetId, add: tagIds, remove: [] },
          what: `去掉 ${await name()} 的标签：${await tagNames(m, tagIds)}（已加回）`,
        };
      }
      case 'customer.do_not_contact': {
        const previous = d.previous as { doNotContact: boolean; reason: string | null };
        await m.getRepository(Customer).update({ id: targetId }, { doNotContact: previous.doNotContact, doNotContactReason: previous.reason });
        return { cancelled: [], what: d.on ? `${await name()} 的勿扰设置` : `${await name()} 的「恢复」，仍为勿扰` };
      }
      default:
        return { cancelled: [], what: LABELS[entry.action] ?? entry.action };
    }
  }
}

/** ¥50,000 · 60% */
function opportunityFigures(s: OpportunitySnapshot): string {
  return `¥${s.amount.toLocaleString('en-US')}${s.probability !== null ? ` · ${s.probability}%` : ''}`;
}

/** When the customer entered the stage it is back in: the latest stage move still standing (none: since the add). */
async function stageSince(m: EntityManager, customerId: number): Promise<Date | null> {
  return (await m.getRepository(StageChange).findOne({ where: { customerId }, order: { createdAt: 'DESC', id: 'DESC' } }))?.createdAt ?? null;
}

async function tagNames(m: EntityManager, ids: number[]): Promise<string> {
  const tags = ids.length ? await m.getRepository(Tag).findBy({ id: In(ids) }) : [];
  return tags.map((t) => t.name).join('、');
}
