import type { TemplateCard } from '../../src/wecom/api/wecom-api.types';
import { textNoticeCard } from './text-notice.card';

/** Cards the chat commands answer with. Pure: data in, WeCom card out (fitted to WeCom's limits). */

export function followUpRecordedCard(input: { customerName: string; content: string; nextContact?: string; duplicate?: boolean }): TemplateCard {
  return textNoticeCard({
    source: '客户跟进',
    title: `已记录跟进：${input.customerName}`,
    desc: input.duplicate ? '这条消息之前已记录，未重复保存' : '发送「撤销」可在10分钟内撤回',
    emphasis: input.nextContact ? { title: input.nextContact.split(' ').slice(-1)[0]!, desc: `下次联系 ${input.nextContact}` } : undefined,
    quote: input.content,
    rows: input.nextContact ? [{ key: '下次联系', value: input.nextContact }] : [],
  });
}

export interface ProfileCardInput {
  name: string;
  stage: string;
  daysAsCustomer: number | null;
  owners: string[];
  channel: string | null;
  tags: string[];
  recentFollowUps: Array<{ when: string; content: string }>;
  nextReminder: string | null;
  openOpportunity: string | null;
}

export function customerProfileCard(p: ProfileCardInput): TemplateCard {
  return textNoticeCard({
    source: '客户档案',
    title: p.name,
    desc: p.daysAsCustomer === null ? p.stage : `${p.stage} · 客户${p.daysAsCustomer}天`,
    subTitle: p.recentFollowUps.length
      ? p.recentFollowUps.map((f) => `${f.when} ${f.content}`).join('\n')
      : '还没有跟进记录。发送「记录跟进 客户 内容」记录一条。',
    rows: [
      { key: '阶段', value: p.stage },
      { key: '标签', value: p.tags.join('、') || '无' },
      { key: '负责人', value: p.owners.join('、') || '无' },
      { key: '来源', value: p.channel ?? '未知' },
      { key: '下次提醒', value: p.nextReminder ?? '无' },
      ...(p.openOpportunity ? [{ key: '商机', value: p.openOpportunity }] : []),
    ],
  });
}

export function confirmationCard(input: { source: string; title: string; desc?: string; rows?: Array<{ key: string; value: string }>; quote?: string }): TemplateCard {
  return textNoticeCard({ ...input, desc: input.desc ?? '发送「撤销」可在10分钟内撤回' });
}
