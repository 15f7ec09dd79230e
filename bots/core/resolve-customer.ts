import type { Customer } from '../../entities';
import type { CustomerCandidate, Reach } from '../../src/modules/customers';
import { CUSTOMER_NOT_VISIBLE } from '../../templates/who-sees';
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

/**
 * The customer a salesperson means by `query`, among those they may see: their own, or with `team`
 * (commands that only show a customer) also those of the teams they lead. A name outside that is
 * not found at all: the reply does not tell a stranger that a colleague has such a customer.
 */
export async function resolveCustomer(ctx: CommandContext, query: string, reach: Reach = 'own'): Promise<Customer> {
  const viewer = { userid: ctx.sender, isAdmin: ctx.isAdmin };
  if (ctx.chosenCustomerId !== undefined) {
    const chosen = await ctx.services.customers.visible(viewer, ctx.chosenCustomerId, reach);
    if (chosen) return chosen;
    throw new UserError(CUSTOMER_NOT_VISIBLE);
  }
  const found = await ctx.services.customers.lookup(viewer, query, reach);
  if (found.kind === 'one') return found.customer;
  if (found.kind === 'many') throw new ChoiceNeeded(query, found.candidates);
  const hint = found.closest.length ? `你是不是要找：${found.closest.join('、')}？` : '可以用名字、备注或手机号的一部分查找。';
  throw new UserError(`没有找到客户「${query}」。${hint}`);
}
