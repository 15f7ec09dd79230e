import { reminderMatter } from './cards/reminder-cards';
import { NO_CHANNEL_LABEL, STAGE_NAMES } from './labels';
import { opportunityFigures, opportunityLabel } from './opportunities';

/**
 * A customer's timeline in words. The customers module says what happened (names of people, tags
 * and channels already resolved); the wording is here.
 */

/** How a relation ended, as stored on it (entities' RelationStatus other than active). */
export interface RelationEnd {
  status: 'active' | 'lost' | 'removed' | 'transferred';
  /** set by the nightly reconciliation, which finds an end nobody told us about */
  endReason: string | null;
}

export type TimelineEvent =
  /** `channel`: the channel's display name, null for an add without one */
  | { kind: 'added'; staff: string; channel: string | null }
  | ({ kind: 'ended'; staff: string } & RelationEnd)
  /** stage codes (a name not known is shown as stored) */
  | { kind: 'stage'; from: string | null; to: string | null }
  | { kind: 'follow_up'; content: string }
  /** `customerName`: the customer whose timeline it is, not repeated in the matter */
  | { kind: 'reminder_created' | 'reminder_done' | 'reminder_missed'; content: string; customerName: string | null }
  /** `closeDay`: the expected close of an open one, worded ("12月31日 周四") */
  | { kind: 'opportunity'; name?: string | null; amount: number; probability: number | null; status: 'open' | 'won' | 'lost'; closeDay?: string | null }
  /** a later change of an opportunity: its figures after it, 输单's reason */
  | {
      kind: 'opportunity_change';
      change: 'update' | 'won' | 'lost';
      name: string | null;
      amount: number;
      probability: number | null;
      closeDay: string | null;
      reason: string | null;
    }
  /** `source`: who linked the tags when no command did (a channel rule, WeCom), else null */
  | { kind: 'tag_added'; tags: string[]; source: 'rule' | 'wecom' | null }
  /** `by`: a command, or WeCom (which may name only how many, `count`, in older rows) */
  | { kind: 'tag_removed'; tags: string[]; by: 'command' | 'wecom'; count?: number };

export type TimelineKind = TimelineEvent['kind'];

const RELATION_END: Record<string, string> = {
  lost: '客户删除了{staff}',
  removed: '{staff}删除了客户',
  transferred: '已转给同事',
};

/** Ends found only by the nightly reconciliation: WeCom no longer lists the pair, and nobody told us who ended it. */
const RELATION_END_BY_REASON: Record<string, string> = {
  missing_in_wecom: '核对发现已不在{staff}的客户中',
  staff_not_following: '{staff}已不是客户联系成员',
};

/** How an ended relation reads ("客户删除了张伟"). */
export function relationEndText(relation: RelationEnd, staffName: string): string {
  const template = (relation.endReason && RELATION_END_BY_REASON[relation.endReason]) ?? RELATION_END[relation.status] ?? `关系结束（${relation.status}）`;
  return template.replace('{staff}', staffName);
}

const stageName = (s: string | null) => (s ? (STAGE_NAMES[s as keyof typeof STAGE_NAMES] ?? s) : '—');

const TAG_SOURCE = { rule: '（渠道规则）', wecom: '（企业微信）' } as const;

/** One timeline entry in words ("跟进：电话沟通了报价"). */
export function timelineText(event: TimelineEvent): string {
  switch (event.kind) {
    case 'added':
      return `添加了${event.staff}（${event.channel ? `渠道 ${event.channel}` : NO_CHANNEL_LABEL}）`;
    case 'ended':
      return relationEndText(event, event.staff);
    case 'stage':
      return `阶段 ${stageName(event.from)} → ${stageName(event.to)}`;
    case 'follow_up':
      return `跟进：${event.content}`;
    case 'reminder_created':
      return `设提醒：${reminderMatter(event.content, event.customerName)}`;
    case 'reminder_done':
      return `完成提醒：${reminderMatter(event.content, event.customerName)}`;
    case 'reminder_missed':
      return `提醒逾期未完成：${reminderMatter(event.content, event.customerName)}`;
    case 'opportunity': {
      const probability = event.probability !== null ? ` · ${event.probability}%` : '';
      const outcome = event.status === 'open' ? '' : `（${event.status === 'won' ? '已成交' : '已失败'}）`;
      const close = event.closeDay ? ` · 预计${event.closeDay}成交` : '';
      return `商机 ${opportunityLabel(event.name ?? null)}¥${event.amount.toLocaleString('en-US')}${probability}${close}${outcome}`;
    }
    case 'opportunity_change': {
      const which = opportunityLabel(event.name);
      if (event.change === 'won') return `赢单：${which}¥${event.amount.toLocaleString('en-US')}`;
      if (event.change === 'lost') return `输单：${which}¥${event.amount.toLocaleString('en-US')}${event.reason ? `，原因：${event.reason}` : ''}`;
      return `商机更新：${which}${opportunityFigures(event)}${event.closeDay ? ` · 预计${event.closeDay}成交` : ''}`;
    }
    case 'tag_added':
      return `打标签：${event.tags.join('、')}${event.source ? TAG_SOURCE[event.source] : ''}`;
    case 'tag_removed':
      if (event.by === 'command') return `去标签：${event.tags.join('、')}`;
      return event.tags.length > 0 ? `企业微信里去掉了标签：${event.tags.join('、')}` : `企业微信里移除了${event.count ?? 0}个标签`;
  }
}
