import type { DataSource } from 'typeorm';
import type { BotServices } from '../../../bots/core/bot-services';
import { nonTextHint } from '../../../bots/non-text-hint';
import { createCommandRouter } from '../../../bots/registry';
import { createFailureNotice } from '../../platform/events/failure-notice';
import type { Logger } from '../../platform/logger';
import type { EventBinding, WorkModule } from '../../platform/module';
import type { OutboundService } from '../../platform/outbound/outbound.service';
import { createBotChatHandler } from './bot-chat.handler';
import { createGroupCardClickHandler } from './group-card-clicks';

export interface GroupBotModuleDeps {
  dataSource: DataSource;
  services: BotServices;
  outbound: OutboundService;
  logger: Logger;
  config: { admins: string[]; timezone: string };
  now: () => Date;
}

/** Message kinds of the bot that carry text to read as a command (a voice message arrives transcribed). */
const TEXT_KINDS = ['aibot/text', 'aibot/voice', 'aibot/mixed'];
const HINTED = { 'aibot/image': 'image', 'aibot/file': 'file', 'aibot/video': 'video' } as const;

/**
 * The smart bot (智能机器人) in team groups and single chats: commands after an @-mention, run as
 * the member who typed them; a hint for what is not text. Only in a worker with the bot configured.
 */
export function groupBotModule(deps: GroupBotModuleDeps): WorkModule {
  const { outbound, config } = deps;
  const router = createCommandRouter();
  const chat = createBotChatHandler({ ...deps, router, admins: config.admins, timezone: config.timezone });
  const texts: EventBinding[] = TEXT_KINDS.map((kind) => ({ kind, handle: chat }));
  // Images, files, videos: the bot reads text, and says what to type instead of staying silent.
  const other: EventBinding = {
    kind: 'aibot',
    handle: async (event) => {
      const p = event.payload as Record<string, string>;
      const hinted = HINTED[event.kind as keyof typeof HINTED];
      if (!hinted) return; // enter_chat, feedback: nothing to answer
      const chatid = p.ChatType === 'group' && p.ChatId ? p.ChatId : p.FromUserName!;
      await outbound.enqueue({
        channel: 'bot',
        chatid,
        message: { msgtype: 'markdown', markdown: { content: nonTextHint(hinted, p) } },
        idempotencyKey: `reply:${event.dedupeKey}:0`,
        urgent: true,
      });
    },
  };
  // A click on a team group card: acts once for the clicker, then the card shows it for everyone.
  const clicks: EventBinding = {
    kind: 'aibot/template_card_event',
    handle: createGroupCardClickHandler({ ...deps, admins: config.admins, timezone: config.timezone }),
  };
  const notice = { dataSource: deps.dataSource, outbound, admins: config.admins, logger: deps.logger };
  return {
    name: 'group-bot',
    events: [...texts, clicks, other],
    failureNotices: [
      ...TEXT_KINDS.map((kind) => ({ kind, notice: createFailureNotice(notice, 'message') })),
      { kind: 'aibot/template_card_event', notice: createFailureNotice(notice, 'click') },
    ],
  };
}
