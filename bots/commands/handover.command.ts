import { defineCommand } from '../core/command';
import { UsageError, UserError } from '../core/errors';
import { ChoiceNeeded } from '../core/resolve-customer';

/** 转接 as typed: named customers, or all of someone's (`from`; null: the sender's own), to `to`. */
export interface HandoverInput {
  customers: string[] | null;
  from: string | null;
  to: string;
}

const ALL = new Set(['全部', '全部客户', '所有', '所有客户']);

/** `王五、赵六 给 李娜` / `全部 给 李娜` / `张伟的全部客户 给 李娜`. Pure. */
export function parseHandover(args: string): HandoverInput {
  const text = args.trim();
  const split = /^(.*\S)\s+给\s*(\S+)$/.exec(text) ?? /^(.*?)给(\S+)$/.exec(text);
  if (!split || !split[1]!.trim()) throw new UsageError('请写清楚转接哪些客户、给谁，例如「转接 王五 给 李娜」。');
  const what = split[1]!.trim();
  const to = split[2]!.trim();
  if (ALL.has(what)) return { customers: null, from: null, to };
  const whose = /^(.+?)的(全部|所有)(客户)?$/.exec(what);
  if (whose) return { customers: null, from: whose[1]!.trim(), to };
  const customers = [...new Set(what.split(/[、，,\s]+/).filter(Boolean))];
  return { customers, from: null, to };
}

/** 转接: a lead (their team) or an admin (anyone) hands customers to a salesperson, confirmed on a card. */
export const handoverCommand = defineCommand<HandoverInput>({
  name: '转接',
  aliases: ['转交客户', '在职转接'],
  usage: '转接 <客户…|全部|某人的全部客户> 给 <销售>',
  example: '转接 张伟的全部客户 给 李娜',
  summary: '主管：把客户转给另一位销售（在职转接）',
  parse: parseHandover,
  async run(input, ctx) {
    const chosen = ctx.chosenCustomerId;
    const answer = await ctx.services.handover.propose({
      sender: ctx.sender,
      isAdmin: ctx.isAdmin,
      ...input,
      ...(chosen !== undefined ? { customerId: chosen } : {}),
      sourceKey: ctx.sourceKey,
    });
    if (answer.kind === 'problem') {
      // One name, several customers (two 王磊 in the team): the numbered list, as every command offers it.
      const [name] = input.customers ?? [];
      if (answer.ambiguous && name !== undefined && input.customers!.length === 1 && chosen === undefined) {
        const found = await ctx.services.customers.lookup({ userid: ctx.sender, isAdmin: ctx.isAdmin }, name, 'team');
        if (found.kind === 'many') throw new ChoiceNeeded(name, found.candidates);
      }
      throw new UserError(answer.text);
    }
    await ctx.reply({ kind: 'card', card: answer.card });
  },
});
