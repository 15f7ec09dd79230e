import type { DataSource } from 'typeorm';
import { AuditLog, Customer } from '../../../entities';
import { audit } from '../../platform/db/audit';

export const DO_NOT_CONTACT_ACTION = 'customer.do_not_contact';

export interface DoNotContactResult {
  /** false when the customer already was in that state (nothing written) */
  changed: boolean;
  /** true when this message was handled before (a redelivery): nothing written again */
  duplicate: boolean;
}

/**
 * 勿扰 / 恢复: whether a customer may get SOP steps and pushes. Each change is one audit row with the
 * previous state, so 撤销 can put it back; the row's source key makes a redelivered command a no-op.
 */
export class DoNotContactService {
  constructor(private readonly dataSource: DataSource) {}

  async set(input: { customer: Customer; on: boolean; reason: string | null; actor: string; sourceKey: string; now: Date }): Promise<DoNotContactResult> {
    return this.dataSource.transaction(async (m) => {
      if (await m.getRepository(AuditLog).existsBy({ action: DO_NOT_CONTACT_ACTION, sourceKey: input.sourceKey })) return { changed: true, duplicate: true };
      const current = await m
        .getRepository(Customer)
        .findOne({ where: { id: input.customer.id }, select: { id: true, doNotContact: true, doNotContactReason: true } });
      if (!current || current.doNotContact === input.on) return { changed: false, duplicate: false };
      const reason = input.on ? (input.reason ?? '销售设置勿扰') : null;
      // A conditional UPDATE instead of a row lock (SQLite has no SELECT … FOR UPDATE): of two commands
      // racing on one customer, only the one that flips the state writes; the other finds it flipped.
      // The reason read above cannot change meanwhile: a 勿扰 on a customer already in 勿扰 writes nothing.
      const flipped = await m
        .getRepository(Customer)
        .update({ id: current.id, doNotContact: current.doNotContact }, { doNotContact: input.on, doNotContactReason: reason });
      if (!flipped.affected) return { changed: false, duplicate: false };
      await audit(m, {
        actor: input.actor,
        action: DO_NOT_CONTACT_ACTION,
        targetType: 'customer',
        targetId: current.id,
        detail: { on: input.on, reason, previous: { doNotContact: current.doNotContact, reason: current.doNotContactReason } },
        sourceKey: input.sourceKey,
        at: input.now,
      });
      return { changed: true, duplicate: false };
    });
  }
}
