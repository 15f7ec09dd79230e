import type { TemplateCard } from '../../src/platform/wecom/api/wecom-api.types';
import { CARD_LIMITS, fit } from './card-limits';
import { maskPhones } from '../mask-phone';
import { reminderMatter } from './reminder-cards';

/**
 * Cards the smart bot (智能机器人) posts to a team group, with buttons anyone in the group can
 * click: the click acts for the clicker (their permissions), and the card then shows what became
 * of it, for everyone. Keys are `gb:<button>`: the card's task_id names what it is about.
 */

export const GROUP_BUTTONS = ['take', 'nudge', 'reassign', 'save', 'lost', 'sopdone'] as const;
export type GroupButton = (typeof GROUP_BUTTONS)[number];
export const GROUP_BUTTON_PREFIX = 'gb:';
export const groupButtonKey = (button: GroupButton): string => `${GROUP_BUTTON_PREFIX}${button}`;
/** the picker of 改派 (the teammate to hand the reminder to) */
export const ASSIGNEE_QUESTION = 'assignee';

export interface Person {
  userid: string;
  name: string;
}

export interface OverdueGroupCardInput {
  taskId: string;
  customerName: string | null;
  content: string;
  /** the due time as shown, e.g. 11月24日 周二 15:00 */
  due: string;
  overdueFor: string;
  owner: Person;
  /** whom 改派 can pick: the owner's teammates (at most 10 fit a picker) */
  teammates: Person[];
  /** what happened so far on an open card (催了一下 …) */
  note?: string;
}

const person = (keyname: string, p: Person) => ({ keyname, value: p.name, type: 3, userid: p.userid });

/** An overdue reminder in the team group: 我来处理 (the owner), 催一下 (the lead), 改派 (the lead, to the teammate picked). */
export function overdueGroupCard(input: OverdueGroupCardInput): TemplateCard {
  const choices = input.teammates.filter((t) => t.userid !== input.owner.userid).slice(0, 10);
  return {
    card_type: 'button_interaction',
    source: { desc: '客户助手 · 逾期提醒', desc_color: 2 },
    main_title: {
      title: fit(`⏰ ${input.customerName ?? '提醒'} 已逾期${input.overdueFor}`, CARD_LIMITS.title),
      desc: fit(`${input.owner.name} 的跟进`, CARD_LIMITS.desc),
    },
    sub_title_text: fit(reminderMatter(input.content, input.customerName) + (input.note ? `\n${input.note}` : ''), CARD_LIMITS.subTitle),
    horizontal_content_list: [person('负责人', input.owner), { keyname: '到期', value: input.due }],
    ...(choices.length
      ? {
          button_selection: {
            question_key: ASSIGNEE_QUESTION,
            title: '改派给',
            option_list: choices.map((c) => ({ id: c.userid, text: fit(c.name, CARD_LIMITS.buttonText) })),
            selected_id: choices[0]!.userid,
          },
        }
      : {}),
    button_list: [
      { text: '我来处理', style: 1, key: groupButtonKey('take') },
      { text: '催一下', style: 2, key: groupButtonKey('nudge') },
      ...(choices.length ? [{ text: '改派', style: 2, key: groupButtonKey('reassign') }] : []),
    ],
    task_id: input.taskId,
  } as TemplateCard;
}

export interface ChurnGroupCardInput {
  taskId: string;
  customerName: string;
  owner: Person;
  /** when WeCom reported it, as shown */
  at: string;
  channel?: string;
  note?: string;
}

