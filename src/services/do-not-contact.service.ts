import type { DataSource } from 'typeorm';
import { AuditLog, Customer } from '../../entities';
import { audit } from './audit';

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
      // Locked read: two commands racing on one customer write one change each, in order.
      const current = await m.getRepository(Customer).findOne({ where: { id: input.customer.id }, lock: { mode: 'pessimistic_write' } });
      if (!current || current.doNotContact === input.on) return { changed: false, duplicate: false };
      const reason = input.on ? (input.reason ?? '销售设置勿扰') : null;
      await m.getRepository(Customer).update({ id: current.id }, { doNotContact: input.on, doNotContactReason: reason });
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
