import { handleText } from '../bots/bot';
import type { BotReply } from '../bots/core/reply';
import { createCommandRouter } from '../bots/registry';
import type { AppMessage } from './wecom/api/wecom-api.types';
import type { Container } from './container';

/** The product's handlers per inbound event kind, registered in processes that run the worker role. */
export function registerDomainHandlers(container: Container, now: () => Date = () => new Date()): void {
  const router = createCommandRouter();
  const { outbound, services, logger, config } = container;

  container.handlers.register('text', async (event) => {
    await handleText(
      {
        router,
        services,
        logger,
        admins: config.admins,
        timezone: config.timezone,
        now,
        async send(to, reply, replyKey) {
          // An answer to what the salesperson just typed: not held by quiet hours, ahead of bulk pushes.
          await outbound.enqueue({ channel: 'user', touser: to, message: toAppMessage(reply), idempotencyKey: replyKey, urgent: true });
        },
      },
      { sender: event.fromUser.toLowerCase(), replyTo: event.fromUser, content: String(event.payload.Content ?? ''), sourceKey: event.dedupeKey },
    );
  });
}

function toAppMessage(reply: BotReply): AppMessage {
  if (reply.kind === 'card') return { msgtype: 'template_card', template_card: reply.card };
  if (reply.kind === 'markdown') return { msgtype: 'markdown', markdown: { content: reply.content } };
  return { msgtype: 'text', text: { content: reply.content } };
}
