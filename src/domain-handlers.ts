import { handleText } from '../bots/bot';
import { NON_TEXT_KINDS, nonTextHint } from '../bots/non-text-hint';
import type { BotReply } from '../bots/core/reply';
import { createCommandRouter } from '../bots/registry';
import type { AppMessage } from './platform/wecom/api/wecom-api.types';
import type { Container } from './container';
import { registerCaptureHandlers } from './modules/capture/register-capture-handlers';
import { createFailureNotice } from './platform/events/failure-notice';
import { registerDigestJobs } from './modules/digests/digest.jobs';
import { createCardClickHandler } from './modules/chat/card-click.handler';
import { checkChannelRuleSops, registerSopHandlers } from './modules/sop/register-sop-handlers';

/** The product's handlers per inbound event kind, registered in processes that run the worker role. */
export function registerDomainHandlers(container: Container, now: () => Date = () => new Date(container.now())): void {
  const router = createCommandRouter();
  const { outbound, services, logger, config } = container;
  // SOPs (templates/sops.json, validated here) start from customer adds, stage and tag changes, silence.
  const sops = registerSopHandlers(container, now);
  // Customer, tag and group events (客户联系); its start-up work (teams file, tag dictionary) runs in the background.
  const { capture } = registerCaptureHandlers(container, { sops: sops.engine });
  checkChannelRuleSops(capture.rules, sops.definitions, config.capture.channelRulesFile, config.sop.file);
  // Daily and weekly digests: their schedules and processors on the maintenance queue.
  void registerDigestJobs(container);

  // An answer to what the salesperson just typed: not held by quiet hours, ahead of bulk pushes.
  const send = (to: string, reply: BotReply, replyKey: string) =>
    outbound.enqueue({ channel: 'user', touser: to, message: toAppMessage(reply), idempotencyKey: replyKey, urgent: true }).then(() => undefined);

  container.handlers.register('text', async (event) => {
    await handleText(
      { router, services, logger, admins: config.admins, timezone: config.timezone, now, send },
      {
        sender: event.fromUser.toLowerCase(),
        replyTo: event.fromUser,
        content: String(event.payload.Content ?? ''),
        sourceKey: event.dedupeKey,
        // Arrival order is the stored row's id; its receipt time is whole seconds on SQLite.
        arrival: { seq: event.id, at: event.createdAt, precisionMs: event.createdAt.getMilliseconds() === 0 ? 1000 : 1 },
      },
    );
  });
  // Retries are silent; once the event fails for good (at once when a retry cannot fix it), the
  // salesperson is not left waiting for an answer, and the admins hear of it.
  const notice = { dataSource: container.dataSource, outbound, admins: config.admins, logger };
  container.handlers.onFailure('text', createFailureNotice(notice, 'message'));
  container.handlers.onFailure('template_card_event', createFailureNotice(notice, 'click'));

  // Voice, images, files, links…: the bot reads text only, and says so instead of staying silent.
  for (const kind of NON_TEXT_KINDS) {
    container.handlers.register(kind, async (event) => {
      await send(event.fromUser, { kind: 'text', content: nonTextHint(kind, event.payload) }, `reply:${event.dedupeKey}:0`);
    });
  }

  // A click on one of our interactive cards (reminders: 完成 / 推迟1小时 / 明天再提醒 / 查看客户).
  container.handlers.register('template_card_event', createCardClickHandler({ services, outbound, logger, timezone: config.timezone, now }));
}

function toAppMessage(reply: BotReply): AppMessage {
  if (reply.kind === 'card') return { msgtype: 'template_card', template_card: reply.card };
  if (reply.kind === 'markdown') return { msgtype: 'markdown', markdown: { content: reply.content } };
  return { msgtype: 'text', text: { content: reply.content } };
}
