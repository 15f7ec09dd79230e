import type { TemplateCard } from '../../src/platform/wecom/api/wecom-api.types';
import { fit, titleAround } from './card-limits';
import { textNoticeCard } from './text-notice.card';
import { maskPhones } from '../mask-phone';

/** Cards and group texts about customers arriving and leaving (pure: data in, payload out). */

export interface LostCustomerInput {
  customerName: string;
  externalUserid: string;
  staffName: string;
  staffUserid: string;
  /** when WeCom reported it, already formatted in the CRM time zone */
  at: string;
  addedAt?: string;
  /** the channel the customer came from, as people read it (the rule's display name, 直接添加) */
  channel?: string;
}

/** 删人提醒 to the salesperson (the customer deleted them), or to their lead (`forLead`) when the team has no group chat. */
export function lostCustomerCard(input: LostCustomerInput, forLead = false): TemplateCard {
  return textNoticeCard({
    source: '删人提醒',
    title: forLead ? titleAround('客户 ', input.customerName, ` 删除了 ${fit(input.staffName, 8)}`) : titleAround('客户 ', input.customerName, ' 删除了你'),
    desc: input.at,
    rows: [
      { key: '客户', value: input.customerName },
      ...(input.addedAt ? [{ key: '添加时间', value: input.addedAt }] : []),
      ...(input.channel ? [{ key: '来源渠道', value: input.channel }] : []),
    ],
    quote: `跟进记录已保留，发送「查客户 ${input.customerName}」查看。可以通过其他渠道联系客户，了解原因。`,
  });
}

/**
 * The same alert for the team group chat (robot/appchat markdown), mentioning the salesperson. The
 * group is read by more than the customer's owner: a phone number used as a name is masked.
 */
export function lostCustomerGroupMarkdown(input: LostCustomerInput): string {
  return [
    `**删人提醒** <font color="warning">${maskPhones(input.customerName)}</font> 删除了 ${input.staffName}`,
    `> 时间：${input.at}`,
    ...(input.channel ? [`> 渠道：${input.channel}`] : []),
    `<@${input.staffUserid}>`,
  ].join('\n');
}

/** To the team lead: a salesperson deleted a customer (del_external_contact). The team group is not told. */
export function customerRemovedCard(input: Omit<LostCustomerInput, 'externalUserid' | 'staffUserid'>): TemplateCard {
  return textNoticeCard({
    source: '客户流失',
    title: titleAround(`${fit(input.staffName, 8)} 删除了客户 `, input.customerName, ''),
    desc: input.at,
    rows: [
      { key: '客户', value: input.customerName },
      { key: '销售', value: input.staffName },
      ...(input.addedAt ? [{ key: '添加时间', value: input.addedAt }] : []),
      ...(input.channel ? [{ key: '来源渠道', value: input.channel }] : []),
    ],
    quote: '跟进记录已保留。如不是有意删除，请与销售确认，客户可以重新添加。',
  });
}

export interface MissingCustomersInput {
  /** the names of the customers (a few; `total` says how many) */
  customers: string[];
  total: number;
  staffName: string;
  staffUserid: string;
  at: string;
}

/** 张三、李四、王五 等12位 */
export const someNames = (names: string[], total: number) => `${names.slice(0, 3).join('、')}${total > 3 ? ` 等${total}位` : ''}`;

/**
 * 删人提醒 found by the nightly reconciliation: WeCom no longer lists the pair, and no callback said
 * who ended it (the customer deleted the salesperson, or the reverse, while a callback was lost).
 */
export function missingCustomersCard(input: MissingCustomersInput, forLead = false): TemplateCard {
  const who = forLead ? fit(input.staffName, 8) : '你';
  return textNoticeCard({
    source: '删人提醒',
    title: input.total === 1 ? titleAround('客户 ', input.customers[0]!, ` 已不在${who}的客户中`) : `${input.total}位客户已不在${who}的客户中`,
    desc: `企业微信数据核对 ${input.at}`,
    rows: [{ key: '客户', value: someNames(input.customers, input.total) }, ...(forLead ? [{ key: '销售', value: input.staffName }] : [])],
    quote: '企业微信里已没有这段好友关系（客户删除了销售，或销售删除了客户），当时的通知没有收到。跟进记录已保留。',
  });
}

/** The same for the team group chat (robot/appchat markdown), mentioning the salesperson. */
export function missingCustomersGroupMarkdown(input: MissingCustomersInput): string {
  return [
    `**删人提醒** <font color="warning">${maskPhones(someNames(input.customers, input.total))}</font> 已不在 ${input.staffName} 的客户中`,
    `> 企业微信数据核对：${input.at}`,
    `<@${input.staffUserid}>`,
  ].join('\n');
}

/** To the team lead: a salesperson is no longer a customer-contact member (they left, or lost the permission). */
export function followerGoneCard(input: Omit<MissingCustomersInput, 'staffUserid'>): TemplateCard {
  return textNoticeCard({
    source: '客户流失',
    title: `${input.staffName} 已不是客户联系成员`,
    desc: `企业微信数据核对 ${input.at}`,
    rows: [
      { key: '客户', value: someNames(input.customers, input.total) },
      { key: '销售', value: input.staffName },
    ],
    quote: `${input.total}位客户的跟进已结束，跟进记录已保留。可在企业微信管理后台分配离职成员的客户。`,
  });
}

export const TRANSFER_FAIL_REASONS: Record<string, string> = {
  customer_refused: '客户拒绝了转接',
  customer_limit_exceed: '接替成员的客户数已达上限',
};

export interface TransferFailInput {
  customerName: string;
  staffName: string;
  reason: string;
  at: string;
}

/** 转接失败: to the salesperson and their lead. */
export function transferFailCard(input: TransferFailInput): TemplateCard {
  return textNoticeCard({
    source: '客户转接',
    title: titleAround('客户 ', input.customerName, ' 转接失败'),
    desc: input.at,
    rows: [
      { key: '客户', value: input.customerName },
      { key: '接替成员', value: input.staffName },
      { key: '原因', value: TRANSFER_FAIL_REASONS[input.reason] ?? input.reason },
    ],
    quote: '客户仍由原成员跟进，请处理后重新分配。',
  });
}

export interface DriftReportInput {
  at: string;
  customers: { added: number; removed: number; changed: number };
  relations: { added: number; ended: number; changed: number };
  tags: { added: number; removed: number; changed: number };
  /** corp tags on customers: linked from WeCom / unlinked because WeCom no longer has them */
  customerTags?: { added: number; removed: number };
  groups: { added: number; removed: number; changed: number };
  samples: string[];
}

/** The nightly reconciliation report to admins: short, numbers first. */
export function driftReportMarkdown(input: DriftReportInput): string {
  const line = (label: string, d: { added: number; removed?: number; ended?: number; changed: number }) =>
    `> ${label}：新增 ${d.added}，移除 ${d.removed ?? d.ended ?? 0}，变更 ${d.changed}`;
  return [
    `**企业微信数据核对** ${input.at}`,
    line('客户', input.customers),
    line('跟进关系', input.relations),
    line('标签', input.tags),
    ...(input.customerTags && input.customerTags.added + input.customerTags.removed > 0
      ? [`> 客户标签：补上 ${input.customerTags.added}，移除 ${input.customerTags.removed}`]
      : []),
    line('客户群', input.groups),
    ...(input.samples.length > 0 ? ['', ...input.samples.slice(0, 5).map((s) => `- ${s}`)] : []),
    '差异已按企业微信数据修复。',
  ].join('\n');
}
