import type { TemplateCard } from '../../src/platform/wecom/api/wecom-api.types';
import { CARD_LIMITS, fit, titleAround } from './card-limits';
import { maskPhones } from '../mask-phone';

/**
 * Interactive reminder cards (button_interaction). A click comes back as `template_card_event`
 * with the button's key; keys are `rem:<action>:<reminderId>` so the click names its reminder.
 */

export const REMINDER_ACTIONS = ['done', 'snooze1h', 'tomorrow', 'customer'] as const;
export type ReminderAction = (typeof REMINDER_ACTIONS)[number];

/** The key prefix of one button on every reminder card (the card action registered for it reads the id after it). */
export function reminderButtonPrefix(action: ReminderAction): string {
  return `rem:${action}:`;
}

export function reminderButtonKey(action: ReminderAction, reminderId: number): string {
  return `${reminderButtonPrefix(action)}${reminderId}`;
}

/** WeCom: task_id unique per app, [0-9A-Za-z_-@], ≤ 128 bytes. One per firing, so a snoozed reminder's next card is a new card. */
export function reminderTaskId(reminderId: number, dueAt: Date): string {
  return `rem-${reminderId}-${dueAt.getTime()}`;
}

/**
 * What a reminder is about, without repeating the customer the card or line already names: a
 * reminder set from a follow-up reads 「联系 刘洋：发报价」, and next to 刘洋 that is 「发报价」.
 */
export function reminderMatter(content: string, customerName: string | null): string {
  if (!customerName) return content;
  const name = customerName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const stripped = content.replace(new RegExp(`^(联系|回访|跟进)?\\s*${name}\\s*[：:，,\\s]\\s*`), '').trim();
  return stripped || content;
}

/** One line about a reminder with its customer, naming them once: 「刘洋：发报价」, 「给刘洋发报价」. */
export function reminderLine(content: string, customerName: string | null): string {
  const matter = reminderMatter(content, customerName);
  return customerName && !matter.includes(customerName) ? `${customerName}：${matter}` : matter;
}

export interface ReminderCardInput {
  reminderId: number;
  taskId: string;
  content: string;
  /** the due time as shown, e.g. 11月24日 周二 15:00 */
  due: string;
  customerName: string | null;
  /** whose it is when not the reader's: a salesperson who left (离职继承), their lead receives it until the customer is taken over */
  onBehalfOf?: string | null;
}

/** The card a reminder fires as: 完成 / 推迟1小时 / 明天再提醒, and 查看客户 when it is about a customer. */
export function reminderButtonCard(input: ReminderCardInput): TemplateCard {
  const buttons = [
    { type: 0, text: '完成', style: 1, key: reminderButtonKey('done', input.reminderId) },
    { type: 0, text: '推迟1小时', style: 2, key: reminderButtonKey('snooze1h', input.reminderId) },
    { type: 0, text: '明天再提醒', style: 2, key: reminderButtonKey('tomorrow', input.reminderId) },
    ...(input.customerName ? [{ type: 0, text: '查看客户', style: 4, key: reminderButtonKey('customer', input.reminderId) }] : []),
  ];
  return {
    card_type: 'button_interaction',
    task_id: input.taskId,
    source: { desc: input.onBehalfOf ? fit(`代收 · ${input.onBehalfOf}的提醒`, 13) : '提醒', desc_color: input.onBehalfOf ? 2 : 0 },
    main_title: { title: input.customerName ? titleAround('该联系 ', input.customerName, ' 了') : '提醒', desc: fit(input.due, CARD_LIMITS.desc) },
    // the title names the customer: the quote says what to do
    quote_area: { type: 0, quote_text: fit(reminderMatter(input.content, input.customerName), CARD_LIMITS.quote) },
    sub_title_text: fit(
      `${input.onBehalfOf ? `${input.onBehalfOf}（已离职）的提醒，客户接替前由你代收。` : ''}也可回复「完成 ${input.reminderId}」或「推迟 ${input.reminderId} 明天上午10点」`,
      CARD_LIMITS.subTitle,
    ),
    horizontal_content_list: [{ keyname: '编号', value: `#${input.reminderId}` }],
    button_list: buttons.slice(0, CARD_LIMITS.buttons),
  };
}

