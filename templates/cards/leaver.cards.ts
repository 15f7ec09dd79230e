import type { TemplateCard } from '../../src/platform/wecom/api/wecom-api.types';
import { shortYuan } from '../opportunities';
import { CARD_LIMITS, fit, titleAround } from './card-limits';

/**
 * The card a team lead gets when a salesperson leaves (离职继承): how many customers wait, the most
 * valuable first, and two buttons — all to the teammate picked in the drop-down, or split evenly
 * across the team. Keys are `leave:<one|even>:<leaverId>`; the pick is the `leave_to` question.
 */

export const LEAVER_ACTIONS = ['one', 'even'] as const;
export type LeaverAction = (typeof LEAVER_ACTIONS)[number];
export const LEAVER_QUESTION_KEY = 'leave_to';

export function leaverButtonPrefix(action: LeaverAction): string {
  return `leave:${action}:`;
}

export function leaverTaskId(leaverId: number): string {
  return `leave-${leaverId}`;
}

/** One of the leaver's customers as the card lists them: name, open opportunities' amount, last follow-up day. */
export interface LeaverCustomerLine {
  name: string;
  openAmount: number;
  /** "11/28", null: never followed up */
  lastFollowUp: string | null;
}

export interface LeaverCardInput {
  leaverId: number;
  leaverName: string;
  /** most valuable first */
  customers: LeaverCustomerLine[];
  total: number;
  openOpportunities: number;
  openAmount: number;
  openReminders: number;
  groups: number;
  /** who may take them over (the drop-down, the first preselected); WeCom shows at most 10 */
  teammates: Array<{ userid: string; name: string }>;
}

/** 「王五 ¥5万 11/28」: what makes a customer valuable, on one line. */
export function leaverCustomerLine(c: LeaverCustomerLine): string {
  return [c.name, c.openAmount > 0 ? shortYuan(c.openAmount) : null, c.lastFollowUp ? `${c.lastFollowUp}跟进` : null].filter(Boolean).join(' ');
}

export function leaverCard(p: LeaverCardInput): TemplateCard {
  const top = p.customers.slice(0, 4).map((c) => fit(leaverCustomerLine(c), 26));
  const more = p.total > top.length ? `…共 ${p.total} 位，价值高的在前` : '';
  return {
    card_type: 'button_interaction',
    task_id: leaverTaskId(p.leaverId),
    source: { desc: '离职继承', desc_color: 2 },
    main_title: {
      title: titleAround('', p.leaverName, ` 离职了，${p.total} 位客户待分配`),
      desc: fit('选一位同事全部交给他，或平均分给团队', CARD_LIMITS.desc),
    },
    sub_title_text: fit([...top, ...(more ? [more] : [])].join('\n'), CARD_LIMITS.subTitle),
    horizontal_content_list: [
      { keyname: '客户', value: `${p.total} 位` },
      { keyname: '进行中商机', value: p.openOpportunities > 0 ? `${p.openOpportunities} 个 · ${shortYuan(p.openAmount)}` : '0 个' },
      { keyname: '待办提醒', value: `${p.openReminders} 个` },
      { keyname: '客户群', value: `${p.groups} 个` },
    ].map((r) => ({ keyname: fit(r.keyname, CARD_LIMITS.keyName), value: fit(r.value, CARD_LIMITS.value) })),
    quote_area: {
      type: 0,
      quote_text: fit(`分配前 ${p.leaverName} 的提醒和 SOP 先发给你。也可发送「离职继承 ${p.leaverName} 给 同事」`, CARD_LIMITS.quote),
    },
    button_selection: {
      question_key: LEAVER_QUESTION_KEY,
      title: '接替人',
      option_list: p.teammates.slice(0, 10).map((t) => ({ id: t.userid, text: fit(t.name, 16) })),
      selected_id: p.teammates[0]?.userid ?? '',
    },
    button_list: [
      { type: 0, text: '全部交给所选同事', style: 1, key: `${leaverButtonPrefix('one')}${p.leaverId}` },
      { type: 0, text: '平均分给团队', style: 2, key: `${leaverButtonPrefix('even')}${p.leaverId}` },
    ],
  };
}

/** The greyed button's label after a click (at most 10 characters). */
export const LEAVER_CLICK_TEXT = {
  assigned: '已分配',
  alreadyAssigned: '已分配，无需重复',
  gone: '离职记录不存在',
  notAllowed: '只有主管或管理员可分配',
  nobody: '没有可接替的同事',
} as const;

/** The lead's answer once the customers are on their way (the run then says what WeCom started, per new owner). */
export function leaverAssignedText(input: {
  leaverName: string;
  shares: Array<{ name: string; count: number }>;
  groups: { moved: number; failed: number; ownerName: string | null; reasons: string[] };
}): string {
  const total = input.shares.reduce((n, s) => n + s.count, 0);
  const to = input.shares.map((s) => `${s.name} ${s.count} 位`).join('、');
  const lines = [`已把 ${input.leaverName} 的 ${total} 位客户交给 ${to}：企业微信 24 小时后自动接替，接替后提醒、SOP 和商机随客户转给新跟进人。`];
  if (input.groups.moved > 0) lines.push(`${input.leaverName} 的 ${input.groups.moved} 个客户群已转给 ${input.groups.ownerName}。`);
  if (input.groups.failed > 0)
    lines.push(`${input.groups.failed} 个客户群未能转交（${input.groups.reasons.join('；') || '企业微信拒绝'}），请在企业微信管理后台「离职继承」里处理。`);
  return lines.join('\n');
}

/** A second decision (another click, another command) after the first: what was decided, nothing done twice. */
export function leaverAlreadyAssignedText(leaverName: string, decidedByName: string, shares: Array<{ name: string; count: number }>): string {
  return `${leaverName} 的客户已由 ${decidedByName} 分配给 ${shares.map((s) => `${s.name} ${s.count} 位`).join('、') || '同事'}，不用再分配。`;
}
