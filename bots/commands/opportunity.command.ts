import { OPPORTUNITY_NAME_LENGTH } from '../../entities';
import { confirmationCard } from '../../templates/cards/bot-cards';
import { titleAround } from '../../templates/cards/card-limits';
import { noOpenOpportunity, opportunityFigures, opportunityLabel, whichOpportunity } from '../../templates/opportunities';
import { defineCommand } from '../core/command';
import { parseAmount, parseProbability } from '../core/amounts';
import { UsageError, UserError } from '../core/errors';
import { firstArg, splitArgs } from '../core/normalize';
import { resolveCustomer } from '../core/resolve-customer';
import { formatChineseDate } from '../../templates/format-date';
import { parseChineseDate } from '../dates/chinese-date.parser';

export interface OpportunityInput {
  customerQuery: string;
  /** what tells the customer's opportunities apart (二期): the words before the amount */
  name: string | null;
  amount: number;
  probability: number | null;
  expectedCloseAt: Date | null;
}

export const opportunityCommand = defineCommand<OpportunityInput>({
  name: '商机',
  aliases: ['记商机', '新商机'],
  undoable: true,
  usage: '商机 <客户> <金额> [概率%] [预计成交日期]（一位客户有几个商机时，金额前写名称：商机 <客户> <名称> <金额>）',
  example: '商机 张三 5万 60% 月底',
  summary: '记录或更新商机的金额、成交概率和预计成交日期',
  parse(args, ctx) {
    const { first: customerQuery, rest } = firstArg(args);
    if (!customerQuery) throw new UsageError('请写上客户和金额。');
    const words = splitArgs(rest);
    if (!words.length) throw new UsageError(`请写上「${customerQuery}」的商机金额。`);
    const at = words.findIndex((w) => parseAmount(w) !== null);
    if (at < 0) throw new UsageError(`「${words[0]}」不是金额，比如写 50000、5万、1.5万 或 8千。`);
    const name = words.slice(0, at).join(' ') || null;
    if (name && Array.from(name).length > OPPORTUNITY_NAME_LENGTH) throw new UsageError(`商机名称最多${OPPORTUNITY_NAME_LENGTH}个字，比如写 二期。`);
    const amount = parseAmount(words[at]!)!;
    let probability: number | null = null;
    const dateWords: string[] = [];
    for (const word of words.slice(at + 1)) {
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
    return { customerQuery, name, amount, probability, expectedCloseAt };
  },
  async run(input, ctx) {
    const customer = await resolveCustomer(ctx, input.customerQuery);
    const result = await ctx.services.opportunities.record({ customer, staffUserid: ctx.sender, ...input, sourceKey: ctx.sourceKey, now: ctx.now });
    // no opportunityId here: a command never meets a closed one
    if (result.kind === 'gone') throw new UserError(noOpenOpportunity(customer.name, input.name));
    if (result.kind === 'ambiguous')
      throw new UserError(whichOpportunity(customer.name, result.names, (name) => `商机 ${customer.name} ${name} ${input.amount}`));
    const o = result.opportunity;
    await ctx.reply({
      kind: 'card',
      card: confirmationCard({
        source: result.kind === 'created' ? '商机' : '商机更新',
        title: titleAround('', customer.name, `：${opportunityLabel(o.name)}¥${o.amount.toLocaleString('zh-CN')}`),
        rows: [
          { key: '概率', value: o.probability === null ? '未填' : `${o.probability}%` },
          // a close date is a day: no clock time
          { key: '预计成交', value: o.expectedCloseAt ? formatChineseDate(o.expectedCloseAt, ctx.timezone, ctx.now) : '未填' },
          ...(result.previous ? [{ key: '原来', value: opportunityFigures(result.previous) }] : []),
        ],
      }),
    });
  },
});
