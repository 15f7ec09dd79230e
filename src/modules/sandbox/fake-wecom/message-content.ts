import type * as T from '../../../platform/wecom/api/wecom-api.types';
import { WecomFault } from './wecom-fault';

/** What WeCom requires of the message part of a send: a known msgtype with content, and a template card WeCom can draw. */

export interface MessageContent {
  msgtype: string;
  text?: string;
  card?: T.TemplateCard;
  /** an image message's picture as a data URL */
  image?: string;
}

/** `picture`: the picture an `image` message carries (by media_id, or inline for a robot), or WeCom's refusal. */
export function validateMessage(body: Record<string, unknown>, allowed: string[], picture?: (image: Record<string, unknown>) => string): MessageContent {
  const msgtype = String(body.msgtype ?? '');
  if (!allowed.includes(msgtype)) throw new WecomFault(40008, `invalid message type: ${msgtype || '(none)'}`);
  if (msgtype === 'image') {
    const image = body.image;
    if (!image || typeof image !== 'object' || !picture) throw new WecomFault(40058, 'image required');
    return { msgtype, image: picture(image as Record<string, unknown>) };
  }
  if (msgtype === 'template_card') return { msgtype, card: validateCard(body.template_card) };
  if (msgtype === 'textcard') {
    const card = body.textcard as { title?: string; description?: string } | undefined;
    if (!card?.title || !card.description) throw new WecomFault(40058, 'textcard.title and textcard.description required');
    return { msgtype: 'text', text: `${card.title}\n${card.description}` };
  }
  const content = String((body[msgtype] as { content?: unknown } | undefined)?.content ?? '');
  if (!content) throw new WecomFault(41015, `${msgtype}.content missing`);
  return { msgtype, text: content };
}

/** What WeCom requires of a template card before it delivers it (PROTOCOL.md §5.6). */
export function validateCard(raw: unknown): T.TemplateCard {
  const card = raw as T.TemplateCard | undefined;
  if (!card || typeof card !== 'object') throw new WecomFault(40058, 'template_card missing');
  const mainTitle = card.main_title as { title?: string } | undefined;
  switch (card.card_type) {
    case 'text_notice':
      if (!card.card_action) throw new WecomFault(40058, 'template_card.card_action required for text_notice');
      if (!mainTitle?.title && !card.sub_title_text) throw new WecomFault(40058, 'template_card.main_title.title or sub_title_text required');
      break;
    case 'news_notice':
      if (!card.image_text_area && !card.card_image) throw new WecomFault(40058, 'image_text_area or card_image required for news_notice');
      break;
    case 'button_interaction': {
      if (!card.task_id) throw new WecomFault(40058, 'template_card.task_id required for button_interaction');
      const buttons = (card.button_list as Array<{ key?: string; type?: number; text?: string }> | undefined) ?? [];
      if (buttons.length === 0 || buttons.length > 6) throw new WecomFault(40058, 'button_list must have 1 to 6 buttons');
      const keys = buttons.filter((b) => (b.type ?? 0) === 0).map((b) => b.key);
      if (keys.some((k) => !k) || new Set(keys).size !== keys.length) throw new WecomFault(40058, 'every callback button needs a unique key');
      break;
    }
    case 'vote_interaction':
    case 'multiple_interaction':
      if (!card.task_id) throw new WecomFault(40058, 'template_card.task_id required');
      break;
    default:
      throw new WecomFault(40058, `invalid template_card.card_type: ${String(card.card_type)}`);
  }
  const rows = (card.horizontal_content_list as Array<{ type?: number; userid?: string }> | undefined) ?? [];
  if (rows.some((r) => r.type === 3 && !r.userid)) throw new WecomFault(40058, 'horizontal_content_list: a member row (type 3) needs a userid');
  if (card.task_id !== undefined && !/^[0-9A-Za-z_\-@]{1,128}$/.test(String(card.task_id))) throw new WecomFault(40058, 'invalid task_id');
  return card;
}
