import type { Logger } from '../src/logger';
import type { BotServices } from './core/bot-services';
import type { CommandContext } from './core/command';
import { UsageError, UserError } from './core/errors';
import { normalizeCommandText } from './core/normalize';
import type { BotReply } from './core/reply';
import { ChoiceNeeded } from './core/resolve-customer';
import type { CommandRouter } from './core/router';

export interface IncomingText {
  /** lower-cased userid of the sender */
  sender: string;
  /** the userid as WeCom sent it, to answer to */
  replyTo: string;
  content: string;
  /** `msg:<MsgId>`: unique per message, stable across redeliveries and job retries */
  sourceKey: string;
}

export interface BotDeps {
  router: CommandRouter;
  services: BotServices;
  logger: Logger;
  admins: string[];
  timezone: string;
  now(): Date;
  /** sends the n-th reply to a message (n makes each reply's idempotency key) */
  send(to: string, reply: BotReply, replyKey: string): Promise<void>;
}

/**
 * One message from a salesperson to the app → one command run. The single error boundary: a
 * mistake they can fix becomes a friendly reply (no retry); anything else propagates so the queue
 * retries it, and every write a command makes is keyed by the message, so a retry records once.
 */
export async function handleText(deps: BotDeps, message: IncomingText): Promise<void> {
  let replies = 0;
  const reply = (r: BotReply) => deps.send(message.replyTo, r, `reply:${message.sourceKey}:${replies++}`);
  const text = normalizeCommandText(message.content);
  if (!text) return;

  const base = {
    sender: message.sender,
    isAdmin: deps.admins.includes(message.sender),
    now: deps.now(),
    timezone: deps.timezone,
    services: deps.services,
    reply,
  };

  // A bare number answers the last "which one?" list.
  if (/^\d{1,2}$/.test(text)) {
    const pending = await deps.services.conversations.pendingChoice(message.sender);
    if (pending) {
      const chosen = pending.customerIds[Number(text) - 1];
      if (chosen === undefined) {
        await reply({ kind: 'text', content: `请回复 1 到 ${pending.customerIds.length} 之间的数字。` });
        return;
      }
      await run(deps, pending.text, { ...base, sourceKey: pending.sourceKey, chosenCustomerId: chosen }, message);
      await deps.services.conversations.clearPendingChoice(message.sender);
      return;
    }
  }
  await run(deps, text, { ...base, sourceKey: message.sourceKey }, message);
}

async function run(deps: BotDeps, text: string, ctx: CommandContext, message: IncomingText): Promise<void> {
  const match = deps.router.match(text);
  if (!match) {
    const suggestion = deps.router.suggest(text);
    await ctx.reply({
      kind: 'text',
      content: suggestion
        ? `没有这个命令。你是不是想用「${suggestion.name}」？\n用法：${suggestion.usage}\n例如：${suggestion.example}`
        : '我是客户助手，发送「帮助」查看可以用的命令，例如：记录跟进 张三 电话沟通了报价，下周二再联系',
    });
    return;
  }
  const { command } = match;
  try {
    const input = command.parse(match.args, { now: ctx.now, timezone: ctx.timezone });
    await command.run(input, ctx);
  } catch (error) {
    if (error instanceof ChoiceNeeded) {
      await deps.services.conversations.savePendingChoice(message.sender, {
        text,
        sourceKey: ctx.sourceKey,
        customerIds: error.candidates.map((c) => c.customer.id),
      });
      const lines = error.candidates.map((c, i) => `${i + 1}. ${c.customer.name}${c.remark && c.remark !== c.customer.name ? `（${c.remark}）` : ''}${c.customer.corpName ? ` · ${c.customer.corpName}` : ''}`);
      await ctx.reply({ kind: 'text', content: `找到${error.candidates.length}位「${error.query}」，回复数字选择：\n${lines.join('\n')}` });
      return;
    }
    if (error instanceof UsageError) {
      await ctx.reply({ kind: 'text', content: `${error.reply}\n用法：${command.usage}\n例如：${command.example}` });
      return;
    }
    if (error instanceof UserError) {
      await ctx.reply({ kind: 'text', content: error.reply });
      return;
    }
    deps.logger.error({ err: error, command: command.name, sender: message.sender, sourceKey: message.sourceKey }, 'command failed; will be retried');
    throw error;
  }
}
