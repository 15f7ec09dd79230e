import type { TemplateCard } from '../../src/wecom/api/wecom-api.types';
import { textNoticeCard } from './text-notice.card';

/** Cards and group texts about customers arriving and leaving (pure: data in, payload out). */

export interface LostCustomerInput {
  customerName: string;
  externalUserid: string;
  staffName: string;
  staffUserid: string;
  /** when WeCom reported it, already formatted in the CRM time zone */
  at: string;
  addedAt?: string;
  state?: string | null;
}

/** 删人提醒 to the salesperson: the customer deleted them. */
export function lostCustomerCard(input: LostCustomerInput): TemplateCard {
  return textNoticeCard({
    source: '删人提醒',
    title: `客户 ${input.customerName} 删除了你`,
    desc: input.at,
    rows: [
      { key: '客户', value: input.customerName },
      ...(input.addedAt ? [{ key: '添加时间', value: input.addedAt }] : []),
      ...(input.state ? [{ key: '来源渠道', value: input.state }] : []),
    ],
    quote: `跟进记录已保留，发送「查客户 ${input.customerName}」查看。可以通过其他渠道联系客户，了解原因。`,
  });
}

/** The same alert for the team group chat (robot/appchat markdown), mentioning the salesperson. */
export function lostCustomerGroupMarkdown(input: LostCustomerInput): string {
  return [
    `**删人提醒** <font color="warning">${input.customerName}</font> 删除了 ${input.staffName}`,
    `> 时间：${input.at}`,
    ...(input.state ? [`> 渠道：${input.state}`] : []),
    `<@${input.staffUserid}>`,
  ].join('\n');
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
    title: `客户 ${input.customerName} 转接失败`,
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
    ...(input.customerTags && input.customerTags.added + input.customerTags.removed > 0 ? [`> 客户标签：补上 ${input.customerTags.added}，移除 ${input.customerTags.removed}`] : []),
    line('客户群', input.groups),
    ...(input.samples.length > 0 ? ['', ...input.samples.slice(0, 5).map((s) => `- ${s}`)] : []),
    '差异已按企业微信数据修复。',
  ].join('\n');
}