/**
 * The same card after a click, buttons greyed with `replaceText` (what happened) for the clicking
 * user. After a snooze, `snoozedTo` (the new time in full) heads the card and has a row of its own,
 * so the answer is complete even where the greyed label is cut.
 */
export function reminderCardAfterClick(input: ReminderCardInput, replaceText: string, snoozedTo?: string): TemplateCard {
  const card = reminderButtonCard(input);
  if (!snoozedTo) return { ...card, replace_text: fit(replaceText, 20) };
  return {
    ...card,
    main_title: { ...(card.main_title as Record<string, unknown>), desc: fit(`已推迟到 ${snoozedTo}`, CARD_LIMITS.desc) },
    horizontal_content_list: [
      ...(card.horizontal_content_list as Array<Record<string, unknown>>),
      { keyname: '新时间', value: fit(snoozedTo, CARD_LIMITS.value) },
    ],
    replace_text: fit(replaceText, 20),
  };
}

/** A button pressed on a card whose reminder is gone or somebody else's. */
export const REMINDER_GONE_TEXT = '提醒不存在';
export const ALREADY_DONE_TEXT = '已完成，无需重复操作';

/** What a reminder button did, as the greyed card (or the 待办 card's notice) says it; `snoozedTo` is the new time as shown. */
export function buttonOutcomeText(outcome: { outcome: 'completed' | 'already_done' | 'cancelled' } | { outcome: 'snoozed'; snoozedTo: string }): string {
  switch (outcome.outcome) {
    case 'completed':
      return '✅ 已完成';
    case 'already_done':
      return ALREADY_DONE_TEXT;
    case 'cancelled':
      return '提醒已取消';
    case 'snoozed':
      return `已推迟到 ${outcome.snoozedTo}`;
  }
}

/** Sent at a reminder's time instead of its card when the relation with its customer ended before. */
export function reminderClosedText(input: { reminderId: number; content: string; customerName: string | null; why: string; endedAt: string | null }): string {
  const who = input.customerName ? `${input.customerName}：` : '';
  // the customer is named in the brackets: the matter without their name again
  return `提醒 #${input.reminderId} 已自动关闭（${who}${input.why}${input.endedAt ? `，${input.endedAt}` : ''}），不再提醒。\n原事项：${reminderMatter(input.content, input.customerName)}`;
}

/** Team group post for a reminder nobody closed in time (robot markdown: `<@userid>` mentions). */
export function overdueReminderMarkdown(input: {
  staffName: string;
  mention: string | null;
  customerName: string | null;
  content: string;
  due: string;
  overdueFor: string;
}): string {
  // A team group is read by more than the customer's owner: phone numbers in it are masked.
  return [
    `**<font color="warning">提醒已超时未处理</font>** ${input.overdueFor}`,
    `> 销售：${input.staffName}${input.mention ? ` <@${input.mention}>` : ''}`,
    `> 客户：${input.customerName ? maskPhones(input.customerName) : '（未关联客户）'}`,
    `> 事项：${maskPhones(reminderMatter(input.content, input.customerName))}`,
    `> 到期：${input.due}`,
  ].join('\n');
}

/** The 待办 card: pick a reminder in the drop-down, then a button. The click carries the pick in SelectedItems. */
export const TODO_QUESTION_KEY = 'reminder';
export const TODO_ACTIONS = ['done', 'snooze1h', 'tomorrow'] as const;
export type TodoAction = (typeof TODO_ACTIONS)[number];

/** A 待办 card button's key: the same for every card, the reminder is the one picked in the drop-down. */
export function todoButtonKey(action: TodoAction): string {
  return `todo:${action}`;
}

