import { CARD_LIMITS, fit } from '../../templates/cards/card-limits';
import type { BotReply } from './reply';

/**
 * A line that must reach the salesperson with the answer itself ("按“记录跟进”记录…"): put at the
 * top of a text or markdown reply, or of a card's subtitle. One message, not two: two messages to
 * one person may arrive in either order.
 */
export function addNote(reply: BotReply, note: string): BotReply {
  if (reply.kind === 'image') return reply;
  if (reply.kind === 'text') return { kind: 'text', content: `${note}\n${reply.content}` };
  if (reply.kind === 'markdown') return { kind: 'markdown', content: `<font color="comment">${note}</font>\n${reply.content}` };
  const existing = typeof reply.card.sub_title_text === 'string' ? reply.card.sub_title_text : '';
  return { kind: 'card', card: { ...reply.card, sub_title_text: fit(existing ? `${note}\n${existing}` : note, CARD_LIMITS.subTitle) } };
}

/** `reply`, with `note` added to the first message it sends. */
export function replyWithNote(reply: (r: BotReply) => Promise<void>, note: string): (r: BotReply) => Promise<void> {
  let first = true;
  return (r) => {
    if (!first) return reply(r);
    first = false;
    return reply(addNote(r, note));
  };
}
