import { CLOSE_REASON_LENGTH } from '../../entities';
import { confirmationCard } from '../../templates/cards/bot-cards';
import { titleAround } from '../../templates/cards/card-limits';
import { STAGE_NAMES } from '../../templates/labels';
import { noOpenOpportunity, opportunityLabel, whichOpportunity } from '../../templates/opportunities';
import type { CloseResult } from '../../src/modules/pipeline';
import type { Customer } from '../../entities';
import { parseAmount } from '../core/amounts';
import { defineCommand, type CommandContext } from '../core/command';
import { UsageError, UserError } from '../core/errors';
import { firstArg, splitArgs } from '../core/normalize';
import { resolveCustomer } from '../core/resolve-customer';

/** The answer to 赢单/输单: which opportunity closed, for how much, and the customer's stage move. */
async function answer(ctx: CommandContext, customer: Customer, result: CloseResult, name: string | null, example: (name: string) => string) {
  if (result.kind === 'none') throw new UserError(noOpenOpportunity(customer.name, name));
  if (result.kind === 'ambiguous') throw new UserError(whichOpportunity(customer.name, result.names, example));
  const o = result.opportunity;
  const won = o.status === 'won';
  await ctx.reply({
    kind: 'card',
    card: confirmationCard({
      source: won ? '赢单' : '输单',
      title: titleAround('', customer.name, `：${opportunityLabel(o.name)}¥${o.amount.toLocaleString('zh-CN')}`),
      rows: [
        { key: '结果', value: won ? '赢单' : '输单' },
        ...(o.closeReason ? [{ key: '原因', value: o.closeReason }] : []),
        ...(result.stage ? [{ key: '阶段', value: `${STAGE_NAMES[result.stage.from]} → ${STAGE_NAMES[result.stage.to]}` }] : []),
      ],
    }),
  });
}

export const wonCommand = defineCommand<{ customerQuery: string; name: string | null; amount: number | null }>({
  name: '赢单',
  aliases: ['成单', '签单'],
  undoable: true,
  usage: '赢单 <客户> [名称] [成交金额]',
  example: '赢单 张三 4.8万',
  summary: '商机赢单：关闭商机（可写成交金额），客户进入成交',
  parse(args) {
    const { first: customerQuery, rest } = firstArg(args);
    if (!customerQuery) throw new UsageError('请写上客户。');
    const words = splitArgs(rest);
    const amounts = words.filter((w) => parseAmount(w) !== null);
    if (amounts.length > 1) throw new UsageError('请只写一个成交金额。');
    const name = words.filter((w) => parseAmount(w) === null).join(' ') || null;
    return { customerQuery, name, amount: amounts.length ? parseAmount(amounts[0]!)! : null };
  },
  async run(input, ctx) {
    const customer = await resolveCustomer(ctx, input.customerQuery);
    const result = await ctx.services.opportunities.close({
      customer,
      staffUserid: ctx.sender,
      outcome: 'won',
      name: input.name,
      amount: input.amount,
      reason: null,
      sourceKey: ctx.sourceKey,
      now: ctx.now,
    });
    await answer(ctx, customer, result, input.name, (name) => `赢单 ${customer.name} ${name}`);
  },
});

export const lostCommand = defineCommand<{ customerQuery: string; words: string[] }>({
  name: '输单',
  aliases: ['丢单'],
  undoable: true,
  usage: '输单 <客户> [名称] <原因>',
  example: '输单 张三 预算砍了',
  summary: '商机输单：关闭商机并记下原因',
  parse(args) {
    const { first: customerQuery, rest } = firstArg(args);
    if (!customerQuery) throw new UsageError('请写上客户和输单原因。');
    const words = splitArgs(rest);
    if (!words.length) throw new UsageError(`请写上「${customerQuery}」输单的原因，比如：价格太高。`);
    return { customerQuery, words };
  },
  async run(input, ctx) {
    const customer = await resolveCustomer(ctx, input.customerQuery);
    // The first word names an open opportunity (二期 价格太高), else all of it is the reason.
    const open = await ctx.services.opportunities.open(customer.id);
    const named = input.words.length > 1 && open.some((o) => o.name === input.words[0]);
    const name = named ? input.words[0]! : null;
    const reason = (named ? input.words.slice(1) : input.words).join(' ');
    if (Array.from(reason).length > CLOSE_REASON_LENGTH) throw new UsageError(`原因最多${CLOSE_REASON_LENGTH}个字。`);
    const result = await ctx.services.opportunities.close({
      customer,
      staffUserid: ctx.sender,
      outcome: 'lost',
      name,
      amount: null,
      reason,
      sourceKey: ctx.sourceKey,
      now: ctx.now,
    });
    await answer(ctx, customer, result, name, (n) => `输单 ${customer.name} ${n} ${reason}`);
  },
});
