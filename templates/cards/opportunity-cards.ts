import type { TemplateCard } from '../../src/platform/wecom/api/wecom-api.types';
import { opportunityFigures } from '../opportunities';
import { CARD_LIMITS, fit, titleAround } from './card-limits';

/**
 * The card an open opportunity gets when its expected close date arrives (button_interaction):
 * 赢单 / 输单 / 改期, keys `opp:<action>:<opportunityId>`.
 */

export const OPPORTUNITY_ACTIONS = ['won', 'lost', 'later'] as const;
export type OpportunityAction = (typeof OPPORTUNITY_ACTIONS)[number];

/** 改期 moves the close date this many days on */
export const RESCHEDULE_DAYS = 7;

export function opportunityButtonPrefix(action: OpportunityAction): string {
  return `opp:${action}:`;
}

/** WeCom: task_id unique per app, ≤ 128 bytes. One per close date, so a rescheduled opportunity's next card is a new card. */
export function opportunityTaskId(opportunityId: number, closeAt: Date): string {
  return `opp-${opportunityId}-${closeAt.getTime()}`;
}

export interface OpportunityDueInput {
  opportunityId: number;
  taskId: string;
  customerName: string;
  name: string | null;
  amount: number;
  probability: number | null;
  /** the close date as a day: 12月18日 周五 */
  closeDay: string;
  /** the close date is before today (a card sent late, after a day the worker did not run) */
  past: boolean;
}

export function opportunityDueCard(input: OpportunityDueInput): TemplateCard {
  const key = (action: OpportunityAction) => `${opportunityButtonPrefix(action)}${input.opportunityId}`;
  return {
    card_type: 'button_interaction',
    task_id: input.taskId,
    source: { desc: '商机', desc_color: 0 },
    main_title: {
      title: titleAround('', input.customerName, input.past ? ' 的商机已过预计成交日' : ' 的商机今天预计成交'),
      desc: fit(input.closeDay, CARD_LIMITS.desc),
    },
    sub_title_text: fit(
      `成交了点「赢单」，没成点「输单」（原因可发送「输单 ${input.customerName} 原因」），还要谈点「改期」推后${RESCHEDULE_DAYS}天，或发送「商机 ${input.customerName} 金额 新日期」`,
      CARD_LIMITS.subTitle,
    ),
    horizontal_content_list: [
      ...(input.name ? [{ keyname: '名称', value: fit(input.name, CARD_LIMITS.value) }] : []),
      { keyname: '金额', value: opportunityFigures(input) },
      { keyname: '编号', value: `#${input.opportunityId}` },
    ],
    button_list: [
      { type: 0, text: '赢单', style: 1, key: key('won') },
      { type: 0, text: '输单', style: 3, key: key('lost') },
      { type: 0, text: `改期${RESCHEDULE_DAYS}天`, style: 2, key: key('later') },
    ],
  };
}

/** The same card after a click, its buttons greyed with what happened. */
export function opportunityCardAfterClick(input: OpportunityDueInput, replaceText: string): TemplateCard {
  return { ...opportunityDueCard(input), replace_text: fit(replaceText, 20) };
}

/** What a click did, for the greyed buttons. */
export function opportunityClickText(outcome: { kind: 'won' | 'lost' } | { kind: 'later'; closeDay: string } | { kind: 'closed' }): string {
  switch (outcome.kind) {
    case 'won':
      return '🎉 已赢单';
    case 'lost':
      return '已输单';
    case 'later':
      return `已改期到 ${outcome.closeDay}`;
    case 'closed':
      return '商机已关闭';
  }
}

export const OPPORTUNITY_GONE_TEXT = '商机不存在';
