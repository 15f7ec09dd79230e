import { confirmationCard } from '../../templates/cards/bot-cards';
import type { Customer } from '../../entities';
import { defineCommand } from '../core/command';
import type { CommandContext } from '../core/command';
import { UsageError } from '../core/errors';
import { firstArg, trimLeadingSeparators } from '../core/normalize';
import { resolveCustomer } from '../core/resolve-customer';
import { formatChineseDateTime, parseChineseDate } from '../dates/chinese-date.parser';

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
  usage: '提醒 <时间> [客户] <事项>（或 提醒 <客户> <时间> <事项>）',
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
    if (date.at.getTime() <= ctx.now.getTime()) throw new UsageError(`${formatChineseDateTime(date.at, ctx.timezone, ctx.now)} 已经过去了，请写一个将来的时间。`);
    const rest = trimLeadingSeparators(args.slice(date.index + date.text.length)).trim();
    if (!rest) throw new UsageError('请写上要提醒的事项。');
    if (before) return { dueAt: date.at, customerFirst: beforeWords.first!, maybeCustomer: '', matter: rest };
    const { first, rest: afterFirst } = firstArg(rest);
    return { dueAt: date.at, customerFirst: null, maybeCustomer: afterFirst ? first! : '', matter: rest };
  },
  async run(input, ctx) {
    const { customer, matter, unknownCustomer } = await customerOf(input, ctx);
    const { reminder } = await ctx.services.reminders.create({ staffUserid: ctx.sender, customerId: customer?.id ?? null, content: matter, dueAt: input.dueAt, sourceKey: ctx.sourceKey });
    await ctx.services.reminders.scheduleJob(reminder);
    await ctx.reply({
      kind: 'card',
      card: confirmationCard({
        source: '提醒',
        title: `提醒已设好 #${reminder.id}`,
        rows: [
          { key: '时间', value: formatChineseDateTime(reminder.dueAt, ctx.timezone, ctx.now) },
          ...(customer ? [{ key: '客户', value: customer.name }] : unknownCustomer ? [{ key: '客户', value: `未找到「${unknownCustomer}」，未关联` }] : []),
          { key: '事项', value: reminder.content },
        ],
      }),
    });
  },
});

/**
 * The customer a reminder is about: the word before the time, or the first word after it, when
 * either names one of the sender's customers; otherwise the one customer the matter mentions
 * ("给刘洋发报价"), if exactly one does.
 */
async function customerOf(input: RemindInput, ctx: CommandContext): Promise<{ customer: Customer | null; matter: string; unknownCustomer?: string }> {
  const viewer = { userid: ctx.sender, isAdmin: ctx.isAdmin };
  const named = input.customerFirst ?? input.maybeCustomer;
  if (named) {
    const found = ctx.chosenCustomerId !== undefined ? 'chosen' : (await ctx.services.customers.lookup(viewer, named)).kind;
    if (found !== 'none') {
      const customer = await resolveCustomer(ctx, named);
      return { customer, matter: input.customerFirst ? input.matter : firstArg(input.matter).rest };
    }
  }
  // The word before the time named nobody: it belongs to the matter.
  const matter = input.customerFirst ? `${input.customerFirst} ${input.matter}` : input.matter;
  const mentioned = await ctx.services.customers.mentionedIn(ctx.sender, matter);
  if (mentioned.length === 1) return { customer: mentioned[0]!, matter };
  return { customer: null, matter, ...(input.customerFirst ? { unknownCustomer: input.customerFirst } : {}) };
}
