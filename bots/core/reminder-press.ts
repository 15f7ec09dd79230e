import type { Reminder } from '../../entities';
import { buttonOutcomeText, REMINDER_GONE_TEXT, reminderCardAfterClick, reminderTaskId, TODO_QUESTION_KEY } from '../../templates/cards/reminder-cards';
import { formatChineseDateTime } from '../../templates/format-date';
import { buildTodoCard } from './todo-card';
import type { BotServices } from './bot-services';
import type { CardActionContext, CardPress } from './card-action';
import { UserError } from './errors';

// Named through the services port: bots reach a module only through what BotServices exposes.
type PressButton = BotServices['reminders']['pressButton'];
type ReminderButton = Parameters<PressButton>[1];
type ButtonOutcome = Awaited<ReturnType<PressButton>>;

/** A click on a reminder button: which reminder, and the card it came from. */
export interface ReminderPress {
  reminderId: number;
  taskId: string;
}

/** `rem:<action>:12` → reminder 12; undefined when what follows the prefix is not an id. */
export function parseReminderCardPress(press: CardPress): ReminderPress | undefined {
  if (!/^\d{1,10}$/.test(press.args)) return undefined;
  return { reminderId: Number(press.args), taskId: press.taskId };
}

/** `todo:<action>` → the reminder picked in the 待办 card's drop-down; undefined without a pick (or with more after the key). */
export function parseTodoCardPress(press: CardPress): ReminderPress | undefined {
  const picked = Number(press.selected[TODO_QUESTION_KEY]?.[0]);
  if (press.args !== '' || !Number.isInteger(picked) || picked <= 0) return undefined;
  return { reminderId: picked, taskId: press.taskId };
}

/** The clicker's own reminder; a card naming one that is gone or somebody else's greys its button with 提醒不存在. */
export async function ownReminder(reminderId: number, ctx: CardActionContext): Promise<Reminder> {
  const reminder = await ctx.services.reminders.findOwn(reminderId, ctx.clicker);
  if (!reminder) throw new UserError(REMINDER_GONE_TEXT);
  return reminder;
}

/** What happened, worded, and after a snooze the new time in full. */
function worded(outcome: ButtonOutcome, ctx: CardActionContext): { text: string; snoozedTo?: string } {
  if (outcome.outcome !== 'snoozed') return { text: buttonOutcomeText(outcome) };
  const snoozedTo = formatChineseDateTime(outcome.until, ctx.timezone, ctx.now);
  return { text: buttonOutcomeText({ outcome: 'snoozed', snoozedTo }), snoozedTo };
}

const press = (reminder: Reminder, button: ReminderButton, ctx: CardActionContext) =>
  ctx.services.reminders.pressButton(reminder, button, { sourceKey: ctx.sourceKey, now: ctx.now, timeZone: ctx.timezone });

/** 完成 / 推迟1小时 / 明天再提醒 on a reminder's own card: done once, and the card greyed with what happened. */
export async function pressOnReminderCard(button: ReminderButton, input: ReminderPress, ctx: CardActionContext): Promise<void> {
  const reminder = await ownReminder(input.reminderId, ctx);
  const { text, snoozedTo } = worded(await press(reminder, button, ctx), ctx);
  const card = {
    reminderId: reminder.id,
    taskId: input.taskId || reminderTaskId(reminder.id, reminder.dueAt),
    content: reminder.content,
    due: formatChineseDateTime(reminder.dueAt, ctx.timezone, ctx.now),
    customerName: reminder.customer?.name ?? null,
  };
  await ctx.update({ template_card: reminderCardAfterClick(card, text, snoozedTo) });
}

/**
 * The same buttons on the 待办 card, which lists several reminders: redrawn in place with the list
 * as it is now (so a new time shows in full in the list) and what happened to the one picked; still
 * clickable. The reminder just handled stays picked: a second tap acts on it again, never on the next one.
 */
export async function pressOnTodoCard(button: ReminderButton, input: ReminderPress, ctx: CardActionContext): Promise<void> {
  const reminder = await ownReminder(input.reminderId, ctx);
  const { text } = worded(await press(reminder, button, ctx), ctx);
  const reminders = ctx.services.reminders;
  const [open, total, handled] = await Promise.all([reminders.pendingFor(ctx.clicker), reminders.countOpenFor(ctx.clicker), reminders.find(reminder.id)]);
  const card = buildTodoCard(open, {
    taskId: input.taskId || `todo-${reminder.id}`,
    timezone: ctx.timezone,
    now: ctx.now,
    notice: `#${reminder.id} ${text}`,
    total,
    handled: handled ?? reminder,
  });
  await ctx.update({ template_card: card });
}
