import type { DataSource, SelectQueryBuilder } from 'typeorm';
import { CustomerRelation, type Reminder, type ReminderCloseReason, type RelationStatus } from '../../../entities';

const REASON: Record<Exclude<RelationStatus, 'active'>, ReminderCloseReason> = {
  lost: 'customer_lost',
  removed: 'customer_removed',
  transferred: 'customer_transferred',
};

/**
 * Whether the relation between the reminder's salesperson and its customer ended after the reminder
 * was set (删人, the salesperson deleted them, or they moved to a colleague), and with which close
 * reason. Such a reminder is closed at its time and left out of every list of open reminders. A
 * reminder about no customer, about one the salesperson never followed (an admin's), or set after the
 * relation had ended (the salesperson knew, e.g. to phone a customer who deleted them) has none.
 */
export async function endedRelationOf(
  dataSource: DataSource,
  reminder: Pick<Reminder, 'customerId' | 'staffUserid' | 'createdAt'>,
): Promise<{ reason: ReminderCloseReason; endedAt: Date | null } | null> {
  if (reminder.customerId === null) return null;
  const relation = await dataSource.getRepository(CustomerRelation).findOneBy({ customerId: reminder.customerId, staffUserid: reminder.staffUserid });
  if (!relation || relation.status === 'active') return null;
  if (relation.endedAt && reminder.createdAt.getTime() > relation.endedAt.getTime()) return null;
  return { reason: REASON[relation.status], endedAt: relation.endedAt };
}

/**
 * The same rule as endedRelationOf for a query over open reminders (alias `reminderAlias`): keeps
 * only reminders whose relation has not ended since they were set, so lists and counts agree with
 * what fires. One LEFT JOIN on the relation's unique (customer, salesperson) key. `unless` is SQL for
 * rows to keep regardless (a count that also reads done reminders keeps those).
 */
export function withoutEndedRelations<T extends object>(query: SelectQueryBuilder<T>, reminderAlias: string, unless?: string): SelectQueryBuilder<T> {
  const rel = `${reminderAlias}_relation`;
  const stillOpen = `${rel}.id IS NULL OR ${rel}.status = 'active' OR (${rel}.ended_at IS NOT NULL AND ${reminderAlias}.created_at > ${rel}.ended_at)`;
  return query
    .leftJoin(CustomerRelation, rel, `${rel}.customer_id = ${reminderAlias}.customer_id AND ${rel}.staff_userid = ${reminderAlias}.staff_userid`)
    .andWhere(`(${unless ? `${unless} OR ` : ''}${stillOpen})`);
}
