import type { DataSource } from 'typeorm';
import { CustomerRelation, type Reminder, type ReminderCloseReason, type RelationStatus } from '../../entities';

const REASON: Record<Exclude<RelationStatus, 'active'>, ReminderCloseReason> = {
  lost: 'customer_lost',
  removed: 'customer_removed',
  transferred: 'customer_transferred',
};

/** How the salesperson is told why a reminder closed by itself. */
export const CLOSE_REASON_TEXT: Record<ReminderCloseReason, string> = {
  customer_lost: '客户已删除你',
  customer_removed: '你已删除该客户',
  customer_transferred: '客户已转给同事跟进',
};

/**
 * Whether the relation between the reminder's salesperson and its customer has ended (删人, the
 * salesperson deleted them, or they moved to a colleague), and with which close reason. A reminder
 * about no customer, or about one the salesperson never followed (an admin's), has none.
 */
export async function endedRelationOf(dataSource: DataSource, reminder: Pick<Reminder, 'customerId' | 'staffUserid'>): Promise<{ reason: ReminderCloseReason; endedAt: Date | null } | null> {
  if (reminder.customerId === null) return null;
  const relation = await dataSource.getRepository(CustomerRelation).findOneBy({ customerId: reminder.customerId, staffUserid: reminder.staffUserid });
  if (!relation || relation.status === 'active') return null;
  return { reason: REASON[relation.status], endedAt: relation.endedAt };
}
