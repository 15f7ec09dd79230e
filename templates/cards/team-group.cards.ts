import type { TemplateCard } from '../../src/platform/wecom/api/wecom-api.types';
import { maskPhones } from '../mask-phone';
import { type LostCustomerInput, type MissingCustomersInput, someNames } from './capture-alert.cards';
import { titleAround } from './card-limits';
import { reminderMatter } from './reminder-cards';
import { textNoticeCard } from './text-notice.card';

/**
 * What a team group's robot shows as a `text_notice` card instead of markdown, for posts the team
 * reads to see what happened (an overdue reminder, a 删人提醒): a title that reads at a glance, the
 * salesperson as a member row (a tap opens their profile) and the details as rows. A robot card cannot
 * @ anyone, so these go where the salesperson was already told in person (their own app card); an SOP
 * step for the team group asks the salesperson to act and stays markdown with a real `<@userid>`. A team group is read by more
 * than the customer's owner: phone numbers are masked everywhere. Pure: data in, payload out.
 */

export interface GroupMember {
  name: string;
  wecomUserid: string;
}

export interface OverdueGroupInput {
  customerName: string | null;
  content: string;
  /** formatted in the CRM time zone */
  due: string;
  /** 超过2小时 */
  overdueFor: string;
}

export function overdueReminderGroupCard(input: OverdueGroupInput, who: GroupMember): TemplateCard {
  return textNoticeCard({
    source: '提醒超时',
    title: `提醒已超时未处理 · ${input.overdueFor}`,
    rows: [
      { key: '销售', value: who.name, member: who.wecomUserid },
      { key: '客户', value: input.customerName ? maskPhones(input.customerName) : '（未关联客户）' },
      { key: '到期', value: input.due },
    ],
    quote: maskPhones(reminderMatter(input.content, input.customerName)),
  });
}

export function lostCustomerGroupCard(input: LostCustomerInput, who: GroupMember): TemplateCard {
  return textNoticeCard({
    source: '删人提醒',
    title: titleAround('客户 ', maskPhones(input.customerName), ` 删除了 ${who.name}`),
    desc: input.at,
    rows: [
      { key: '销售', value: who.name, member: who.wecomUserid },
      { key: '客户', value: maskPhones(input.customerName) },
      ...(input.channel ? [{ key: '来源渠道', value: input.channel }] : []),
    ],
    quote: '跟进记录已保留。可以通过其他渠道联系客户，了解原因。',
  });
}

export function missingCustomersGroupCard(input: MissingCustomersInput, who: GroupMember): TemplateCard {
  return textNoticeCard({
    source: '删人提醒',
    title: `${input.total}位客户已不在 ${who.name} 的客户中`,
    desc: `企业微信数据核对 ${input.at}`,
    rows: [
      { key: '销售', value: who.name, member: who.wecomUserid },
      { key: '客户', value: maskPhones(someNames(input.customers, input.total)) },
    ],
    quote: '跟进记录已保留。',
  });
}
