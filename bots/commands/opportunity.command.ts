import { confirmationCard } from '../../templates/cards/bot-cards';
import { titleAround } from '../../templates/cards/card-limits';
import { defineCommand } from '../core/command';
import { UsageError } from '../core/errors';
import { firstArg, splitArgs } from '../core/normalize';
import { resolveCustomer } from '../core/resolve-customer';
import { formatChineseDate, parseChineseDate } from '../dates/chinese-date.parser';

export interface OpportunityInput {
  customerQuery: string;
  amount: number;
  probability: number | null;
  expectedCloseAt: Date | null;
}

/** 5万, 5w, 50000, 5,000, 1.5万 → yuan */
export function parseAmount(text: string): number | null {
  const m = /^([\d,]+(?:\.\d+)?)(万|w|W|千|k|K|元)?$/.exec(text);
  if (!m) return null;
  const n = Number(m[1]!.replace(/,/g, ''));
  const unit = m[2] ?? '';
  const factor = unit === '万' || unit === 'w' || unit === 'W' ? 10_000 : unit === '千' || unit === 'k' || unit === 'K' ? 1000 : 1;
  const amount = Math.round(n * factor * 100) / 100;
  return Number.isFinite(amount) && amount > 0 && amount < 1e12 ? amount : null;
}

export const opportunityCommand = defineCommand<OpportunityInput>({
  name: '商机',
  aliases: [],
  usage: '商机 <客户> <金额> [概率%] [预计成交日期]',
  example: '商机 张三 5万 60% 月底',
  summary: '记录商机金额、成交概率和预计成交日期',
  parse(args, ctx) {
    const { first: customerQuery, rest } = firstArg(args);
    if (!customerQuery) throw new UsageError('请写上客户和金额。');
    const [amountText, ...more] = splitArgs(rest);
    if (!amountText) throw new UsageError(`请写上「${customerQuery}」的商机金额。`);
    const amount = parseAmount(amountText);
    if (amount === null) throw new UsageError(`「${amountText}」不是金额，比如写 50000 或 5万。`);
    let probability: number | null = null;
    const dateWords: string[] = [];
    for (const word of more) {
      const p = /^(\d{1,3})%$/.exec(word);
      if (p) {
        probability = Number(p[1]);
        if (probability > 100) throw new UsageError('概率在 0% 到 100% 之间。');
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
