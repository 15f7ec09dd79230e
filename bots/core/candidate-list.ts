import dayjs from '../../src/platform/dayjs';
import type { ChannelNames } from '../../src/modules/customers';
import type { CustomerCandidate } from '../../src/modules/customers';
import { CONTENT_LIMITS } from '../../src/platform/wecom/limits/wecom-limits';

/** How much of the last follow-up a list line quotes: enough to recognise it, short enough for nine lines. */
const FOLLOW_UP_CHARS = 12;

const short = (text: string, max: number) => {
  const chars = Array.from(text.replace(/\s+/g, ' ').trim());
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('')}…`;
};

/**
 * One line per candidate of a "which one?" list, with what tells two customers of one name apart:
 * the salesperson's remark, whose customer it is (in a lead's list), the company, the channel they
 * came from (直接添加 without one), the day they were added, the last follow-up, and the last four
 * digits of a phone number.
 *   1. 王磊（王磊-北京）· 渠道 抖音直播间 · 11月3日添加 · 最近跟进 11月20日「谈了报价」 · 尾号5678
 */
export function candidateLine(
  c: CustomerCandidate,
  index: number,
  timezone: string,
  channels: ChannelNames,
  compact = false,
  /** how precisely the add is dated: to the minute or second when the day alone leaves two lines alike */
  addedTo: AddedPrecision = 'day',
): string {
  const day = (at: Date) => dayjs(at).tz(timezone).format('M月D日');
  const added = (at: Date) => dayjs(at).tz(timezone).format(ADDED_FORMAT[addedTo]);
  // compact: the same facts in fewer characters, so that a long list still arrives as one message
  const cut = (text: string, max: number) => (compact ? short(text, max) : text);
  const parts: string[] = [];
  const remark = c.remark && c.remark !== c.customer.name ? `（${cut(c.remark, 10)}）` : '';
  if (c.customer.corpName) parts.push(cut(c.customer.corpName, 10));
  // the channel by its rule's display name, as on the profile card (直接添加 without one)
  parts.push(c.relation.state ? `渠道 ${cut(channels.label(c.relation.state), 8)}` : channels.label(null));
  if (c.relation.addedAt) parts.push(`${added(c.relation.addedAt)}添加`);
  parts.push(c.lastFollowUp ? `最近跟进 ${day(c.lastFollowUp.at)}「${short(c.lastFollowUp.content, compact ? 6 : FOLLOW_UP_CHARS)}」` : '还没有跟进');
  const phone = (c.relation.remarkMobiles ?? []).map((m) => m.replace(/\D/g, '')).find((m) => m.length >= 4);
  if (phone) parts.push(`尾号${phone.slice(-4)}`);
  // in a lead's or an admin's list, whose customer it is
  if (c.ownerName) parts.unshift(`${cut(c.ownerName, 6)}的客户`);
  // a customer whose relation with the viewer ended (删人) is still theirs to pick, and said to be gone
  if (c.endedAt) parts.unshift(`${day(c.endedAt)}已删除`);
  return `${index + 1}. ${c.customer.name}${remark} · ${parts.join(' · ')}`;
}

type AddedPrecision = 'day' | 'minute' | 'second';
const ADDED_FORMAT: Record<AddedPrecision, string> = { day: 'M月D日', minute: 'M月D日 HH:mm', second: 'M月D日 HH:mm:ss' };

/** The lines, each dated as precisely as it takes to tell it from the others (two 王磊 added the same day: by the time). */
function distinctLines(candidates: CustomerCandidate[], timezone: string, channels: ChannelNames, compact: boolean): string[] {
  const precision: AddedPrecision[] = candidates.map(() => 'day');
  const lines = () => candidates.map((c, i) => candidateLine(c, i, timezone, channels, compact, precision[i]));
  for (const finer of ['minute', 'second'] as const) {
    const text = lines().map((l) => l.replace(/^\d+\. /, ''));
    const alike = text.map((t) => text.filter((u) => u === t).length > 1);
    if (!alike.includes(true)) break;
    alike.forEach((same, i) => {
      if (same) precision[i] = finer;
    });
  }
  return lines();
}

/** The whole "which one?" message: the lines and how to answer. */
export function candidateListMessage(query: string, candidates: CustomerCandidate[], timezone: string, channels: ChannelNames): string {
  const message = (compact: boolean) => {
    const lines = distinctLines(candidates, timezone, channels, compact);
    return `找到${candidates.length}位「${query}」，回复数字选择（10分钟内有效）：\n${lines.join('\n')}`;
  };
  // A list split over two messages would be answered before its second half arrives.
  const full = message(false);
  return Buffer.byteLength(full) <= CONTENT_LIMITS.app.text ? full : message(true);
}
