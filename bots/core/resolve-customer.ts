import type { Customer } from '../../entities';
import type { CustomerCandidate } from '../../src/modules/customers';
import type { CommandContext } from './command';
import { UserError } from './errors';

/** Thrown when a name matches several customers: the bot lists them and waits for a number. */
export class ChoiceNeeded extends Error {
  constructor(
    readonly query: string,
    readonly candidates: CustomerCandidate[],
  ) {
    super(`"${query}" matches ${candidates.length} customers`);
    this.name = 'ChoiceNeeded';
  }
}

/** The customer a salesperson means by `query`, among those they may see. */
export async function resolveCustomer(ctx: CommandContext, query: string): Promise<Customer> {
  const viewer = { userid: ctx.sender, isAdmin: ctx.isAdmin };
  if (ctx.chosenCustomerId !== undefined) {
    const chosen = await ctx.services.customers.visible(viewer, ctx.chosenCustomerId);
    if (chosen) return chosen;
    throw new UserError('这位客户已不在你的客户列表中。');
  }
  const found = await ctx.services.customers.lookup(viewer, query);
  if (found.kind === 'one') return found.customer;
  if (found.kind === 'many') throw new ChoiceNeeded(query, found.candidates);
  const hint = found.closest.length ? `你是不是要找：${found.closest.join('、')}？` : '可以用名字、备注或手机号的一部分查找。';
  throw new UserError(`没有找到客户「${query}」。${hint}`);
}
