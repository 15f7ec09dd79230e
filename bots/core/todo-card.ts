import type { Reminder } from '../../entities';
import dayjs from '../../src/platform/dayjs';
import type { TemplateCard } from '../../src/platform/wecom/api/wecom-api.types';
import { reminderLine, TODO_OPTION_CHARS, todoCard } from '../../templates/cards/reminder-cards';
import { formatChineseDateTime } from '../../templates/format-date';

/**
 * The 待办 card for these open reminders (the soonest; `total`: how many are open in all); also
 * redrawn in place after a click on it, with `notice` and the reminder the click `handled` (kept
 * picked, see TodoHandled). Each line names its customer once.
 */
export function buildTodoCard(
  reminders: Reminder[],
  options: { taskId: string; timezone: string; now: Date; notice?: string; total?: number; handled?: Reminder },
): TemplateCard {
  const short = (r: Reminder) => todoOptionText(r, options.timezone);
  const items = reminders.map((r) => ({
    id: r.id,
    line: `${formatChineseDateTime(r.dueAt, options.timezone, options.now)} ${reminderLine(r.content, r.customer?.name ?? null)}`,
    short: short(r),
    overdue: r.dueAt.getTime() < options.now.getTime(),
  }));
  const h = options.handled;
  const closed = h !== undefined && !reminders.some((r) => r.id === h.id);
  const handled = h
    ? { id: h.id, closed, short: closed ? `${h.status === 'done' ? '已完成' : '已关闭'} ${h.customer?.name ?? h.content}` : short(h) }
    : undefined;
  return todoCard({ taskId: options.taskId, items, notice: options.notice, total: options.total, handled });
}

/**
 * A reminder in the drop-down (16 characters with its #id): who or what, then the day, then the
 * time when it fits — 刘洋 12/3 15点, 刘洋 12/3 15:30, or 刘洋 12/3 for a longer name.
 */
function todoOptionText(r: Reminder, timezone: string): string {
  const due = dayjs(r.dueAt).tz(timezone);
  const what = r.customer?.name ?? r.content;
  const full = `${what} ${due.format('M/D')} ${due.minute() === 0 ? `${due.hour()}点` : due.format('HH:mm')}`;
  return Array.from(`#${r.id} ${full}`).length <= TODO_OPTION_CHARS ? full : `${what} ${due.format('M/D')}`;
}
