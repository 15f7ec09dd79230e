import { confirmationCard } from '../../templates/cards/bot-cards';
import { titleAround } from '../../templates/cards/card-limits';
import { defineCommand } from '../core/command';
import { parseAmount, parseProbability } from '../core/amounts';
import { UsageError } from '../core/errors';
import { firstArg, splitArgs } from '../core/normalize';
import { resolveCustomer } from '../core/resolve-customer';
import { formatChineseDate } from '../../templates/format-date';
import { parseChineseDate } from '../dates/chinese-date.parser';

export interface OpportunityInput {
  customerQuery: string;
  amount: number;
  probability: number | null;
  expectedCloseAt: Date | null;
}

export const opportunityCommand = defineCommand<OpportunityInput>({
  name: '商机',
  aliases: ['记商机', '新商机'],
  undoable: true,
  usage: '商机 <客户> <金额> [概率%] [预计成交日期]',
  example: '商机 张三 5万 60% 月底',
  summary: '记录商机金额、成交概率和预计成交日期',
  parse(args, ctx) {
    const { first: customerQuery, rest } = firstArg(args);
    if (!customerQuery) throw new UsageError('请写上客户和金额。');
    const [amountText, ...more] = splitArgs(rest);
    if (!amountText) throw new UsageError(`请写上「${customerQuery}」的商机金额。`);
    const amount = parseAmount(amountText);
    if (amount === null) throw new UsageError(`「${amountText}」不是金额，比如写 50000、5万、1.5万 或 8千。`);
    let probability: number | null = null;
    const dateWords: string[] = [];
    for (const word of more) {
      const p = parseProbability(word);
      if (p !== null) {
        if (p > 100) throw new UsageError('概率在 0% 到 100% 之间，比如写 60% 或 六成。');
        probability = p;
      } else dateWords.push(word);
    }
    let expectedCloseAt: Date | null = null;
    if (dateWords.length) {
      const parsed = parseChineseDate(dateWords.join(' '), ctx.now, ctx.timezone);
      if (!parsed) throw new UsageError(`看不懂日期「${dateWords.join(' ')}」，可以写 月底、12月15日、下周五。`);
      expectedCloseAt = parsed.at;
    }
    return { customerQuery, amount, probability, expectedCloseAt };
  },
  async run(input, ctx) {
    const customer = await resolveCustomer(ctx, input.customerQuery);
    await ctx.services.opportunities.record({ customer, staffUserid: ctx.sender, ...input, sourceKey: ctx.sourceKey, now: ctx.now });
    await ctx.reply({
      kind: 'card',
      card: confirmationCard({
        source: '商机',
        title: titleAround('', customer.name, `：¥${input.amount.toLocaleString('zh-CN')}`),
        rows: [
          { key: '概率', value: input.probability === null ? '未填' : `${input.probability}%` },
          // a close date is a day: no clock time
          { key: '预计成交', value: input.expectedCloseAt ? formatChineseDate(input.expectedCloseAt, ctx.timezone, ctx.now) : '未填' },
        ],
      }),
    });
  },
});
