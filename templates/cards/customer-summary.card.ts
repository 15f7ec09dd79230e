import type { TemplateCard } from '../../src/platform/wecom/api/wecom-api.types';
import { CARD_LIMITS, fit } from './card-limits';
import { maskPhones } from '../mask-phone';
import { fitMarkdownLines } from './markdown-limits';
import { textNoticeCard } from './text-notice.card';

/** The 查客户 card: a customer summarised from their timeline. Pure, already-formatted strings in. */
export interface CustomerSummaryCardInput {
  name: string;
  stage: string;
  /** days since the first add, null when unknown */
  daysAsCustomer: number | null;
  daysInStage: number | null;
  /** "11/20 张三销售：电话沟通了报价", newest first, at most three */
  recentFollowUps: string[];
  owners: string[];
  /** salespeople whose relation ended (删人 either side, a transfer) and who do not follow the customer now */
  formerOwners?: string[];
  /** the latest end of a relation, "12月2日 周三 10:00 客户删除了张伟" */
  departure?: string | null;
  /** the channel as people read it: the rule's display name, 直接添加 for an add without one */
  channel: string;
  tags: string[];
  openReminders: number;
  /** "11月24日 周二 15:00 发报价" */
  nextReminder: string | null;
  openOpportunity: string | null;
  /** what to type for the whole timeline */
  moreCommand: string;
  /** 勿扰 is set (no SOP steps or pushes about them) */
  doNotContact?: boolean;
  /** the viewer owns the customer (an active relation): phone numbers in notes are shown, else masked */
  showPhone?: boolean;
}

export function customerSummaryCard(p: CustomerSummaryCardInput): TemplateCard {
  // 「客户0天」 reads as nothing: a customer of today was added today
  const since = p.daysAsCustomer === null ? '' : p.daysAsCustomer === 0 ? ' · 今天添加' : ` · 客户${p.daysAsCustomer}天`;
  const former = p.formerOwners ?? [];
  // Nobody follows them any more: say so first, so a stage such as 潜在客户 does not read as current.
  const gone = p.owners.length === 0 && former.length > 0;
  const owners = p.owners.length > 0 ? p.owners.join('、') : former.length > 0 ? `无（原负责人${former.join('、')}）` : '无';
  const more = `完整记录：${p.moreCommand}`;
  const inStage = p.daysInStage === null ? p.stage : `${p.stage} · ${p.daysInStage === 0 ? '今天起' : `已${p.daysInStage}天`}`;
  // Three follow-ups share the 112-character subtitle: each gets a line of its own.
  const shown = (text: string) => maskPhones(text, p.showPhone === true);
  const followUps = p.recentFollowUps.length
    ? p.recentFollowUps.map((f) => fit(shown(f), 36)).join('\n')
    : '还没有跟进记录。发送「记录跟进 客户 内容」记录一条。';
  return textNoticeCard({
    source: '客户档案',
    title: p.name,
    // 勿扰 first: the salesperson must see it before reaching out
    desc: `${p.doNotContact ? '勿扰 · ' : ''}${gone ? '已删除 · ' : ''}${p.stage}${since}`,
    subTitle: followUps,
    rows: [
      { key: '阶段', value: inStage },
      { key: '负责人', value: owners },
      { key: '来源', value: p.channel },
      { key: '标签', value: p.tags.join('、') || '无' },
      { key: '待办', value: p.openReminders ? `${p.openReminders}条 · 下次 ${p.nextReminder && shown(p.nextReminder)}` : '无' },
      ...(p.openOpportunity ? [{ key: '商机', value: p.openOpportunity }] : []),
    ],
    // the command to type must survive the cut: the departure gives way first
    quote: p.departure ? `${fit(p.departure, Math.max(8, CARD_LIMITS.quote - more.length - 1))}。${more}` : more,
  });
}

export interface TimelinePageInput {
  name: string;
  page: number;
  pages: number;
  total: number;
  /** "11/24 15:00 · 张三销售 · 跟进：电话沟通了报价" */
  lines: string[];
  /** the command for the next page, when there is one */
  nextCommand: string | null;
  /** the viewer owns the customer: phone numbers in the entries are shown, else masked */
  showPhone?: boolean;
}

/** One page of the full timeline as markdown (an app message: 2048 bytes at most). */
export function timelinePageMarkdown(p: TimelinePageInput): string {
  const head = `**${p.name} · 客户时间线**\n<font color="comment">第${p.page}/${p.pages}页，共${p.total}条，最新在前</font>`;
  const tail = p.nextCommand ? `下一页：发送「${p.nextCommand}」` : '已是最后一页';
  if (p.total === 0) return `**${p.name} · 客户时间线**\n还没有任何记录。`;
  // A follow-up written on several lines keeps them, each still inside the quote.
  return fitMarkdownLines(
    head,
    p.lines.map((l) => `> ${fit(maskPhones(l, p.showPhone === true), 60).replace(/\n/g, '\n> ')}`),
    tail,
    2048,
  );
}
