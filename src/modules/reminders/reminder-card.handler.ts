import type { DataSource } from 'typeorm';
import { AuditLog, type InboundEvent, type Reminder } from '../../../entities';
import type { BotServices } from '../../../bots/core/bot-services';
import { buildProfileCard } from '../../../bots/core/profile-card';
import { formatChineseDateTime } from '../../../templates/format-date';
import { buildTodoCard } from '../../../bots/commands/todo.command';
import {
  parseReminderButtonKey,
  parseTodoButtonKey,
  reminderCardAfterClick,
  reminderTaskId,
  type ReminderAction,
  type ReminderCardInput,
} from '../../../templates/cards/reminder-cards';
import type { Logger } from '../../platform/logger';
import type { OutboundService } from '../../platform/outbound/outbound.service';
import type { TemplateCard } from '../../platform/wecom/api/wecom-api.types';
import { audit } from '../../platform/db/audit';
import { type CardClick, parseCardClick } from './card-click';

export interface ReminderCardDeps {
  dataSource: DataSource;
  services: BotServices;
  outbound: OutboundService;
  logger: Logger;
  timezone: string;
  now: () => Date;
}

const CLICK_ACTION = 'reminder.card_click';
export const ALREADY_DONE_TEXT = '已完成，无需重复操作';

/**
 * A click on a reminder card: act, then update the card in place for the clicker (the ResponseCode
 * is single-use, so the update's idempotency key is the event's). A redelivered event is dropped by
 * the webhook's dedupe; a retried job finds its own audit row and only re-sends the same update; a
 * second click on a card already handled (a new ResponseCode) gets "已完成，无需重复操作".
 */
export function createReminderCardHandler(deps: ReminderCardDeps) {
  return async (event: InboundEvent): Promise<void> => {
    const click = parseCardClick(event);
    // A reminder's own card names it in the key; the 待办 card in the drop-down pick.
    const todo = click ? parseTodoButtonKey(click.eventKey, click.selected) : undefined;
    const key = click ? (parseReminderButtonKey(click.eventKey) ?? todo) : undefined;
    if (!click || !key) {
      deps.logger.warn({ dedupeKey: event.dedupeKey, eventKey: click?.eventKey }, 'template_card_event for no card of ours: ignored');
      return;
    }
    const reminder = await deps.services.reminders.find(key.reminderId);
    if (!reminder || reminder.staffUserid !== click.userid) {
      await updateCard(deps, click, event, { button: { replace_name: '提醒不存在' } });
      return;
    }
    if (key.action === 'customer') return showCustomer(deps, click, reminder, event);

    const earlier = await deps.dataSource.getRepository(AuditLog).findOneBy({ action: CLICK_ACTION, sourceKey: event.dedupeKey });
    const outcome: ClickOutcome = earlier
      ? { text: String(earlier.detail?.outcome ?? ''), snoozedTo: (earlier.detail?.snoozedTo as string | undefined) ?? undefined }
      : await act(deps, key.action, reminder);
    if (!earlier) {
      await deps.dataSource.transaction((m) =>
        audit(m, {
          actor: click.userid,
          action: CLICK_ACTION,
          targetType: 'reminder',
          targetId: reminder.id,
          detail: { button: key.action, outcome: outcome.text, ...(outcome.snoozedTo ? { snoozedTo: outcome.snoozedTo } : {}) },
          sourceKey: event.dedupeKey,
          at: deps.now(),
        }),
      );
    }
    if (todo) {
      // The 待办 card lists several reminders: redrawn in place with the list as it is now (so the new
      // time shows in full in the list) and what happened to the one picked; still clickable.
      // The reminder just handled stays picked: a second tap acts on it again, never on the next one.
      const [open, total, handled] = await Promise.all([
        deps.services.reminders.pendingFor(click.userid),
        deps.services.reminders.countOpenFor(click.userid),
        deps.services.reminders.find(reminder.id),
      ]);
      const notice = `#${reminder.id} ${outcome.snoozedTo ? `已推迟到 ${outcome.snoozedTo}` : outcome.text}`;
      const card = buildTodoCard(open, {
        taskId: click.taskId || `todo-${reminder.id}`,
        timezone: deps.timezone,
        now: deps.now(),
        notice,
        total,
        handled: handled ?? reminder,
      });
      await updateCard(deps, click, event, { template_card: card });
      return;
    }
    const card: ReminderCardInput = {
      reminderId: reminder.id,
      taskId: click.taskId || reminderTaskId(reminder.id, reminder.dueAt),
      content: reminder.content,
      due: formatChineseDateTime(reminder.dueAt, deps.timezone, deps.now()),
      customerName: reminder.customer?.name ?? null,
    };
    await updateCard(deps, click, event, { template_card: reminderCardAfterClick(card, outcome.text, outcome.snoozedTo) });
  };
}

/** What a click did: the greyed label, and after a snooze the new time in full. */
interface ClickOutcome {
  text: string;
  snoozedTo?: string;
}

/** Does what the button says, once. */
async function act(deps: ReminderCardDeps, action: Exclude<ReminderAction, 'customer'>, reminder: Reminder): Promise<ClickOutcome> {
  const now = deps.now();
  if (reminder.status === 'done' || reminder.status === 'cancelled') return { text: reminder.status === 'done' ? ALREADY_DONE_TEXT : '提醒已取消' };
  if (action === 'done') {
    const done = await deps.services.reminders.complete(reminder.id, reminder.staffUserid, now);
    return { text: done?.changed ? '✅ 已完成' : ALREADY_DONE_TEXT };
  }
  // Never earlier than it was: counted from the later of its due time and now (snooze-target.ts).
  const result = await deps.services.reminders.snooze(
    reminder.id,
    reminder.staffUserid,
    { kind: action === 'snooze1h' ? 'hour' : 'tomorrow' },
    now,
    deps.timezone,
  );
  if (result.outcome !== 'snoozed') return { text: result.outcome === 'closed' && result.reminder.status === 'cancelled' ? '提醒已取消' : ALREADY_DONE_TEXT };
  const snoozedTo = formatChineseDateTime(result.reminder.dueAt, deps.timezone, now);
  return { text: `已推迟到 ${snoozedTo}`, snoozedTo };
}

/** 查看客户: the profile card as a new message; the reminder card keeps its buttons. */
async function showCustomer(deps: ReminderCardDeps, click: CardClick, reminder: Reminder, event: InboundEvent): Promise<void> {
  if (!reminder.customer) return;
  const card = await buildProfileCard(deps.services, reminder.customer, deps.now(), deps.timezone, undefined, click.userid);
  await deps.outbound.enqueue({
    channel: 'user',
    touser: click.wecomUserid,
    message: { msgtype: 'template_card', template_card: card },
    idempotencyKey: `card-profile:${event.dedupeKey}`,
    urgent: true,
  });
}

async function updateCard(
  deps: ReminderCardDeps,
  click: CardClick,
  event: InboundEvent,
  update: { button: { replace_name: string } } | { template_card: TemplateCard },
): Promise<void> {
  if (!click.responseCode) return;
  // the salesperson is looking at the card they clicked: update it now, not one queue hop later
  await deps.outbound.sendNow({
    channel: 'card_update',
    userid: click.wecomUserid,
    responseCode: click.responseCode,
    update,
    idempotencyKey: `card:${event.dedupeKey}`,
  });
}
