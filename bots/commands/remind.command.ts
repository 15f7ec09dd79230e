import { confirmationCard } from '../../templates/cards/bot-cards';
import type { Customer } from '../../entities';
import { defineCommand } from '../core/command';
import type { CommandContext } from '../core/command';
import { UsageError, UserError } from '../core/errors';
import { firstArg, trimLeadingSeparators } from '../core/normalize';
import { resolveCustomer } from '../core/resolve-customer';
import { formatChineseDateTime } from '../../templates/format-date';
import { parseChineseDate } from '../dates/chinese-date.parser';

export interface RemindInput {
  dueAt: Date;
  /** the word typed before the time (`提醒 刘洋 明天下午3点 发报价`): meant as the customer */
  customerFirst: string | null;
  /** the first word after the time: a customer when it names one, otherwise part of the matter */
  maybeCustomer: string;
  matter: string;
}

const TIME_HINT = '可以写 明天下午3点、周五上午10点、3天后';

export const remindCommand = defineCommand<RemindInput>({
  name: '提醒',
  aliases: ['提醒我', '设提醒', '设置提醒', '添加提醒', '新建提醒'],
  undoable: true,
  usage: '提醒 <时间> [客户] <事项>',
  example: '提醒 明天下午3点 张三 发报价',
  summary: '到时间发一张提醒卡片给你',
  parse(args, ctx) {
    if (!args) throw new UsageError('请写上时间和事项。');
    const date = parseChineseDate(args, ctx.now, ctx.timezone);
    // "提醒 我 明天…" is the alias 提醒我 with a space, not a customer called 我.
    const before = date ? trimLeadingSeparators(args.slice(0, date.index)).trim().replace(/^我$/, '') : '';
    // One word before the time is the customer ("刘洋 明天下午3点 发报价"); more is not a time we read.
    const beforeWords = firstArg(before);
    if (!date || beforeWords.rest) throw new UsageError(`看不懂时间「${firstArg(args).first}」，${TIME_HINT}。`);
    if (date.at.getTime() <= ctx.now.getTime())
      throw new UsageError(`${formatChineseDateTime(date.at, ctx.timezone, ctx.now)} 已经过去了，请写一个将来的时间。`);
    const rest = trimLeadingSeparators(args.slice(date.index + date.text.length)).trim();
    if (!rest) throw new UsageError('请写上要提醒的事项。');
    if (before) return { dueAt: date.at, customerFirst: beforeWords.first!, maybeCustomer: '', matter: rest };
    const { first, rest: afterFirst } = firstArg(rest);
    return { dueAt: date.at, customerFirst: null, maybeCustomer: afterFirst ? first! : '', matter: rest };
  },
  async run(input, ctx) {
    const { customer, matter, unlinked } = await customerOf(input, ctx);
    const { reminder } = await ctx.services.reminders.create({
      staffUserid: ctx.sender,
      customerId: customer?.id ?? null,
      content: matter,
      dueAt: input.dueAt,
      sourceKey: ctx.sourceKey,
      setAt: ctx.now,
    });
    await ctx.services.reminders.scheduleJob(reminder);
    await ctx.reply({
      kind: 'card',
      card: confirmationCard({
        source: '提醒',
        title: `提醒已设好 #${reminder.id}`,
        rows: [
          { key: '时间', value: formatChineseDateTime(reminder.dueAt, ctx.timezone, ctx.now) },
          ...(customer ? [{ key: '客户', value: customer.name }] : unlinked ? [{ key: '客户', value: '未关联' }] : []),
          { key: '事项', value: reminder.content },
        ],
        ...(unlinked ? { quote: unlinkedNote(unlinked) } : {}),
      }),
    });
  },
});

/**
 * The customer a reminder is about: the word before the time, or the first word after it, when
 * either names one of the sender's customers; otherwise the one customer the matter mentions
 * ("给刘洋发报价"), if exactly one does. A word typed before the time is meant as a customer: when
 * it names nobody, nothing is stored and the answer says who was meant, or how to write a reminder
 * without a customer.
 */
async function customerOf(input: RemindInput, ctx: CommandContext): Promise<{ customer: Customer | null; matter: string; unlinked?: Customer[] }> {
  const viewer = { userid: ctx.sender, isAdmin: ctx.isAdmin };
  const named = input.customerFirst ?? input.maybeCustomer;
  if (named) {
    const found = ctx.chosenCustomerId !== undefined ? { kind: 'chosen' as const } : await ctx.services.customers.lookup(viewer, named);
    if (found.kind !== 'none') {
      const customer = await resolveCustomer(ctx, named);
      return { customer, matter: input.customerFirst ? input.matter : firstArg(input.matter).rest };
    }
    if (input.customerFirst) {
      // "给刘洋 明天下午3点 发报价": the word holds a customer's name.
      const inWord = await ctx.services.customers.mentionedIn(ctx.sender, input.customerFirst);
      if (inWord.length === 1) return { customer: inWord[0]!, matter: `${input.customerFirst}${input.matter}` };
      const hint = found.closest.length ? `你是不是要找：${found.closest.join('、')}？` : '可以用名字、备注或手机号的一部分。';
      throw new UserError(`没有找到客户「${input.customerFirst}」，提醒没有设。${hint}\n不关联客户的提醒这样写：提醒 明天下午3点 ${input.matter}`);
    }
  }
  const mentioned = await ctx.services.customers.mentionedIn(ctx.sender, input.matter);
  if (mentioned.length > 1) return { customer: null, matter: input.matter, unlinked: mentioned };
  return { customer: mentioned.length === 1 ? mentioned[0]! : null, matter: input.matter };
}

/**
 * The matter names more than one of the sender's customers (two 王磊, or 王磊 and 刘洋): the reminder
 * is set without one, and the card says so and how to link it, rather than leaving the 客户 row out.
 */
function unlinkedNote(customers: Customer[]): string {
  const names = [...new Set(customers.map((c) => c.name))];
  const who = names.length === 1 ? `你有${customers.length}位「${names[0]}」` : `提到了${names.length}位客户（${names.join('、')}）`;
  return `${who}，这条提醒没有关联客户。要关联：发送「撤销」，再发「提醒 <时间> ${names[0]} <事项>」从列表里选。`;
}
