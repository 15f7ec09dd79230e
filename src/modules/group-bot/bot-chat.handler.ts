import type { DataSource } from 'typeorm';
import type { InboundEvent } from '../../../entities';
import { handleText } from '../../../bots/bot';
import type { BotServices } from '../../../bots/core/bot-services';
import { normalizeCommandText } from '../../../bots/core/normalize';
import type { BotReply } from '../../../bots/core/reply';
import type { CommandRouter } from '../../../bots/core/router';
import type { Logger } from '../../platform/logger';
import type { OutboundService } from '../../platform/outbound/outbound.service';
import { sendReply } from '../chat';
import { privateNote, toBotMessage, withoutMention } from './bot-messages';
import { bindAnswer, bindGroup } from './group-binding';

/**
 * Commands whose answers a whole team group may see: team figures and help. Everything else shows
 * one salesperson's customers or reminders, and goes to them privately (an app message), the group
 * seeing one line that says so.
 */
const GROUP_PUBLIC = new Set(['报表', '预测', '帮助']);

export interface BotChatDeps {
  dataSource: DataSource;
  router: CommandRouter;
  services: BotServices;
  outbound: OutboundService;
  logger: Logger;
  admins: string[];
  timezone: string;
  now: () => Date;
}

/**
 * A message to the smart bot: in a team group after an @-mention, or in the single chat. It runs
 * the app's command router as the member who typed it (their userid from the frame), with their
 * permissions; `绑定 <团队名>` binds the group to a team.
 */
export function createBotChatHandler(deps: BotChatDeps): (event: InboundEvent) => Promise<void> {
  const { outbound } = deps;
  return async (event) => {
    const p = event.payload as Record<string, string>;
    const userid = p.FromUserName ?? event.fromUser;
    const sender = userid.toLowerCase();
    const group = p.ChatType === 'group' && p.ChatId ? p.ChatId : undefined;
    const chat = group ?? userid;
    const content = group ? withoutMention(p.Content ?? '') : (p.Content ?? '').trim();
    const isAdmin = deps.admins.includes(sender);
    const toChat = (message: ReturnType<typeof toBotMessage>, key: string) =>
      message ? outbound.enqueue({ channel: 'bot', chatid: chat, message, idempotencyKey: key, urgent: true }).then(() => undefined) : Promise.resolve();

    const text = normalizeCommandText(content);
    const bind = /^绑定(?:\s+|$)(.*)$/su.exec(text);
    if (bind) {
      const outcome = await bindGroup(deps.dataSource, { sender, isAdmin, chatid: group, teamName: bind[1]!.trim() });
      if (outcome.kind === 'bound') deps.logger.info({ team: outcome.team, by: sender }, 'team group bound to the smart bot');
      await toChat({ msgtype: 'markdown', markdown: { content: bindAnswer(outcome) } }, `reply:${event.dedupeKey}:0`);
      return;
    }

    const command = deps.router.match(text)?.command.name;
    const inPublic = !group || (command !== undefined && GROUP_PUBLIC.has(command)) || command === undefined;
    let noted = false;
    const send = async (_to: string, reply: BotReply, replyKey: string) => {
      const asBot = toBotMessage(reply);
      if (inPublic && asBot) return toChat(asBot, replyKey);
      // Privately, as the app's chat answers: the member's own data, or a card whose buttons the app routes.
      await sendReply(outbound, userid, reply, replyKey);
      if (!noted) {
        noted = true;
        const why = inPublic ? 'card' : 'customer';
        await toChat({ msgtype: 'markdown', markdown: { content: privateNote(userid, why) } }, `${replyKey}:note`);
      }
    };
    await handleText(
      { router: deps.router, services: deps.services, logger: deps.logger, admins: deps.admins, timezone: deps.timezone, now: deps.now, send },
      {
        sender,
        replyTo: userid,
        content,
        sourceKey: event.dedupeKey,
        arrival: { seq: event.id, at: event.createdAt, precisionMs: event.createdAt.getMilliseconds() === 0 ? 1000 : 1 },
      },
    );
  };
}
