import { defineCommand } from '../core/command';
import { UsageError } from '../core/errors';
import { buildProfileCard } from '../core/profile-card';
import { resolveCustomer } from '../core/resolve-customer';

export const showCustomerCommand = defineCommand<{ query: string }>({
  name: '查客户',
  aliases: ['客户', '查'],
  usage: '查客户 <名字/备注/手机号片段>',
  example: '查客户 张三',
  summary: '客户档案：标签、阶段、负责人、来源、最近跟进、下次提醒',
  parse(args) {
    if (!args) throw new UsageError('请写上要查的客户。');
    return { query: args };
  },
  async run(input, ctx) {
    const customer = await resolveCustomer(ctx, input.query);
    await ctx.reply({ kind: 'card', card: await buildProfileCard(ctx.services, customer, ctx.now, ctx.timezone) });
  },
});
