import type { BotReply } from '../../../bots/core/reply';
import type { BotMessage } from '../../platform/outbound/outbound.service';

/**
 * A command's answer as the smart bot can push it: text and markdown as markdown, a card as it is.
 * A card with buttons the bot cannot route (the app's own cards: 待办, reminders) has no place in
 * the bot's chat: undefined, and it goes to the member by app message instead.
 */
export function toBotMessage(reply: BotReply): BotMessage | undefined {
  if (reply.kind === 'card') return reply.card.card_type === 'text_notice' ? { msgtype: 'template_card', template_card: reply.card } : undefined;
  // a chart image goes to the member as an app message (the bot's pictures need a media upload over the connection)
  if (reply.kind === 'image') return undefined;
  return { msgtype: 'markdown', markdown: { content: reply.content } };
}

/** A group message that starts with the @-mention of the bot: the command is what follows it. */
export function withoutMention(content: string): string {
  return content.replace(/^\s*@\S+\s*/u, '').trim();
}

/** The one line the group sees when an answer went to the member privately. */
export function privateNote(userid: string, why: 'customer' | 'card'): string {
  return why === 'customer'
    ? `<@${userid}> 结果含客户信息，已私信发给你（在「客户助手」应用消息里）。`
    : `<@${userid}> 结果是带按钮的卡片，已发到你的「客户助手」应用消息里。`;
}
