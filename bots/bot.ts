import type { Logger } from '../src/platform/logger';
import type { BotServices } from './core/bot-services';
import { candidateListMessage } from './core/candidate-list';
import { type Arrival, listForNumber, listNumber } from './core/choice-lists';
import type { Command, CommandContext } from './core/command';
import { UsageError, UserError } from './core/errors';
import { normalizeCommandText } from './core/normalize';
import type { BotReply } from './core/reply';
import { replyWithNote } from './core/reply-note';
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
  /** when the message reached us (stable across retries): a number answers the list open then */
  arrival: Arrival;
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

/** A command as quoted back in a reply ("请重新发送「勿扰 王磊 …」"). */
const quoted = (text: string) => {
  const chars = Array.from(text.replace(/\s+/g, ' '));
  return chars.length <= 24 ? chars.join('') : `${chars.slice(0, 23).join('')}…`;
};

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

  const ctx: CommandContext = {
    sender: message.sender,
    isAdmin: deps.admins.includes(message.sender),
    now: deps.now(),
    timezone: deps.timezone,
    services: deps.services,
    reply,
    sourceKey: message.sourceKey,
  };
  const number = listNumber(text);
  if (number !== null) await answerList(deps, number, ctx, message);
  else await runText(deps, text, ctx, message);
}

/** A bare number: the answer to the "which one?" list that was open when it arrived. */
async function answerList(deps: BotDeps, number: number, ctx: CommandContext, message: IncomingText): Promise<void> {
  const store = deps.services.conversations;
  const found = listForNumber(await store.recentLists(message.sender), message.arrival, message.sourceKey);
  const say = (content: string) => ctx.reply({ kind: 'text', content });
  switch (found.kind) {
    case 'none':
      return say('现在没有等你回复数字的列表。要找客户请发送「查客户 名字」，发送「帮助」查看全部命令。');
    case 'unclear':
      return say(
        `刚才先后出了${found.lists.length}个列表，不确定「${number}」回复的是哪一个，所以没有执行。请重新发送要做的命令，例如「${quoted(found.lists[found.lists.length - 1]!.text)}」，再回复数字。`,
      );
    case 'expired':
      return say(`这个列表已经过期了（超过10分钟），没有执行。请重新发送「${quoted(found.list.text)}」，再回复数字。`);
    case 'answered':
      return say(`这个列表已经选过了（回复的是 ${found.list.answer!.number}）。要再操作，请重新发送「${quoted(found.list.text)}」。`);
    case 'open':
      break;
  }
  const { list, newer } = found;
  const chosen = list.customerIds[number - 1];
  if (chosen === undefined) return say(`请回复 1 到 ${list.customerIds.length} 之间的数字。`);
  const answer = await store.answerList(message.sender, list.id, { by: message.sourceKey, number });
  if (answer.by !== message.sourceKey) return say(`这个列表已经选过了（回复的是 ${answer.number}）。要再操作，请重新发送「${quoted(list.text)}」。`);
  // A newer list is still waiting: say which one this number answered.
  const reply = newer ? replyWithNote(ctx.reply, `这是对「${quoted(list.text)}」列表的回复；「${quoted(newer.text)}」的列表还在等你回复数字。`) : ctx.reply;
  const match = deps.router.match(list.text);
  if (!match) throw new Error(`a kept list's command no longer matches: ${list.text.slice(0, 20)}`);
  await execute(deps, match.command, match.args, { ...ctx, reply, sourceKey: list.sourceKey, chosenCustomerId: chosen }, message);
}

/** A command as typed; a typo of exactly one command whose arguments read is run, saying so. */
async function runText(deps: BotDeps, text: string, ctx: CommandContext, message: IncomingText): Promise<void> {
  const match = deps.router.match(text);
  if (match) {
    await execute(deps, match.command, match.args, match.corrected ? withTypoNote(ctx, match.command, match.invokedAs) : ctx, message);
    return;
  }
  const nearest = deps.router.nearest(text);
  const head = text.split(/[\s，,：:]/)[0]!;
  if (nearest?.kind === 'one') {
    // One character off and nothing else as near: run it, if what follows reads as its arguments.
    if (nearest.distance === 1 && parses(nearest.command, nearest.args, ctx)) {
      await execute(deps, nearest.command, nearest.args, withTypoNote(ctx, nearest.command, nearest.typed), message);
      return;
    }
    const c = nearest.command;
    await ctx.reply({ kind: 'text', content: `没有「${quoted(head)}」这个命令。你是不是想用「${c.name}」？\n用法：${c.usage}\n例如：${c.example}` });
    return;
  }
  if (nearest?.kind === 'several') {
    const names = nearest.commands.map((c) => `「${c.name}」`).join('或');
    const usages = nearest.commands.map((c) => `${c.usage}（例如：${c.example}）`).join('\n');
    await ctx.reply({ kind: 'text', content: `没有「${quoted(head)}」这个命令。你是不是想用${names}？\n${usages}` });
    return;
  }
  await ctx.reply({ kind: 'text', content: '我是客户助手，发送「帮助」查看可以用的命令，例如：记录跟进 张三 电话沟通了报价，下周二再联系' });
}

function parses(command: Command, args: string, ctx: CommandContext): boolean {
  try {
    command.parse(args, { now: ctx.now, timezone: ctx.timezone });
    return true;
  } catch (error) {
    if (error instanceof UserError) return false;
    throw error;
  }
}

/** The answer says how a mistyped command was read, and how to take it back when it recorded something. */
function withTypoNote(ctx: CommandContext, command: Command, typed: string): CommandContext {
  const note = command.undoable
    ? `按“${command.name}”记录（你输入的是“${quoted(typed)}”），不对请发送「撤销」。`
    : `按“${command.name}”处理（你输入的是“${quoted(typed)}”）。`;
  return { ...ctx, reply: replyWithNote(ctx.reply, note) };
}

async function execute(deps: BotDeps, command: Command, args: string, ctx: CommandContext, message: IncomingText): Promise<void> {
  try {
    const input = command.parse(args, { now: ctx.now, timezone: ctx.timezone });
    await command.run(input, ctx);
  } catch (error) {
    if (error instanceof ChoiceNeeded) {
      // The list keeps the command as the registry names it, so the answer re-runs exactly this.
      await deps.services.conversations.openList(message.sender, {
        id: ctx.sourceKey,
        text: args ? `${command.name} ${args}` : command.name,
        sourceKey: ctx.sourceKey,
        customerIds: error.candidates.map((c) => c.customer.id),
        askedSeq: message.arrival.seq,
      });
      await ctx.reply({ kind: 'text', content: candidateListMessage(error.query, error.candidates, ctx.timezone, deps.services.channels) });
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
