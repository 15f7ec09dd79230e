import type { TemplateCard } from '../../src/platform/wecom/api/wecom-api.types';
import { CARD_LIMITS, fit, titleAround } from './card-limits';
import { textNoticeCard } from './text-notice.card';

/**
 * What the new owner gets once customers are taken over (在职转接 and 离职继承): one card per
 * customer, summed up from the timeline so they can call tomorrow without asking anyone, or one
 * digest when many arrive at once. Pure, already-formatted strings in.
 */

/** More than this many customers at once: one digest card instead of a card each. */
export const OWNER_CARDS_AT_MOST = 5;

export interface HandedCustomer {
  name: string;
  stage: string;
  /** days since the first add, null when unknown */
  daysAsCustomer: number | null;
  /** "11/28 张伟：电话沟通了报价", newest first */
  recentFollowUps: string[];
  openReminders: number;
  /** "11月24日 周二 15:00 发报价" */
  nextReminder: string | null;
  /** the profile card's 商机 row, null when none open */
  openOpportunity: string | null;
}

const since = (days: number | null) => (days === null ? '' : days === 0 ? ' · 今天添加' : ` · 客户${days}天`);

/** One customer handed over: who had them, how long, the stage, the last follow-ups, open reminders and opportunities. */
export function handedCustomerCard(c: HandedCustomer & { fromName: string }): TemplateCard {
  return textNoticeCard({
    source: '客户交接',
    title: titleAround('', c.name, ' 交给你了'),
    desc: `原跟进人 ${c.fromName}${since(c.daysAsCustomer)}`,
    subTitle: c.recentFollowUps.length > 0 ? c.recentFollowUps.map((f) => fit(f, 36)).join('\n') : '没有跟进记录。',
    rows: [
      { key: '阶段', value: c.stage },
      { key: '待办', value: c.openReminders > 0 ? `${c.openReminders}条 · 下次 ${c.nextReminder ?? ''}` : '无' },
      ...(c.openOpportunity ? [{ key: '商机', value: c.openOpportunity }] : []),
    ],
    quote: fit(`完整记录：查客户 ${c.name} 全部`, CARD_LIMITS.quote),
  });
}

/** Many at once: how many from whom, the first few (most valuable first) with stage and what is open. */
export function handedCustomersDigest(p: {
  fromNames: string[];
  total: number;
  customers: HandedCustomer[];
  openReminders: number;
  openOpportunities: number;
}): TemplateCard {
  const line = (c: HandedCustomer) => [c.name, c.stage, c.openOpportunity, c.openReminders > 0 ? `待办${c.openReminders}` : null].filter(Boolean).join(' · ');
  const shown = p.customers.slice(0, 4).map((c) => fit(line(c), 27));
  return textNoticeCard({
    source: '客户交接',
    title: `${p.total} 位客户交给你了`,
    desc: `原跟进人 ${p.fromNames.join('、')}`,
    emphasis: { title: `${p.total} 位`, desc: '已接替' },
    subTitle: [...shown, ...(p.total > shown.length ? [`…共 ${p.total} 位`] : [])].join('\n'),
    rows: [
      { key: '客户', value: `${p.total} 位` },
      { key: '进行中商机', value: `${p.openOpportunities} 个` },
      { key: '待办提醒', value: `${p.openReminders} 个` },
    ],
    quote: '发送「我的客户」看全部，「查客户 名字」看一位的完整记录。',
  });
}
