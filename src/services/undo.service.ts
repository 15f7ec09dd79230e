import { In, MoreThan, type DataSource, type EntityManager } from 'typeorm';
import { insertIgnore } from '../db/insert-ignore';
import { AuditLog, Customer, CustomerTag, FollowUp, Opportunity, Reminder, StageChange, type CustomerStage, type TagLinkSource } from '../../entities';
import { audit } from './audit';
import type { ReminderScheduler } from './reminder-scheduler.port';

export const UNDO_WINDOW_MS = 10 * 60 * 1000;

const UNDOABLE = ['follow_up.create', 'reminder.create', 'stage.change', 'opportunity.create', 'tag.add', 'tag.remove', 'customer.do_not_contact'];

const LABELS: Record<string, string> = {
  'follow_up.create': '跟进记录',
  'reminder.create': '提醒',
  'stage.change': '阶段变更',
  'opportunity.create': '商机',
  'tag.add': '打标签',
  'tag.remove': '去标签',
  'customer.do_not_contact': '勿扰设置',
};

/** 撤销: reverts the sender's most recent record made within ten minutes, once. */
export class UndoService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly scheduler: ReminderScheduler,
  ) {}

  /** Returns a label of what was undone, or null when there is nothing recent to undo. */
  async undoLast(actor: string, now: Date, sourceKey: string): Promise<{ label: string; customerId: number | null } | null> {
    const repo = this.dataSource.getRepository(AuditLog);
    // A redelivered 撤销 must not undo a second record: it finds its own earlier undo.
    const previous = await repo.findOneBy({ action: 'undo', sourceKey });
    if (previous) return { label: String(previous.detail?.label ?? ''), customerId: Number(previous.detail?.customerId) || null };

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
    const cancelled: number[] = [];
    await this.dataSource.transaction(async (m) => {
      cancelled.push(...(await this.revert(m, entry)));
      await audit(m, { actor, action: 'undo', targetType: 'audit_log', targetId: entry.id, detail: { label: LABELS[entry.action], customerId, undid: entry.action }, sourceKey });
    });
    for (const id of cancelled) await this.scheduler.cancel(id);
    return { label: LABELS[entry.action] ?? entry.action, customerId };
  }

  /** Reverts one record; returns ids of reminders whose jobs must be cancelled. */
  private async revert(m: EntityManager, entry: AuditLog): Promise<number[]> {
    const d = entry.detail ?? {};
    switch (entry.action) {
      case 'follow_up.create': {
        await m.getRepository(FollowUp).delete({ id: Number(d.followUpId) });
        // The customer's last contact goes back to the latest follow-up still there (none: never
        // contacted): SOP conditions ("no follow-up since"), silent-customer counts and sorting read it.
        const customerId = Number(entry.targetId);
        const latest = await m.getRepository(FollowUp).findOne({ where: { customerId }, order: { createdAt: 'DESC', id: 'DESC' } });
        await m.getRepository(Customer).update({ id: customerId }, { lastContactAt: latest?.createdAt ?? null });
        const next = await m.getRepository(Reminder).findOneBy({ sourceKey: `${entry.sourceKey}:next` });
        if (!next) return [];
        await m.getRepository(Reminder).update({ id: next.id }, { status: 'cancelled' });
        return [next.id];
      }
      case 'reminder.create':
        await m.getRepository(Reminder).update({ id: Number(entry.targetId) }, { status: 'cancelled' });
        return [Number(entry.targetId)];
      case 'stage.change':
        await m.getRepository(StageChange).delete({ id: Number(d.stageChangeId) });
        await m.getRepository(Customer).update({ id: Number(entry.targetId) }, { stage: d.from as CustomerStage });
        return [];
      case 'opportunity.create':
        await m.getRepository(Opportunity).delete({ id: Number(d.opportunityId) });
        await m.getRepository(StageChange).delete({ sourceKey: `${entry.sourceKey}:stage` });
        await m.getRepository(Customer).update({ id: Number(entry.targetId) }, { stage: d.previousStage as CustomerStage });
        return [];
      case 'tag.add':
        await m.getRepository(CustomerTag).delete({ customerId: Number(entry.targetId), tagId: In(d.tagIds as number[]) });
        return [];
      case 'tag.remove': {
        const links = d.links as Array<{ tagId: number; source: TagLinkSource; addedBy: string | null }>;
        await insertIgnore(m.getRepository(CustomerTag), links.map((l) => ({ customerId: Number(entry.targetId), tagId: l.tagId, source: l.source, addedBy: l.addedBy })));
        return [];
      }
      case 'customer.do_not_contact': {
        const previous = d.previous as { doNotContact: boolean; reason: string | null };
        await m.getRepository(Customer).update({ id: Number(entry.targetId) }, { doNotContact: previous.doNotContact, doNotContactReason: previous.reason });
        return [];
      }
      default:
        return [];
    }
  }
}
