import type { DataSource } from 'typeorm';
import { handleText } from '../../../bots/bot';
import type { BotServices } from '../../../bots/core/bot-services';
import type { BotReply } from '../../../bots/core/reply';
import { NON_TEXT_KINDS, nonTextHint } from '../../../bots/non-text-hint';
import { createCommandRouter } from '../../../bots/registry';
import { createFailureNotice } from '../../platform/events/failure-notice';
import type { Logger } from '../../platform/logger';
import type { EventBinding, WorkModule } from '../../platform/module';
import type { OutboundService } from '../../platform/outbound/outbound.service';
import { sendReply } from './app-message';
import { createCardClickHandler } from './card-click.handler';

export interface ChatModuleDeps {
  dataSource: DataSource;
  /** the services the commands use (with the worker's SOP-aware stage and tag services) */
  services: BotServices;
  outbound: OutboundService;
  logger: Logger;
  config: { admins: string[]; timezone: string };
  /** the bot's clock */
  now: () => Date;
}

/** The salesperson's conversation with the app: typed commands, a hint for what is not text, clicks on our cards. */
export function chatModule(deps: ChatModuleDeps): WorkModule {
  const { services, outbound, logger, config, now } = deps;
  const router = createCommandRouter();
  // An answer to what the salesperson just typed: not held by quiet hours, ahead of bulk pushes.
  const send = (to: string, reply: BotReply, replyKey: string) => sendReply(outbound, to, reply, replyKey).then(() => undefined);

  const text: EventBinding = {
    kind: 'text',
    handle: async (event) => {
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
    },
  };
  // Voice, images, files, links…: the bot reads text only, and says so instead of staying silent.
  const nonText: EventBinding[] = NON_TEXT_KINDS.map((kind) => ({
    kind,
    handle: async (event) => {
      await send(event.fromUser, { kind: 'text', content: nonTextHint(kind, event.payload) }, `reply:${event.dedupeKey}:0`);
    },
  }));
  // A click on one of our interactive cards (reminders: 完成 / 推迟1小时 / 明天再提醒 / 查看客户).
  const cards: EventBinding = {
    kind: 'template_card_event',
    handle: createCardClickHandler({ services, outbound, logger, timezone: config.timezone, admins: config.admins, now }),
  };

  // Retries are silent; once the event fails for good (at once when a retry cannot fix it), the
  // salesperson is not left waiting for an answer, and the admins hear of it.
  const notice = { dataSource: deps.dataSource, outbound, admins: config.admins, logger };
  return {
    name: 'chat',
    events: [text, ...nonText, cards],
    failureNotices: [
      { kind: 'text', notice: createFailureNotice(notice, 'message') },
      { kind: 'template_card_event', notice: createFailureNotice(notice, 'click') },
    ],
  };
}
