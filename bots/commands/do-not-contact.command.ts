import { defineCommand } from '../core/command';
import { UsageError } from '../core/errors';
import { splitArgs } from '../core/normalize';
import { resolveCustomer } from '../core/resolve-customer';

interface Input {
  customerQuery: string;
  reason: string | null;
}

function parseCustomer(args: string, what: string): Input {
  const [customerQuery, ...rest] = splitArgs(args);
  if (!customerQuery) throw new UsageError(`请写上要${what}的客户。`);
  return { customerQuery, reason: rest.join(' ').slice(0, 200) || null };
}

export const doNotContactCommand = defineCommand<Input>({
  name: '勿扰',
  aliases: [],
  usage: '勿扰 <客户> [原因]',
  example: '勿扰 张三 客户要求不要再发消息',
  summary: '客户不再收到SOP步骤和自动推送（发送「恢复 客户」取消）',
  parse: (args) => parseCustomer(args, '设为勿扰'),
  async run(input, ctx) {
    const customer = await resolveCustomer(ctx, input.customerQuery);
    const result = await ctx.services.doNotContact.set({ customer, on: true, reason: input.reason, actor: ctx.sender, sourceKey: ctx.sourceKey, now: ctx.now });
    const content = result.changed
      ? `🔕 已将 ${customer.name} 设为勿扰：不再发送SOP步骤。发送「恢复 ${customer.name}」可恢复，「撤销」可在10分钟内撤回。`
      : `${customer.name} 已经是勿扰状态了。`;
    await ctx.reply({ kind: 'text', content });
  },
});

export const resumeContactCommand = defineCommand<Input>({
  name: '恢复',
  aliases: [],
  usage: '恢复 <客户>',
  example: '恢复 张三',
  summary: '取消客户的勿扰，SOP步骤恢复发送',
  parse: (args) => parseCustomer(args, '恢复'),
  async run(input, ctx) {
    const customer = await resolveCustomer(ctx, input.customerQuery);
    const result = await ctx.services.doNotContact.set({ customer, on: false, reason: null, actor: ctx.sender, sourceKey: ctx.sourceKey, now: ctx.now });
    const content = result.changed ? `🔔 已恢复 ${customer.name}：之后的SOP步骤会照常发送（勿扰期间跳过的不再补发）。` : `${customer.name} 没有设为勿扰。`;
    await ctx.reply({ kind: 'text', content });
  },
});
