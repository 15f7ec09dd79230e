import type { OutboundChannel } from '../../../entities/outbound-message.entity';
import {
  CARD_FIELD_LIMITS,
  CARD_LIST_LIMITS,
  cardFields,
  cardList,
  CONTENT_LIMITS,
  cutToBytes,
  REPLACE_NAME_BYTES,
  TEXTCARD_LIMITS,
  utf8Bytes,
} from '../wecom/limits/wecom-limits';
import { splitContent } from './split-content';

type Body = Record<string, unknown>;

/**
 * The payload guard every message passes on its way to WeCom (OutboundService.enqueue/sendNow):
 * the request body as the caller built it in, bodies that are each within WeCom's limits out
 * (wecom-limits.ts) — text and markdown split into consecutive messages, a welcome text cut to its
 * 4000 bytes (a welcome code sends once), every template-card text field cut to its own limit and
 * every list to its length. Sizes are UTF-8 bytes. Keys, task ids and URLs are never cut (a cut key
 * would send a click to the wrong place): one over its limit is a bug, refused before anything is stored.
 */
export function fitMessage(channel: OutboundChannel, body: Body): Body[] {
  switch (channel) {
    case 'user':
      return fitChatMessage(body, CONTENT_LIMITS.app);
    case 'appchat':
      return fitChatMessage(body, CONTENT_LIMITS.appchat);
    case 'robot':
      return fitChatMessage(body, CONTENT_LIMITS.robot);
    case 'welcome':
      return [fitWelcome(body)];
    case 'card_update':
      return [fitCardUpdate(body)];
    case 'bot':
      return fitChatMessage(body, CONTENT_LIMITS.bot);
    case 'bot_update':
      return [fitCardUpdate(body)];
  }
}

function fitChatMessage(body: Body, limits: { text: number; markdown: number }): Body[] {
  const msgtype = String(body.msgtype ?? '');
  if (msgtype === 'text' || msgtype === 'markdown') {
    const inner = (body[msgtype] ?? {}) as Body;
    const content = typeof inner.content === 'string' ? inner.content : '';
    const parts = splitContent(content, { maxBytes: limits[msgtype], markdown: msgtype === 'markdown' });
    // A robot text's @-mentions belong to the message once, not to every part of it.
    return parts.map((part, i) => ({ ...body, [msgtype]: i === 0 ? { ...inner, content: part } : { content: part } }));
  }
  if (msgtype === 'template_card') return [{ ...body, template_card: fitCard(body.template_card as Body) }];
  if (msgtype === 'textcard') {
    const card = { ...((body.textcard ?? {}) as Body) };
    for (const field of ['title', 'description'] as const) if (typeof card[field] === 'string') card[field] = cutToBytes(card[field], TEXTCARD_LIMITS[field]);
    if (typeof card.url === 'string' && utf8Bytes(card.url) > TEXTCARD_LIMITS.url)
      throw new Error(`textcard.url is longer than WeCom's ${TEXTCARD_LIMITS.url} bytes`);
    return [{ ...body, textcard: card }];
  }
  return [body];
}

function fitWelcome(body: Body): Body {
  const text = body.text as Body | undefined;
  if (typeof text?.content !== 'string') return body;
  return { ...body, text: { ...text, content: cutToBytes(text.content, CONTENT_LIMITS.welcome.text) } };
}

function fitCardUpdate(body: Body): Body {
  const out: Body = { ...body };
  const button = body.button as Body | undefined;
  if (typeof button?.replace_name === 'string') out.button = { ...button, replace_name: cutToBytes(button.replace_name, REPLACE_NAME_BYTES) };
  if (body.template_card) out.template_card = fitCard(body.template_card as Body);
  return out;
}

/** A copy of the card with every list at most as long as WeCom allows and every text field cut to its limit. */
export function fitCard(card: Body): Body {
  const fitted = structuredClone(card);
  for (const [path, { max }] of Object.entries(CARD_LIST_LIMITS)) {
    const list = cardList(fitted, path);
    if (list && list.length > max) list.splice(max);
  }
  for (const limit of CARD_FIELD_LIMITS) {
    for (const field of cardFields(fitted, limit.path)) {
      if (utf8Bytes(field.value) <= limit.bytes) continue;
      if (limit.kind !== 'text') throw new Error(`template_card.${limit.path} is longer than WeCom's ${limit.bytes} bytes: ${field.value.slice(0, 40)}…`);
      field.set(cutToBytes(field.value, limit.bytes));
    }
  }
  return fitted;
}
