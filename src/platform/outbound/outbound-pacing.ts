import { createHash, randomUUID } from 'node:crypto';
import type { OutboundChannel } from '../../../entities/outbound-message.entity';
import type { ApiPacer } from '../wecom/api/wecom-api.client';
import type { RateRule, RedisRateLimiter, Ticket } from './rate-limiter';

/** WeCom's limits per pacing window (a minute in production). */
export interface PacingSettings {
  windowMs: number;
  memberPerWindow: number;
  robotPerWindow: number;
  appChatPerWindow: number;
  apiBudgetPerWindow: number;
  /** the smart bot's messages to one chat */
  botChatPerWindow: number;
}

/** app messages: per member also 1 000 an hour (PROTOCOL.md §5.9), i.e. per 60 windows. */
export const MEMBER_PER_HOUR = 1000;

/**
 * Windows are padded by 5 % (at least 200 ms): WeCom counts when a request reaches it, we count when
 * we admit it, and the two differ by our own latency. 30 a minute becomes 30 per 63 s.
 */
export function paddedWindow(windowMs: number): number {
  return windowMs + Math.max(Math.round(windowMs * 0.05), 200);
}

/**
 * WeCom limits calls per corp *per API* (1 000 a minute in older docs, 10 000 in newer ones;
 * PROTOCOL.md §5.9): each API has its own budget, so a burst of lookups does not starve the
 * welcomes that follow them, and neither is held back by the other's count.
 */
export function budgetRule(s: PacingSettings, api: string): RateRule {
  return { key: `budget:${api}`, limit: s.apiBudgetPerWindow, windowMs: paddedWindow(s.windowMs) };
}

/** The WeCom API each outbound channel calls (the budget it draws on). */
const CHANNEL_API: Record<OutboundChannel, string> = {
  user: 'message/send',
  robot: 'webhook/send',
  appchat: 'appchat/send',
  welcome: 'externalcontact/send_welcome_msg',
  card_update: 'message/update_template_card',
  bot: 'aibot_send_msg',
  bot_update: 'aibot_respond_update_msg',
};

/** A short, stable name for a robot: its webhook URL carries the key, which must not be a Redis key. */
export function robotId(webhookUrl: string): string {
  return createHash('sha256').update(webhookUrl).digest('hex').slice(0, 16);
}

/** Every rule a message must pass, most specific first, the API's corp-wide budget last. */
export function pacingRules(message: { channel: OutboundChannel; recipient: string; webhookUrl?: string }, s: PacingSettings): RateRule[] {
  const window = paddedWindow(s.windowMs);
  const specific: RateRule[] = [];
  switch (message.channel) {
    case 'user': {
      // userids are case-insensitive (WeCom lower-cases them)
      const member = message.recipient.toLowerCase();
      specific.push({ key: `member:${member}:m`, limit: s.memberPerWindow, windowMs: window });
      specific.push({ key: `member:${member}:h`, limit: MEMBER_PER_HOUR, windowMs: paddedWindow(s.windowMs * 60) });
      break;
    }
    case 'robot':
      specific.push({ key: `robot:${robotId(message.webhookUrl ?? message.recipient)}`, limit: s.robotPerWindow, windowMs: window });
      break;
    case 'appchat':
      specific.push({ key: `appchat:${message.recipient}`, limit: s.appChatPerWindow, windowMs: window });
      break;
    case 'bot':
      specific.push({ key: `botchat:${message.recipient}`, limit: s.botChatPerWindow, windowMs: window });
      break;
    // A card update edits a card already delivered (no new message), and the member is waiting for
    // it after a click: only the corp budget applies. send_welcome_msg goes to the customer.
    case 'card_update':
    case 'bot_update':
    case 'welcome':
      break;
  }
  return [...specific, budgetRule(s, CHANNEL_API[message.channel])];
}

/** Urgent messages rank ahead of every normal one; within a class, older rows go first. */
export function ticketFor(message: { id: number; urgent: boolean }): Ticket {
  return { id: `msg:${message.id}`, rank: message.urgent ? message.id - 1e13 : message.id };
}

/**
 * The corp-wide budgets for calls made outside the queue (customer lookups, tags): they wait their
 * turn behind urgent messages but ahead of the message backlog, without joining its line.
 */
export function createBudgetPacer(limiter: RedisRateLimiter, s: PacingSettings): ApiPacer {
  return { acquire: (api) => limiter.waitFor([budgetRule(s, api)], { id: `direct:${randomUUID()}`, rank: 0 }) };
}
