import type { TemplateCard } from '../../src/platform/wecom/api/wecom-api.types';
import { TRANSFER_END_TEXT, transferErrcodeText } from '../handover-reasons';
import { CARD_LIMITS, fit, titleAround } from './card-limits';
import { textNoticeCard } from './text-notice.card';

/**
 * The cards of a handover (在职转接): the confirmation that lists what moves, and how it ended, to
 * the lead who asked. Keys are `hand:<action>:<handoverId>` so a click names its handover.
 */

export const HANDOVER_ACTIONS = ['ok', 'no'] as const;
export type HandoverAction = (typeof HANDOVER_ACTIONS)[number];

export function handoverButtonPrefix(action: HandoverAction): string {
  return `hand:${action}:`;
}

export function handoverTaskId(handoverId: number): string {
  return `hand-${handoverId}`;
}

/** Names, the first few and how many more: 「王五、赵六等 12 位」. */
export function someCustomers(names: string[], total: number, shown = 5): string {
  const head = names.slice(0, shown).join('、');
  return total > shown ? `${head}等 ${total} 位` : head;
}

export interface HandoverProposal {
  handoverId: number;
  toName: string;
  /** whose customers, and how many of each */
  from: Array<{ name: string; count: number }>;
  customerNames: string[];
  total: number;
  openOpportunities: number;
  openReminders: number;
}

/** The confirmation: who hands over to whom, which customers, and what goes with them. */
export function handoverConfirmCard(p: HandoverProposal): TemplateCard {
  const from = p.from.map((f) => `${f.name} ${f.count} 位`).join('，');
  return {
    card_type: 'button_interaction',
    task_id: handoverTaskId(p.handoverId),
    source: { desc: '客户转接', desc_color: 0 },
    main_title: { title: titleAround('转接 ', `${p.total} 位客户`, ` 给 ${p.toName}`), desc: fit(`原跟进人：${from}`, CARD_LIMITS.desc) },
    sub_title_text: fit(`客户：${someCustomers(p.customerNames, p.total)}`, CARD_LIMITS.subTitle),
    horizontal_content_list: [
      { keyname: '客户', value: `${p.total} 位` },
      { keyname: '进行中商机', value: `${p.openOpportunities} 个` },
      { keyname: '待办提醒', value: `${p.openReminders} 个` },
    ].map((r) => ({ keyname: fit(r.keyname, CARD_LIMITS.keyName), value: fit(r.value, CARD_LIMITS.value) })),
    quote_area: {
      type: 0,
      quote_text: fit('确认后企业微信通知客户，24 小时内客户可拒绝；接替后提醒、SOP、商机、标签和阶段随客户转给新跟进人。', CARD_LIMITS.quote),
    },
    button_list: [
      { type: 0, text: '确认转接', style: 1, key: `${handoverButtonPrefix('ok')}${p.handoverId}` },
      { type: 0, text: '取消', style: 2, key: `${handoverButtonPrefix('no')}${p.handoverId}` },
    ],
  };
}

export const HANDOVER_CLICK_TEXT = {
  confirmed: '已确认转接',
  cancelled: '已取消',
  alreadyConfirmed: '已确认，无需重复操作',
  alreadyCancelled: '已取消，无需重复操作',
  gone: '转接不存在',
  notYours: '只有发起人可以确认',
} as const;

/** What the confirmation led to at once: how many WeCom started, and who it would not start, with why. */
export function handoverStartedText(input: { toName: string; started: number; failed: Array<{ name: string; errcode: number }> }): string {
  const lines = [`已提交 ${input.started} 位客户转给 ${input.toName}：企业微信会通知客户，24 小时后自动接替（客户可拒绝）。接替完成后会告诉你结果。`];
  if (input.failed.length > 0) {
    lines.push(`${input.failed.length} 位未能提交：`);
    for (const f of input.failed.slice(0, 20)) lines.push(`· ${f.name}：${transferErrcodeText(f.errcode)}`);
    if (input.failed.length > 20) lines.push(`……另有 ${input.failed.length - 20} 位`);
  }
  return lines.join('\n');
}

export interface HandoverOutcome {
  toName: string;
  done: number;
  refused: string[];
  limit: string[];
  failed: Array<{ name: string; errcode: number }>;
  at: string;
  /** 离职继承: the leaver, whose customers WeCom did not hand over may be handed on again */
  leaverName?: string;
}

/** How it ended, to the lead who asked: taken over, refused, stopped at the limit, never started. */
export function handoverResultCard(o: HandoverOutcome): TemplateCard {
  const kept = [
    ...o.refused.map((name) => `${name}（${TRANSFER_END_TEXT.refused}）`),
    ...o.limit.map((name) => `${name}（${TRANSFER_END_TEXT.limit}）`),
    ...o.failed.map((f) => `${f.name}（${transferErrcodeText(f.errcode)}）`),
  ];
  const notMoved = o.refused.length + o.limit.length + o.failed.length;
  return textNoticeCard({
    source: '客户转接',
    title: titleAround('转给 ', o.toName, ' 的客户已有结果'),
    desc: o.at,
    emphasis: { title: `${o.done} 位`, desc: '已接替' },
    rows: [
      { key: '已接替', value: `${o.done} 位` },
      { key: '客户拒绝', value: `${o.refused.length} 位` },
      { key: '达到上限', value: `${o.limit.length} 位` },
      { key: '未能提交', value: `${o.failed.length} 位` },
    ],
    subTitle: notMoved > 0 ? `仍由原跟进人跟进：${kept.slice(0, 6).join('；')}${kept.length > 6 ? `……共 ${kept.length} 位` : ''}` : undefined,
    quote:
      notMoved === 0
        ? '客户的提醒、SOP、商机、标签和阶段已随客户转给新跟进人。'
        : o.leaverName
          ? `未接替的客户仍在 ${o.leaverName} 名下，提醒仍发给你；发送「离职继承 ${o.leaverName} 给 同事」再分配。`
          : '未接替的客户和他们的提醒、商机都留在原跟进人名下。',
  });
}