/** 删人提醒 in the team group: 我来挽回 (a follow-up reminder for whoever clicks), 标记流失 (the owner or the lead). */
export function churnGroupCard(input: ChurnGroupCardInput): TemplateCard {
  return {
    card_type: 'button_interaction',
    source: { desc: '客户助手 · 删人提醒', desc_color: 2 },
    main_title: { title: fit(`💔 ${input.customerName} 删除了 ${input.owner.name}`, CARD_LIMITS.title), desc: fit(input.at, CARD_LIMITS.desc) },
    ...(input.note ? { sub_title_text: fit(input.note, CARD_LIMITS.subTitle) } : {}),
    horizontal_content_list: [person('负责人', input.owner), ...(input.channel ? [{ keyname: '渠道', value: fit(input.channel, CARD_LIMITS.value) }] : [])],
    button_list: [
      { text: '我来挽回', style: 1, key: groupButtonKey('save') },
      { text: '标记流失', style: 2, key: groupButtonKey('lost') },
    ],
    task_id: input.taskId,
  } as TemplateCard;
}

export interface SopGroupCardInput {
  taskId: string;
  sopTitle: string;
  stepNumber: number;
  stepCount: number;
  customerName: string;
  text: string;
  owner: Person;
}

/** A team-group SOP step: 已完成, and the card then says who did it. Phone numbers are masked (the whole group reads it). */
export function sopGroupCard(input: SopGroupCardInput): TemplateCard {
  return {
    card_type: 'button_interaction',
    source: { desc: `客户助手 · SOP 第${input.stepNumber}/${input.stepCount}步`, desc_color: 0 },
    main_title: { title: fit(`📋 ${input.sopTitle}`, CARD_LIMITS.title), desc: fit(`客户：${maskPhones(input.customerName, false)}`, CARD_LIMITS.desc) },
    sub_title_text: fit(maskPhones(input.text, false), CARD_LIMITS.subTitle),
    horizontal_content_list: [person('负责人', input.owner)],
    button_list: [{ text: '已完成', style: 1, key: groupButtonKey('sopdone') }],
    task_id: input.taskId,
  } as TemplateCard;
}

/** A settled card, as everyone in the group sees it afterwards: no buttons, what happened and who did it. */
export function settledGroupCard(input: { taskId: string; title: string; outcome: string; rows: Array<{ keyname: string; value: string }> }): TemplateCard {
  return {
    card_type: 'text_notice',
    source: { desc: '客户助手', desc_color: 3 },
    main_title: { title: fit(input.title, CARD_LIMITS.title) },
    sub_title_text: fit(input.outcome, CARD_LIMITS.subTitle),
    horizontal_content_list: input.rows.slice(0, 6).map((r) => ({ keyname: fit(r.keyname, CARD_LIMITS.keyName), value: fit(r.value, CARD_LIMITS.value) })),
    task_id: input.taskId,
  } as TemplateCard;
}

const BUTTON_TEXT: Record<GroupButton, string> = { take: '我来处理', nudge: '催一下', reassign: '改派', save: '我来挽回', lost: '标记流失', sopdone: '已完成' };

/** The private answer to a member pressing a button they already pressed: it acted the first time only. */
export function alreadyPressedText(button: GroupButton, outcome: string): string {
  return `你已经点过「${BUTTON_TEXT[button]}」了（${outcome}），不会再做一次。`;
}

/** A short private answer to a click someone may not make. */
export function notAllowedText(button: GroupButton, who: { owner: string; lead: string | null }): string {
  switch (button) {
    case 'take':
      return `「我来处理」是给负责人 ${who.owner} 的：处理后这条提醒会标记完成。组长可以用「改派」交给别人。`;
    case 'nudge':
    case 'reassign':
      return `「${BUTTON_TEXT[button]}」只有组长${who.lead ? `（${who.lead}）` : ''}或管理员可以用。`;
    case 'save':
      return '「我来挽回」是给本组同事的：点了会给你建一条跟进提醒。';
    case 'sopdone':
      return '「已完成」是给本组同事的。';
    case 'lost':
      return `「标记流失」只有负责人 ${who.owner}、组长${who.lead ? `（${who.lead}）` : ''}或管理员可以用。`;
    default:
      return '这个按钮你不能用。';
  }
}