const TODO_BUTTONS = [
  { type: 0, text: '完成', style: 1, key: todoButtonKey('done') },
  { type: 0, text: '推迟1小时', style: 2, key: todoButtonKey('snooze1h') },
  { type: 0, text: '明天再提醒', style: 2, key: todoButtonKey('tomorrow') },
];

export interface TodoItem {
  id: number;
  /** e.g. 11月24日 周二 15:00 张三：回访 */
  line: string;
  /** the drop-down's option (with `#id`, at most 16 characters): what tells reminders apart, e.g. 张三 11/24 15点 */
  short: string;
  overdue: boolean;
}

/**
 * The reminder a click on the 待办 card just handled. The redrawn card keeps it picked, so a second
 * tap (or a tap to check it worked) acts on the same reminder and never on the next one in the list;
 * one no longer open stays first in the drop-down (marked 已完成), until another is picked.
 */
export interface TodoHandled {
  id: number;
  /** its option text, e.g. 张三 11/24 15点, or 已完成 张三 once closed */
  short: string;
  closed: boolean;
}

/** WeCom: an option's text is best kept to 16 characters. */
export const TODO_OPTION_CHARS = 16;

/**
 * WeCom allows 10 options in a button_selection; the first ten (soonest) are actionable from the card.
 * `total`: how many are open (the card lists the soonest); the title counts them all.
 * `notice`: what the last click did (the card is redrawn in place after each click, still clickable).
 */
export function todoCard(input: { taskId: string; items: TodoItem[]; notice?: string; total?: number; handled?: TodoHandled }): TemplateCard {
  const desc = fit(input.notice ?? '选一条提醒，再点按钮', CARD_LIMITS.desc);
  if (input.items.length === 0) {
    // Nothing left to pick: the buttons are greyed with what happened.
    return {
      card_type: 'button_interaction',
      task_id: input.taskId,
      source: { desc: '待办', desc_color: 0 },
      main_title: { title: '待办提醒（0）', desc },
      sub_title_text: '没有待办提醒了。',
      button_list: TODO_BUTTONS,
      replace_text: '没有待办了',
    };
  }
  const option = (id: number, text: string) => ({ id: String(id), text: fit(`#${id} ${text}`, TODO_OPTION_CHARS) });
  const handled = input.handled;
  let options = input.items.slice(0, 10).map((i) => option(i.id, i.short));
  if (handled?.closed) options = [option(handled.id, handled.short), ...options.slice(0, 9)];
  else if (handled && !options.some((o) => o.id === String(handled.id)) && input.items.some((i) => i.id === handled.id))
    options = [...options.slice(0, 9), option(handled.id, handled.short)];
  const selected = handled && options.some((o) => o.id === String(handled.id)) ? String(handled.id) : options[0]!.id;
  const listed = Math.min(10, input.items.length);
  const total = Math.max(input.total ?? input.items.length, input.items.length);
  // The 112-character subtitle: the soonest few, a line each, and how many more there are.
  const more = total > 3 ? `…共${total}条，下拉框里是最早的${listed}条，也可回复「完成 编号」` : '';
  const room = CARD_LIMITS.subTitle - Array.from(more).length - 1;
  const shown = input.items
    .slice(0, 3)
    .map((i) => fit(`#${i.id} ${i.overdue ? '（已过期）' : ''}${i.line}`, Math.floor(room / Math.min(3, input.items.length)) - 1));
  return {
    card_type: 'button_interaction',
    task_id: input.taskId,
    source: { desc: '待办', desc_color: 0 },
    main_title: { title: `待办提醒（${total}）`, desc },
    sub_title_text: fit([...shown, ...(more ? [more] : [])].join('\n'), CARD_LIMITS.subTitle),
    button_selection: {
      question_key: TODO_QUESTION_KEY,
      title: '提醒',
      option_list: options,
      selected_id: selected,
    },
    button_list: TODO_BUTTONS,
  };
}
