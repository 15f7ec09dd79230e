import type { BotReply } from '../../../bots/core/reply';
import type { AppMessage } from '../../platform/wecom/api/wecom-api.types';

/** A bot's answer as the WeCom app message that carries it. */
export function toAppMessage(reply: BotReply): AppMessage {
  if (reply.kind === 'card') return { msgtype: 'template_card', template_card: reply.card };
  if (reply.kind === 'markdown') return { msgtype: 'markdown', markdown: { content: reply.content } };
  return { msgtype: 'text', text: { content: reply.content } };
}
