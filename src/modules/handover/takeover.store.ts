import { type DataSource, In } from 'typeorm';
import { CustomerRelation, HandoverCustomer, Opportunity, Reminder, SopRun } from '../../../entities';
import { audit } from '../../platform/db/audit';

/** What went with a customer to their new owner. */
export interface Moved {
  reminders: number;
  sopRuns: number;
  opportunities: number;
}

/**
 * A customer taken over: in one transaction the handover row moves from waiting to done, and the
 * open work of the old owner on this customer goes to the new one — open reminders, running SOPs
 * (their pending steps fire to the run's owner), open opportunities with their stage and amounts as
 * they are. Tags and the stage belong to the customer and stay. Whoever gets here second (the poll
 * and the delete-by-transfer event, a redelivered event, a repeated poll) finds the row done and
 * moves nothing: null.
 */
export async function takeOver(
  dataSource: DataSource,
  row: Pick<HandoverCustomer, 'id' | 'customerId' | 'fromUserid' | 'handoverId'>,
  handover: { toUserid: string; requestedBy: string; kind?: 'onjob' | 'resigned' },
  at: Date,
): Promise<Moved | null> {
  return dataSource.transaction(async (m) => {
    const { affected } = await m.getRepository(HandoverCustomer).update({ id: row.id, status: 'waiting' }, { status: 'done', settledAt: at });
    if (!affected) return null;
    const mine = { customerId: row.customerId, staffUserid: row.fromUserid };
    const to = { staffUserid: handover.toUserid };
    // A leaver's relation is not ended by the reconciliation (their customers wait for 离职继承): it
    // ends here, whether or not WeCom sends the delete-by-transfer (an event after this finds it ended).
    if (handover.kind === 'resigned')
      await m
        .getRepository(CustomerRelation)
        .update({ ...mine, status: 'active' }, { status: 'transferred', endedAt: at, endReason: 'transferred_to_colleague' });
    const moved: Moved = {
      reminders: (await m.getRepository(Reminder).update({ ...mine, status: In(['pending', 'sent']) }, to)).affected ?? 0,
      sopRuns: (await m.getRepository(SopRun).update({ ...mine, status: 'active' }, to)).affected ?? 0,
      opportunities: (await m.getRepository(Opportunity).update({ ...mine, status: 'open' }, to)).affected ?? 0,
    };
    await audit(m, {
      actor: handover.requestedBy,
      action: 'handover.moved',
      targetType: 'customer',
      targetId: row.customerId,
      detail: { handoverId: row.handoverId, from: row.fromUserid, to: handover.toUserid, ...moved },
      sourceKey: `handover-customer:${row.id}`,
      at,
    });
    return moved;
  });
}
