import { confirmationCard } from '../../templates/cards/bot-cards';
import type { Customer } from '../../entities';
import { defineCommand } from '../core/command';
import { UsageError } from '../core/errors';
import { firstArg } from '../core/normalize';
import { resolveCustomer } from '../core/resolve-customer';
import { formatChineseDateTime, parseChineseDate } from '../dates/chinese-date.parser';

export interface RemindInput {
  dueAt: Date;
  /** the first word after the time: a customer when it names one, otherwise part of the matter */
  maybeCustomer: string;
  matter: string;
}

export const remindCommand = defineCommand<RemindInput>({
  name: '提醒',
  aliases: ['提醒我'],
  usage: '提醒 <时间> [客户] <事项>',
  example: '提醒 明天下午3点 张三 发报价',
  summary: '到时间发一张提醒卡片给你',
  parse(args, ctx) {
    if (!args) throw new UsageError('请写上时间和事项。');
    const date = parseChineseDate(args, ctx.now, ctx.timezone);
    if (!date || date.index > 0) throw new UsageError(`看不懂时间「${firstArg(args).first}」，可以写 明天下午3点、周五上午10点、3天后。`);
    if (date.at.getTime() <= ctx.now.getTime()) throw new UsageError(`${formatChineseDateTime(date.at, ctx.timezone, ctx.now)} 已经过去了，请写一个将来的时间。`);
    const rest = args.slice(date.index + date.text.length).trim();
    if (!rest) throw new UsageError('请写上要提醒的事项。');
    const { first, rest: afterFirst } = firstArg(rest);
    return { dueAt: date.at, maybeCustomer: afterFirst ? first! : '', matter: rest };
  },
  async run(input, ctx) {
    let customer: Customer | null = null;
    let matter = input.matter;
    if (input.maybeCustomer) {
      const found = ctx.chosenCustomerId !== undefined ? 'chosen' : (await ctx.services.customers.lookup({ userid: ctx.sender, isAdmin: ctx.isAdmin }, input.maybeCustomer)).kind;
      if (found !== 'none') {
        customer = await resolveCustomer(ctx, input.maybeCustomer);
        matter = firstArg(input.matter).rest;
      }
    }
    const { reminder } = await ctx.services.reminders.create({ staffUserid: ctx.sender, customerId: customer?.id ?? null, content: matter, dueAt: input.dueAt, sourceKey: ctx.sourceKey });
    await ctx.services.reminders.scheduleJob(reminder);
    await ctx.reply({
      kind: 'card',
      card: confirmationCard({
        source: '提醒',
        title: `提醒已设好 #${reminder.id}`,
        rows: [
          { key: '时间', value: formatChineseDateTime(reminder.dueAt, ctx.timezone, ctx.now) },
          ...(customer ? [{ key: '客户', value: customer.name }] : []),
          { key: '事项', value: reminder.content },
        ],
      }),
    });
  },
});
