import type { BotReply } from '../../../bots/core/reply';
import type { EnqueueResult, OutboundService } from '../../platform/outbound/outbound.service';
import type { AppMessage } from '../../platform/wecom/api/wecom-api.types';

/** A bot's answer as the WeCom app message that carries it (a picture is not one: see sendReply). */
export function toAppMessage(reply: Exclude<BotReply, { kind: 'image' }>): AppMessage {
  if (reply.kind === 'card') return { msgtype: 'template_card', template_card: reply.card };
  if (reply.kind === 'markdown') return { msgtype: 'markdown', markdown: { content: reply.content } };
  return { msgtype: 'text', text: { content: reply.content } };
}

/**
 * An answer to what a salesperson just typed or clicked: not held by quiet hours, ahead of bulk
 * pushes. A picture is uploaded as temporary media and sent by its media_id (outbound.enqueueImage).
 */
export function sendReply(outbound: OutboundService, to: string, reply: BotReply, idempotencyKey: string): Promise<EnqueueResult> {
  if (reply.kind === 'image')
    return outbound.enqueueImage({ channel: 'user', touser: to, image: { source: reply.source, filename: reply.filename }, idempotencyKey, urgent: true });
  return outbound.enqueue({ channel: 'user', touser: to, message: toAppMessage(reply), idempotencyKey, urgent: true });
}
