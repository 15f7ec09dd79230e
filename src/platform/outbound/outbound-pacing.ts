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
  /** the share of a welcome-path API's budget kept for welcomes (0 to 0.9; see budgetRule) */
  welcomeBudgetShare?: number;
  /** the smart bot's messages to one chat */
  botChatPerWindow: number;
}

/**
 * The APIs a welcome needs inside its code's 20 s: the customer's name (externalcontact/get) and the
 * send itself. Other callers of them (the recording's lookups, edits, reconciliation, a sync) may
 * not use the share of their budgets kept for welcomes.
 */
export const WELCOME_PATH_APIS: ReadonlySet<string> = new Set(['externalcontact/get', 'externalcontact/send_welcome_msg']);

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
 *
 * On the welcome path's APIs a share of the budget (WECOM_WELCOME_BUDGET_SHARE) is reserved: a call
 * that is not for a welcome is admitted only while the window's count is below the rest, so a sync
 * or a backlog of recordings in a burst can never leave a welcome waiting for a minute-old slot.
 * Both count in one log (one key): a welcome may use the whole budget.
 */
export function budgetRule(s: PacingSettings, api: string, forWelcome = false): RateRule {
  const reserved = forWelcome || !WELCOME_PATH_APIS.has(api) ? 0 : Math.floor(s.apiBudgetPerWindow * (s.welcomeBudgetShare ?? 0));
  return { key: `budget:${api}`, limit: Math.max(1, s.apiBudgetPerWindow - reserved), windowMs: paddedWindow(s.windowMs) };
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
  return [...specific, budgetRule(s, CHANNEL_API[message.channel], message.channel === 'welcome')];
}

/** Urgent messages rank ahead of every normal one; within a class, older rows go first. */
export function ticketFor(message: { id: number; urgent: boolean }): Ticket {
  return { id: `msg:${message.id}`, rank: message.urgent ? message.id - 1e13 : message.id };
}

/**
 * The corp-wide budgets for calls made outside the queue (customer lookups, tags): they wait their
 * turn behind urgent messages but ahead of the message backlog, without joining its line. A call
 * for a welcome (`forWelcome`) may use the share reserved for welcomes.
 */
export function createBudgetPacer(limiter: RedisRateLimiter, s: PacingSettings): ApiPacer {
  return {
    acquire: (api, options) => limiter.waitFor([budgetRule(s, api, options?.forWelcome === true)], { id: `direct:${randomUUID()}`, rank: 0 }),
  };
}
