import type { TemplateCard } from '../../src/platform/wecom/api/wecom-api.types';
import { CARD_LIMITS } from './card-limits';
import { textNoticeCard } from './text-notice.card';

/** Cards the chat commands answer with. Pure: data in, WeCom card out (fitted to WeCom's limits). */

export function followUpRecordedCard(input: { customerName: string; content: string; nextContact?: string; duplicate?: boolean }): TemplateCard {
  return textNoticeCard({
    source: '客户跟进',
    title: `已记录跟进：${input.customerName}`,
    desc: input.duplicate ? '这条消息之前已记录，未重复保存' : '发送「撤销」可在10分钟内撤回',
    // the time big, the day under it (the whole of 下次联系 12月31日 周四 09:00 did not fit and was cut)
    emphasis: input.nextContact ? nextContactEmphasis(input.nextContact) : undefined,
    quote: input.content,
    rows: input.nextContact ? [{ key: '下次联系', value: input.nextContact }] : [],
  });
}

export function confirmationCard(input: {
  source: string;
  title: string;
  desc?: string;
  rows?: Array<{ key: string; value: string }>;
  quote?: string;
}): TemplateCard {
  return textNoticeCard({ ...input, desc: input.desc ?? '发送「撤销」可在10分钟内撤回' });
}

/** 「12月31日 周四 09:00」 → 09:00 over 「下次联系 12月31日 周四」; a date without a time stays whole. */
function nextContactEmphasis(nextContact: string): { title: string; desc: string } {
  const words = nextContact.split(' ');
  const time = words[words.length - 1]!;
  if (words.length < 2 || !/^\d{1,2}:\d{2}$/.test(time)) return { title: '下次联系', desc: nextContact };
  const day = words.slice(0, -1).join(' ');
  // a date with its year (2027年1月1日 周五) leaves no room for the words
  return { title: time, desc: Array.from(`下次联系 ${day}`).length <= CARD_LIMITS.emphasisDesc ? `下次联系 ${day}` : day };
}
