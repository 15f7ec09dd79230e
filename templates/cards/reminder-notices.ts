import type { TemplateCard } from '../../src/platform/wecom/api/wecom-api.types';
import { formatChineseDateTime } from '../format-date';
import { type GroupMember, overdueReminderGroupCard } from './team-group.cards';
import { overdueReminderMarkdown, reminderButtonCard, reminderClosedText, reminderTaskId } from './reminder-cards';

/**
 * What a reminder sends by itself (at its time, or when overdue), rendered from the data the
 * reminders module decides on. Times are formatted here in the CRM's zone; `now` decides the year.
 */

/** Why a reminder closed by itself (entities' ReminderCloseReason). */
export type ReminderCloseReason = 'customer_lost' | 'customer_removed' | 'customer_transferred' | 'customer_erased';

/** A reminder due now: its card goes to the salesperson. */
export interface DueReminder {
  reminderId: number;
  content: string;
  dueAt: Date;
  customerName: string | null;
  /** the salesperson who left and whose reminder this is (离职继承: their lead receives it meanwhile) */
  onBehalfOf?: string | null;
}

/** A reminder closed at its time because the relation with its customer ended. */
export interface ClosedReminder {
  reminderId: number;
  content: string;
  customerName: string | null;
  reason: ReminderCloseReason;
  endedAt: Date | null;
}

/** A fired reminder still open past its overdue time, posted to the salesperson's team group. */
export interface OverdueReminder {
  content: string;
  dueAt: Date;
  customerName: string | null;
  /** how long it has been open past its due time */
  openForMs: number;
}

/** How the salesperson is told why a reminder closed by itself. */
export const CLOSE_REASON_TEXT: Record<ReminderCloseReason, string> = {
  customer_lost: '客户已删除你',
  customer_removed: '你已删除该客户',
  customer_transferred: '客户已转给同事跟进',
  customer_erased: '客户的个人信息已删除',
};

/** 超过2小时 / 超过45分钟: how long it has really been open past its due time (whole units, rounded down). */
export function overdueForText(openMs: number): string {
  const minutes = Math.max(1, Math.floor(openMs / 60_000));
  return minutes >= 60 ? `超过${Math.floor(minutes / 60)}小时` : `超过${minutes}分钟`;
}

export function dueReminderCard(reminder: DueReminder, timeZone: string, now: Date): TemplateCard {
  return reminderButtonCard({
    reminderId: reminder.reminderId,
    taskId: reminderTaskId(reminder.reminderId, reminder.dueAt),
    content: reminder.content,
    due: formatChineseDateTime(reminder.dueAt, timeZone, now),
    customerName: reminder.customerName,
    onBehalfOf: reminder.onBehalfOf ?? null,
  });
}

export function closedReminderText(reminder: ClosedReminder, timeZone: string, now: Date): string {
  return reminderClosedText({
    reminderId: reminder.reminderId,
    content: reminder.content,
    customerName: reminder.customerName,
    why: CLOSE_REASON_TEXT[reminder.reason],
    endedAt: reminder.endedAt ? formatChineseDateTime(reminder.endedAt, timeZone, now) : null,
  });
}

/** `who` is the salesperson as the team group knows them (a robot group @-mentions them). */
export function overdueReminderPost(
  reminder: OverdueReminder,
  who: { name: string; wecomUserid: string; robot: boolean },
  timeZone: string,
  now: Date,
): string {
  return overdueReminderMarkdown({
    staffName: who.name,
    mention: who.robot ? who.wecomUserid : null,
    customerName: reminder.customerName,
    content: reminder.content,
    due: formatChineseDateTime(reminder.dueAt, timeZone, now),
    overdueFor: overdueForText(reminder.openForMs),
  });
}

/** The same, as the notice card a team group's robot shows. */
export function overdueReminderGroupNotice(reminder: OverdueReminder, who: GroupMember, timeZone: string, now: Date): TemplateCard {
  return overdueReminderGroupCard(
    {
      customerName: reminder.customerName,
      content: reminder.content,
      due: formatChineseDateTime(reminder.dueAt, timeZone, now),
      overdueFor: overdueForText(reminder.openForMs),
    },
    who,
  );
}
